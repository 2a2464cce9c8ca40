from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from kotapintar.core import modules
from kotapintar.core.forms import CityDomainForm, CitySettingsForm, DayOffForm, MembershipForm, module_config_form
from kotapintar.core.models import City, CityDayOff, CityDomain, Document, Membership
from kotapintar.core.permissions import city_role_required
from kotapintar.core.selectors import (
    city_active_module_ids,
    city_audit_entries,
    city_memberships,
    user_cities,
    user_roles,
)
from kotapintar.core.services.calendar import city_day_off_add, city_day_off_remove, national_holidays
from kotapintar.core.services.cities import (
    DOMAIN_VERIFICATION_PATH,
    city_domain_add,
    city_domain_remove,
    city_domain_verify,
    city_logo_set,
    city_update,
)
from kotapintar.core.services.documents import document_can_view, document_path
from kotapintar.core.services.modules import module_config_get, module_config_set, module_set_enabled
from kotapintar.core.services.users import membership_create, membership_delete


def landing(request):
    cities = City.objects.only("slug", "name", "province_name", "timezone", "primary_color")
    mine = user_cities(request.user) if request.user.is_authenticated else []
    return render(request, "core/landing.html", {"cities": cities, "my_cities": mine})


def _same_site_path(request, url: str | None) -> str | None:
    """`url` as a path on this site (path, query), or None when it is missing or points elsewhere."""
    if not url or not url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                                      require_https=request.is_secure()):
        return None
    parts = urlsplit(url)
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//"):
        return None
    return f"{path}?{parts.query}" if parts.query else path


@require_GET
@never_cache
def language_switch(request):
    """GET /i18n/language/?language=en&next=/bandung/: remember the chosen language in the language
    cookie and go back to the page (`next`, else the referring page of this site, else the start
    page). A GET form needs no CSRF token, so the page header can be the same for every visitor; it
    changes nothing but the visitor's own display language, and it redirects only within this site."""
    target = (_same_site_path(request, request.GET.get("next"))
              or _same_site_path(request, request.META.get("HTTP_REFERER")) or "/")
    response = HttpResponseRedirect(target)
    language = request.GET.get("language")
    if language in dict(settings.LANGUAGES):
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
                            path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
                            secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                            samesite=settings.LANGUAGE_COOKIE_SAMESITE)
    return response


def city_home(request, city):
    city = request.city
    active = city_active_module_ids(city)
    active_modules = [m for m in modules.REGISTRY.values() if m.id in active and not m.always_on]
    return render(request, "core/city_home.html", {"active_modules": active_modules})


@city_role_required()
def office(request, city):
    """The officials' area: dashboard widgets of the city's active modules."""
    active = city_active_module_ids(request.city)
    widgets = []
    for module in modules.REGISTRY.values():
        if module.id in active:
            widgets += [w for w in (widget(request, request.city) for widget in module.widgets) if w]
    labels = modules.all_roles()
    my_roles = sorted(str(labels.get(role, role)) for role in user_roles(request.user, request.city))
    return render(request, "core/office.html", {"widgets": widgets, "my_roles": my_roles})


@city_role_required("city_admin")
def office_modules(request, city):
    active = city_active_module_ids(request.city)
    rows = [{"module": m, "enabled": m.id in active} for m in modules.switchable()]
    return render(request, "core/office_modules.html", {"rows": rows})


@city_role_required("city_admin")
def office_module_settings(request, city):
    """One page for the settings of every active module (each module's `config` provider)."""
    active = city_active_module_ids(request.city)
    posted = request.POST.get("module") if request.method == "POST" else None
    sections = []
    for module in modules.REGISTRY.values():
        if module.id not in active or not module.config:
            continue
        values = module_config_get(request.city, module.id)
        form = module_config_form(module.config, values, request.POST if posted == module.id else None,
                                  prefix=module.id)
        if posted == module.id and form.is_valid():
            try:
                module_config_set(city=request.city, module_id=module.id, values=form.cleaned_data, actor=request.user)
            except ValidationError as exc:
                for key, errors in exc.message_dict.items():
                    form.add_error(key if key in form.fields else None, errors)
            else:
                messages.success(request, _("The settings of “%(name)s” are saved.") % {"name": module.name})
                return redirect("core:office_module_settings", city=request.city.slug)
        sections.append({"module": module, "form": form})
    return render(request, "core/office_module_settings.html", {"sections": sections})


