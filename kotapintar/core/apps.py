from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _

from kotapintar.core.providers import ConfigField, ConfigSchema

CONFIG = ConfigSchema(fields=(
    ConfigField("map_tiles", _("Map background tiles"), kind="url",
                help=_("Tile address with {z}/{x}/{y}, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png. "
                       "Empty: maps show the city's outline on a plain background (works offline). "
                       "Not set: the installation's default.")),
    ConfigField("map_attribution", _("Map attribution"),
                help=_("The credit the tile provider requires, e.g. © OpenStreetMap contributors.")),
))


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
            periodic=(modules.PeriodicJob("workflow-deadlines", "kotapintar.core.tasks.workflow_deadlines_run", 300),),
            config=CONFIG,
            indicators=modules.NONE,
            map_layers=modules.NONE,
            catalogue=modules.NONE,
            exchange=modules.NONE,
            events=("core.module.enabled", "core.module.disabled", "core.module.configured"),
        ))


class PlatformAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with a site that signs people in through the platform's 2FA-aware login."""

    default = False
    default_site = "kotapintar.core.twofactor.PlatformAdminSite"
