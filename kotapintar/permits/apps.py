from django.apps import AppConfig
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from kotapintar.core.providers import ConfigField, ConfigSchema

ROLES = {
    "permit_verifier": _("Permit verifier"),
    "permit_inspector": _("Permit technical inspector"),
    "permit_head": _("Head of licensing (DPMPTSP)"),
    "permit_admin": _("Permit administrator"),
}



def config_errors(values: dict) -> dict:
    from kotapintar.permits.services.payments import PUBLISHED_SECRETS, SIMULATED

    gateway, secret = values["gateway"] or "", values["gateway_secret"] or ""
    if gateway and (gateway != slugify(gateway) or gateway == SIMULATED):
        return {"gateway": _("Use a short name of lower-case letters, digits and dashes (not “simulated”).")}
    if gateway and len(secret) < 32:
        return {"gateway_secret": _("The bank's shared secret must be at least 32 characters long.")}
    if secret in PUBLISHED_SECRETS:
        return {"gateway_secret": _("This secret is published in Kota Pintar's source code: choose another.")}
    return {}


CONFIG = ConfigSchema(fields=(
    ConfigField("gateway", _("Payment gateway"), default="",
                help=_("The bank gateway's short name, as in its callback address "
                       "/api/v1/cities/<city>/permits/payments/<name>/callback/, e.g. bjb. Empty: no gateway.")),
    ConfigField("gateway_secret", _("Payment gateway secret"), kind="secret", default="",
                help=_("The shared secret with which the bank signs its callbacks for this city.")),
), validate=config_errors)


def inbox_widget(request, city):
    from kotapintar.core.selectors import user_roles
    from kotapintar.permits.selectors import inbox_for

    if not user_roles(request.user, city) & set(ROLES):
        return None
    items = inbox_for(city=city, user=request.user)
    return {"title": _("Permit applications waiting for you"), "value": items.count(),
            "url": reverse("permits:inbox", kwargs={"city": city.slug})}


class PermitsConfig(AppConfig):
    name = "kotapintar.permits"
    label = "permits"
    verbose_name = _("Permits")

    def ready(self):
        from kotapintar.core import modules
        from kotapintar.core import workflow as workflow_kit
        from kotapintar.core.services import workflow
        from kotapintar.permits import demo, providers
        from kotapintar.permits import workflow as words
        from kotapintar.permits.services.applications import application_notify, application_on_enter

        modules.register(modules.Module(
            id="permits",
            name=_("Online permits"),
            version="1.0",
            description=_("Apply for permits online, follow their progress, pay the fee and download the "
                          "signed permit."),
            urls="kotapintar.permits.urls",
            api_urls="kotapintar.permits.api.urls",
            roles=ROLES,
            role_groups={"officials": tuple(ROLES)},
            context_roles={"applicant": _("Applicant")},
            menu=(
                modules.MenuEntry(_("Permits"), "permits:catalogue"),
                modules.MenuEntry(_("Permit inbox"), "permits:inbox", roles=tuple(ROLES)),
                modules.MenuEntry(_("Permit reports"), "permits:reports", roles=("permit_head", "permit_admin")),
                modules.MenuEntry(_("Permit types"), "permits:type_admin", roles=("permit_admin", "city_admin")),
            ),
            widgets=(inbox_widget,),
            demo=demo.load_demo,
            config=CONFIG,
            indicators=providers.indicators,
            map_layers=modules.NONE,
            catalogue=providers.catalogue,
            exchange=providers.exchange,
            events=("permits.permitapplication.transition", "permits.invoice.paid"),
        ))
        workflow_kit.labels("permits.permitapplication", states=words.STATES, actions=words.ACTIONS,
                            events=words.EVENTS)
        workflow.on_transition("permits.permitapplication", application_on_enter, after_commit=False)
        workflow.on_transition("permits.permitapplication", application_notify)
