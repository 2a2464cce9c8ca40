"""Reads that are not trivial. Every tenant-owned read takes the city."""

from django.contrib.auth.models import AnonymousUser

from kotapintar.core import modules
from kotapintar.core.models import AuditEntry, City, Membership, ModuleActivation

CITY_ADMIN = "city_admin"


def city_active_module_ids(city: City) -> set[str]:
    ids = set(ModuleActivation.objects.filter(city=city, enabled=True).values_list("module_id", flat=True))
    return ids | {m.id for m in modules.REGISTRY.values() if m.always_on}


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
