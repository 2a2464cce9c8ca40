from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def latest_widget(request, city):
    from kotapintar.announcements.selectors import announcement_list

    latest = announcement_list(city=city).first()
    if latest is None:
        return None
    return {"title": _("Latest announcement"), "value": latest.title,
            "url": reverse("announcements:detail", kwargs={"city": city.slug, "pk": latest.pk})}


def load_demo(city, accounts):
    from kotapintar.announcements.selectors import announcement_list
    from kotapintar.announcements.services import announcement_create
    from kotapintar.core.demo import account
    from kotapintar.core.models import Department
    from kotapintar.core.services.users import membership_create

    officer = account(f"humas.{city.slug}", full_name=f"Humas {city.name}", email=f"humas@{city.slug}.example.id")
    membership_create(user=officer, city=city, role="communications_officer", actor=None,
                      department=Department.objects.filter(city=city, code="DISKOMINFO").first())
    accounts.append((officer.username, "kotapintar-demo", f"communications officer, {city.name}"))
    if not announcement_list(city=city, include_drafts=True).exists():
        announcement_create(city=city, actor=officer, title=f"Layanan online {city.name} kini di Kota Pintar",
                            body="Warga dapat mengajukan izin dan menyampaikan pengaduan secara daring, "
                                 "kapan saja, tanpa antre.")


class AnnouncementsConfig(AppConfig):
    name = "kotapintar.announcements"
    label = "announcements"
    verbose_name = _("Announcements")

    def ready(self):
        from kotapintar.announcements import providers
        from kotapintar.core import modules

        modules.register(modules.Module(
            id="announcements",
            name=_("Announcements"),
            version="1.0",
            description=_("Public announcements (pengumuman) from the city's communications office."),
            urls="kotapintar.announcements.urls",
            api_urls="kotapintar.announcements.api.urls",
            roles={"communications_officer": _("Communications officer")},
            menu=(modules.MenuEntry(_("Announcements"), "announcements:list"),),
            widgets=(latest_widget,),
            demo=load_demo,
            config=modules.NONE,
            indicators=providers.indicators,
            map_layers=modules.NONE,
            catalogue=modules.NONE,
            exchange=modules.NONE,
            events=modules.NONE,
        ))
