from kotapintar.core import modules
from kotapintar.core.selectors import module_is_active, user_roles


def platform(request):
    """The current city, its menu (active modules, filtered by role) and the user's roles in it."""
    city = getattr(request, "city", None)
    if city is None:
        return {"city": None, "menu": [], "roles": set()}
    roles = user_roles(request.user, city)
    menu = [
        entry
        for module in modules.REGISTRY.values()
        if module.always_on or module_is_active(city, module.id, request)
        for entry in module.menu
        if not entry.roles or roles & set(entry.roles)
    ]
    return {"city": city, "menu": menu, "roles": roles}
