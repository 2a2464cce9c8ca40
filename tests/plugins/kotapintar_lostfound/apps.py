from django.apps import AppConfig

from kotapintar.core import modules
from kotapintar.core.providers import ConfigField, ConfigSchema


class LostFoundConfig(AppConfig):
    name = "kotapintar_lostfound"
    label = "lostfound"

    def ready(self):
        modules.register(modules.Module(
            id="lostfound",
            name="Lost and found",
            version="1.0",
            urls="kotapintar_lostfound.urls",
            api_urls="kotapintar_lostfound.api_urls",
            mounts=(modules.Mount("lost-items/v1/", "kotapintar_lostfound.feed_urls", "lostfound-feed"),),
            periodic=(modules.PeriodicJob("lostfound-expire", "kotapintar_lostfound.tasks.expire", 3600),),
            roles={"lostfound_clerk": "Lost and found clerk"},
            role_groups={"staff": ("lostfound_clerk",)},
            context_roles={"finder": "Finder"},
            config=ConfigSchema(fields=(
                ConfigField("office_hours", "Office hours", default="08:00-15:00"),
                ConfigField("keep_days", "Days an item is kept", kind="integer", default=30, min_value=1,
                            max_value=365),
                ConfigField("partner_key", "Partner key", kind="secret", default=""),
            )),
            indicators=modules.NONE,
            map_layers=modules.NONE,
            catalogue=modules.NONE,
            exchange=modules.NONE,
            events=("lostfound.item.found",),
        ))
