from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kotapintar.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from kotapintar.core import modules

        modules.register(modules.Module(
            id="core",
            name=_("Core"),
            version="1.0",
            description=_("Cities, departments, people and roles, audit log, calendar, workflows."),
            always_on=True,
            roles={"city_admin": _("City administrator"), "official": _("Official")},
            indicators=modules.NONE,
            map_layers=modules.NONE,
            catalogue=modules.NONE,
            exchange=modules.NONE,
        ))


class PlatformAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with a site that signs people in through the platform's 2FA-aware login."""

    default = False
    default_site = "kotapintar.core.twofactor.PlatformAdminSite"
