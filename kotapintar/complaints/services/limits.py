"""Rate limits against floods of reports: per person (account, e-mail, phone or device), per network
address, and per Open311 api_key. Counters live in the cache (Redis in production, so every web process
shares them). Each limit is {scope: (count, seconds)}: the city's own (the complaints module's settings
`limit_<scope>`), else the installation's `settings.KOTAPINTAR_COMPLAINT_LIMITS`, else DEFAULTS."""

from django.conf import settings
from django.core.cache import caches
from django.utils.translation import gettext as _

from kotapintar.core.cache import counters_add
from kotapintar.core.exceptions import RateLimited
from kotapintar.core.models import City
from kotapintar.core.services.modules import module_config_get

__all__ = ["RateLimited", "rate_limit_check"]

DEFAULTS = {
    "person": (5, 600),  # five reports in ten minutes from one person
    "address": (30, 3600),  # thirty an hour from one network address (a household, an office)
    "api_key": (100_000, 3600),  # an Open311 client speaks for many people
}


def _limits(city: City) -> dict:
    config = module_config_get(city, "complaints")
    own = {scope: tuple(int(n) for n in config[f"limit_{scope}"].split("/")) for scope in DEFAULTS
           if config[f"limit_{scope}"]}
    return {**DEFAULTS, **getattr(settings, "KOTAPINTAR_COMPLAINT_LIMITS", {}), **own}


def rate_limit_check(*, city: City, sources: dict[str, str]) -> None:
    """Count one report against each source ({scope: identity}); raise RateLimited when one is over
    its limit. Empty identities are skipped. One cache read (the city's settings) and one pipeline."""
    limits = _limits(city)
    scopes = [scope for scope, identity in sources.items() if identity]
    counts = counters_add(caches["default"], {f"kp:rl:{city.pk}:{scope}:{sources[scope]}": limits[scope][1]
                                              for scope in scopes})
    for scope, used in zip(scopes, counts, strict=True):
        count, seconds = limits[scope]
        if used > count:
            minutes = max(1, seconds // 60)
            raise RateLimited(_("Too many reports from you in a short time (at most %(n)d in %(m)d minutes). "
                                "Please wait and try again, or support an existing report.")
                              % {"n": count, "m": minutes})