@require_POST
@city_role_required("city_admin")
def office_module_toggle(request, city, module_id):
    if modules.get(module_id) is None:
        raise Http404
    enabled = request.POST.get("enabled") == "1"
    try:
        module_set_enabled(city=request.city, module_id=module_id, enabled=enabled, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        module = modules.get(module_id)
        messages.success(request, (_("“%(name)s” is switched on.") if enabled else _("“%(name)s” is switched off."))
                         % {"name": module.name})
    return redirect("core:office_modules", city=request.city.slug)


@city_role_required("city_admin")
def office_members(request, city):
    form = MembershipForm(request.POST or None, city=request.city)
    if request.method == "POST" and form.is_valid():
        try:
            membership_create(user=form.cleaned_data["username"], city=request.city, role=form.cleaned_data["role"],
                              department=form.cleaned_data["department"], actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Role granted."))
            return redirect("core:office_members", city=request.city.slug)
    labels = modules.all_roles()
    memberships = list(city_memberships(request.city))
    for membership in memberships:
        membership.role_label = labels.get(membership.role, membership.role)
    return render(request, "core/office_members.html", {"memberships": memberships, "form": form})


@require_POST
@city_role_required("city_admin")
def office_member_remove(request, city, pk):
    membership = get_object_or_404(Membership, city=request.city, pk=pk)
    membership_delete(membership=membership, actor=request.user)
    messages.success(request, _("Role removed."))
    return redirect("core:office_members", city=request.city.slug)


@city_role_required("city_admin")
def office_audit(request, city):
    page = Paginator(city_audit_entries(request.city), 50).get_page(request.GET.get("page"))
    return render(request, "core/office_audit.html", {"page": page})


@city_role_required("city_admin")
def office_calendar(request, city):
    form = DayOffForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("remove"):
            city_day_off_remove(city=request.city, date=request.POST["remove"], actor=request.user)
            return redirect("core:office_calendar", city=request.city.slug)
        if form.is_valid():
            city_day_off_add(city=request.city, actor=request.user, **form.cleaned_data)
            messages.success(request, _("Day off saved."))
            return redirect("core:office_calendar", city=request.city.slug)
    year = timezone.localdate().year
    return render(request, "core/office_calendar.html", {
        "form": form, "days_off": CityDayOff.objects.filter(city=request.city, date__year__gte=year),
        "holidays": sorted(national_holidays(year).items()), "year": year,
    })


@city_role_required("city_admin")
def office_settings(request, city):
    """The city's name, branding, contact, time zone, logo and custom domains."""
    city = request.city
    form = CitySettingsForm(request.POST or None, request.FILES or None, instance=City.objects.get(pk=city.pk))
    domain_form = CityDomainForm(request.POST if "domain" in request.POST else None)
    if request.method == "POST" and ("verify_domain" in request.POST or "remove_domain" in request.POST):
        verify = "verify_domain" in request.POST
        pk = request.POST.get("verify_domain" if verify else "remove_domain", "")
        item = get_object_or_404(CityDomain, city=city, pk=pk if pk.isdigit() else 0)
        try:
            if verify:
                city_domain_verify(item=item, actor=request.user)
                messages.success(request, _("Domain verified: it now serves the city. Ask the platform administrator "
                                            "to add it to ALLOWED_HOSTS and to the reverse proxy."))
            else:
                city_domain_remove(item=item, actor=request.user)
                messages.success(request, _("Domain removed."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("core:office_settings", city=city.slug)
    if request.method == "POST" and "domain" in request.POST:
        if domain_form.is_valid():
            try:
                city_domain_add(city=city, domain=domain_form.cleaned_data["domain"], actor=request.user)
            except ValidationError as exc:
                domain_form.add_error("domain", exc.message_dict.get("domain", exc.messages))
            else:
                messages.success(request, _("Domain added. Publish the verification file shown below, then verify."))
                return redirect("core:office_settings", city=city.slug)
        form = CitySettingsForm(instance=city)
    elif request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data.get("logo_upload"):  # first: a refused logo leaves everything unchanged
                city_logo_set(city=city, file=form.cleaned_data["logo_upload"], actor=request.user)
            city_update(city=city, actor=request.user, **{name: form.cleaned_data[name] for name in form.Meta.fields})
        except ValidationError as exc:
            form.add_error(None if hasattr(exc, "error_dict") else "logo_upload", exc)
        else:
            messages.success(request, _("City settings saved."))
            return redirect("core:office_settings", city=city.slug)
    return render(request, "core/office_settings.html", {"form": form, "domain_form": domain_form,
                                                         "domains": city.domains.all(),
                                                         "verification_path": DOMAIN_VERIFICATION_PATH})


def city_logo(request, city):
    """The city's logo, public (it appears on every page of the city)."""
    if not request.city.logo:
        raise Http404
    content_type = "image/png" if request.city.logo.name.endswith(".png") else "image/jpeg"
    response = FileResponse(request.city.logo.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=3600"
    return response


@never_cache
def document_download(request, token):
    document = get_object_or_404(Document.objects.select_related("city"), token=token)
    if not document_can_view(request.user, document):
        raise Http404
    response = FileResponse(open(document_path(document), "rb"), content_type=document.content_type)
    disposition = "attachment" if request.GET.get("download") else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{document.original_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
def healthz(request):
    """200 with the status of the database and, where configured, the Celery broker."""
    from django.conf import settings

    status = {"database": "ok"}
    healthy = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        status["database"], healthy = f"error: {exc.__class__.__name__}", False
    if settings.CELERY_BROKER_URL:
        from kotapintar.config.celery import app

        try:
            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
            status["broker"] = "ok"
        except Exception as exc:
            status["broker"], healthy = f"error: {exc.__class__.__name__}", False
    return JsonResponse({"status": "ok" if healthy else "error", **status}, status=200 if healthy else 503)
