"""Rate limits against floods of reports: per person (account, e-mail, phone or device), per network
address, and per Open311 api_key. Counters live in the cache (Redis in production, so every web process
shares them). Limits come from `settings.KOTAPINTAR_COMPLAINT_LIMITS` as {scope: (count, seconds)}."""

from django.conf import settings
from django.core.cache import caches
from django.utils.translation import gettext as _

from kotapintar.core.cache import counters_add
from kotapintar.core.exceptions import RateLimited

__all__ = ["RateLimited", "rate_limit_check"]

DEFAULTS = {
    "person": (5, 600),  # five reports in ten minutes from one person
    "address": (30, 3600),  # thirty an hour from one network address (a household, an office)
    "api_key": (100_000, 3600),  # an Open311 client speaks for many people
}


def _limits() -> dict:
    return {**DEFAULTS, **getattr(settings, "KOTAPINTAR_COMPLAINT_LIMITS", {})}


def rate_limit_check(*, city_id: int, sources: dict[str, str]) -> None:
    """Count one report against each source ({scope: identity}); raise RateLimited when one is over
    its limit. Empty identities are skipped."""
    limits = _limits()
    scopes = [scope for scope, identity in sources.items() if identity]
    counts = counters_add(caches["default"], {f"kp:rl:{city_id}:{scope}:{sources[scope]}": limits[scope][1]
                                              for scope in scopes})
    for scope, used in zip(scopes, counts, strict=True):
        count, seconds = limits[scope]
        if used > count:
            minutes = max(1, seconds // 60)
            raise RateLimited(_("Too many reports from you in a short time (at most %(n)d in %(m)d minutes). "
                                "Please wait and try again, or support an existing report.")
                              % {"n": count, "m": minutes})
