from kotapintar.core import modules
from kotapintar.core.selectors import city_active_module_ids, module_is_active, user_roles


def platform(request):
    """The current city, its menu (active modules, filtered by role) and the user's roles in it.

    `chrome_key` names everything the city part of the page header depends on (the city's name, slug
    and logo, its active modules, the user's roles in it): base.html caches that part of the header
    per key and language, so the menu is only built when the header is rendered anew.
    """
    city = getattr(request, "city", None)
    if city is None:
        return {"city": None, "menu": [], "roles": set(), "chrome_key": ""}
    roles = user_roles(request.user, city)

    def menu():
        return [
            entry
            for module in modules.REGISTRY.values()
            if module.always_on or module_is_active(city, module.id, request)
            for entry in module.menu
            if not entry.roles or roles & set(entry.roles)
        ]

    return {"city": city, "menu": menu, "roles": roles, "chrome_key": chrome_key(request, city, roles)}


def chrome_key(request, city, roles) -> str:
    active = request.__dict__.get("_active_modules")
    active = active[1] if active and active[0] == city.pk else city_active_module_ids(city)
    return "|".join([str(city.pk), city.slug, city.name, city.logo.name or "", ",".join(sorted(active)),
                     ",".join(sorted(roles))])
