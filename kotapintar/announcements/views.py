from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from kotapintar.announcements.forms import AnnouncementForm
from kotapintar.announcements.selectors import announcement_list
from kotapintar.announcements.services import EDITORS, announcement_create
from kotapintar.core.permissions import city_role_required
from kotapintar.core.selectors import user_has_role


def announcement_index(request, city):
    editor = user_has_role(request.user, request.city, *EDITORS)
    items = announcement_list(city=request.city, include_drafts=editor)
    return render(request, "announcements/list.html", {"items": items, "editor": editor})


def announcement_detail(request, city, pk):
    editor = user_has_role(request.user, request.city, *EDITORS)
    item = get_object_or_404(announcement_list(city=request.city, include_drafts=editor), pk=pk)
    return render(request, "announcements/detail.html", {"item": item})


@city_role_required(*EDITORS)
def announcement_new(request, city):
    form = AnnouncementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        item = announcement_create(city=request.city, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Announcement saved."))
        return redirect("announcements:detail", city=request.city.slug, pk=item.pk)
    return render(request, "announcements/form.html", {"form": form})
