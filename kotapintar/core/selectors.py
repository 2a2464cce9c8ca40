"""Reads that are not trivial. Every tenant-owned read takes the city."""

import hashlib
from functools import lru_cache

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from kotapintar.core import modules
from kotapintar.core.models import (
    ApiToken,
    AuditEntry,
    City,
    CityDomain,
    Membership,
    ModuleActivation,
    WorkflowDefinition,
)

CITY_ADMIN = "city_admin"
# Cities, their domains and module switches are read on every request and change rarely: they are
# cached (in Redis when REDIS_URL is set, so every web process sees a change at once; in process
# memory otherwise) and the services that change them call `city_cache_clear`.
CACHE_SECONDS = 60


def city_cache_clear(city: City | None = None) -> None:
    """Forget the cached city now and again when the current transaction commits (so that a request
    racing with the change cannot keep the old value)."""
    from django.db import transaction

    _clear(city)
    transaction.on_commit(lambda: _clear(city))


def _clear(city: City | None) -> None:
    keys = ["kp:domains"]
    if city is not None:
        keys += [f"kp:city:{city.slug}", f"kp:modules:{city.pk}", f"kp:modcfg:{city.pk}"]
    cache.delete_many(keys)


def city_by_slug(slug: str) -> City | None:
    key = f"kp:city:{slug}"
    city = cache.get(key)
    if city is None:
        city = City.objects.filter(slug=slug).first()
        if city is not None:
            cache.set(key, city, CACHE_SECONDS)
    return city


def city_slug_for_domain(host: str) -> str | None:
    domains = cache.get("kp:domains")
    if domains is None:
        domains = dict(CityDomain.objects.filter(verified_at__isnull=False).values_list("domain", "city__slug"))
        cache.set("kp:domains", domains, CACHE_SECONDS)
    return domains.get(host)


def city_active_module_ids(city: City) -> set[str]:
    key = f"kp:modules:{city.pk}"
    ids = cache.get(key)
    if ids is None:
        ids = set(ModuleActivation.objects.filter(city=city, enabled=True).values_list("module_id", flat=True))
        cache.set(key, ids, CACHE_SECONDS)
    return ids | {m.id for m in modules.REGISTRY.values() if m.always_on}


@lru_cache(maxsize=512)
def workflow_definition(workflow_id: int) -> WorkflowDefinition:
    """A workflow version never changes once saved (a change is a new version): safe to keep."""
    return WorkflowDefinition.objects.get(pk=workflow_id)


def module_is_active(city: City, module_id: str, request=None) -> bool:
    if request is not None:
        cache = getattr(request, "_active_modules", None)
        if cache is None or cache[0] != city.pk:
            cache = (city.pk, city_active_module_ids(city))
            request._active_modules = cache
        return module_id in cache[1]
    return module_id in city_active_module_ids(city)


def user_roles(user, city: City) -> set[str]:
    """The roles the user holds in the city (platform superusers count as city admins)."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return set()
    cache = user.__dict__.setdefault("_roles_cache", {})
    if city.pk not in cache:
        roles = set(Membership.objects.filter(user=user, city=city).values_list("role", flat=True))
        if user.is_superuser:
            roles.add(CITY_ADMIN)
        cache[city.pk] = roles
    return cache[city.pk]


def user_has_role(user, city: City, *roles: str) -> bool:
    return bool(user_roles(user, city) & set(roles))


def user_is_official(user, city: City) -> bool:
    return bool(user_roles(user, city))


def user_cities(user):
    """Cities where the user holds any role."""
    if not user.is_authenticated:
        return City.objects.none()
    if user.is_superuser:
        return City.objects.all()
    return City.objects.filter(memberships__user=user).distinct()


def city_memberships(city: City):
    return Membership.objects.filter(city=city).select_related("user", "department").order_by("user__username")


def city_audit_entries(city: City):
    return AuditEntry.objects.filter(city=city).select_related("actor").order_by("-seq")



def api_key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_password_check(user) -> str:
    """Changes whenever the password changes (set, reset, changed in the admin)."""
    return salted_hmac("kotapintar.api-token", user.password, algorithm="sha256").hexdigest()


def api_token_is_live(token: ApiToken) -> bool:
    return (token.expires_at > timezone.now() and token.user.is_active
            and constant_time_compare(token.password_check, api_token_password_check(token.user)))


def api_token_by_key(key: str) -> ApiToken | None:
    """The live token with this key, or None (unknown, expired, or revoked by a password change)."""
    token = ApiToken.objects.select_related("user").filter(digest=api_key_digest(key)).first()
    return token if token is not None and api_token_is_live(token) else None


def user_api_tokens(user):
    """The person's own live API tokens, newest first."""
    tokens = ApiToken.objects.filter(user=user, expires_at__gt=timezone.now()).select_related("user")
    return ApiToken.objects.filter(pk__in=[t.pk for t in tokens if api_token_is_live(t)])
