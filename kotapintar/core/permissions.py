"""Role checks for the server-rendered pages."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from kotapintar.core.selectors import user_roles


def city_role_required(*roles: str):
    """Anonymous users go to the login page; users without one of `roles` in the URL's city get 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            held = user_roles(request.user, request.city)
            if roles and not held & set(roles) or not held:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
