from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kotapintar.core.providers import ConfigField, ConfigSchema

ROLES = {
    "complaint_verifier": _("Complaint verifier"),
    "complaint_officer": _("Complaint officer (department)"),
    "complaint_supervisor": _("Complaint supervisor"),
    "complaint_admin": _("Complaint administrator"),
}

LIMIT_HELP = _("Reports per number of seconds, e.g. 5/600. Not set: the installation's default.")
CONFIG = ConfigSchema(fields=(
    ConfigField("limit_person", _("Reports per person"), kind="rate", help=LIMIT_HELP),
    ConfigField("limit_address", _("Reports per network address"), kind="rate", help=LIMIT_HELP),
    ConfigField("limit_api_key", _("Reports per Open311 api_key"), kind="rate", help=LIMIT_HELP),
))


def queue_widget(request, city):
    from kotapintar.complaints.selectors import queue_for
    from kotapintar.core.selectors import user_roles

    if not user_roles(request.user, city) & set(ROLES) - {"complaint_admin"}:
        return None
    return {"title": _("Reports waiting for you"), "value": queue_for(city=city, user=request.user).count(),
            "url": reverse("complaints:queue", kwargs={"city": city.slug})}


class ComplaintsConfig(AppConfig):
    name = "kotapintar.complaints"
    label = "complaints"
    verbose_name = _("Complaints")

    def ready(self):
        from kotapintar.complaints import demo, providers, selectors  # noqa: F401 (selectors: cache-clearing signals)
        from kotapintar.complaints import workflow as words
        from kotapintar.complaints.services import keys  # noqa: F401 (cache-clearing signals)
        from kotapintar.complaints.services.reports import complaint_on_transition, complaint_on_transition_notify
        from kotapintar.core import modules
        from kotapintar.core import workflow as workflow_kit
        from kotapintar.core.services import workflow

        handlers = ("complaint_verifier", "complaint_officer", "complaint_supervisor")
        modules.register(modules.Module(
            id="complaints",
            name=_("Complaints and public services"),
            version="1.0",
            description=_("Citizens report problems on a map and follow their handling; departments answer "
                          "within the SLA; public service standards; Open311 GeoReport v2."),
            urls="kotapintar.complaints.urls",
            api_urls="kotapintar.complaints.api.urls",
            mounts=(modules.Mount("open311/v2/", "kotapintar.complaints.open311_urls", "open311",
                                  not_found="kotapintar.complaints.open311.unavailable"),),
            periodic=(
                # Files queued Open311 reports that no task was scheduled for (a lost message, a restart).
                modules.PeriodicJob("complaints-intake", "kotapintar.complaints.tasks.complaints_file_pending_task",
                                    60),
            ),
            roles=ROLES,
            role_groups={"handlers": handlers},
            context_roles={"reporter": _("Reporter")},
            menu=(
                modules.MenuEntry(_("Report a problem"), "complaints:new"),
                modules.MenuEntry(_("Reports map"), "complaints:list"),
                modules.MenuEntry(_("Report queue"), "complaints:queue", roles=handlers),
                modules.MenuEntry(_("Complaint settings"), "complaints:admin",
                                  roles=("complaint_admin", "city_admin")),
            ),
            widgets=(queue_widget,),
            demo=demo.load_demo,
            config=CONFIG,
            indicators=providers.indicators,
            map_layers=providers.map_layers,
            catalogue=providers.catalogue,
            exchange=providers.exchange,
            events=("complaints.complaint.transition",),
        ))
        workflow_kit.labels("complaints.complaint", states=words.STATES, actions=words.ACTIONS, events=words.EVENTS)
        workflow.on_transition("complaints.complaint", complaint_on_transition, after_commit=False)
        workflow.on_transition("complaints.complaint", complaint_on_transition_notify)
