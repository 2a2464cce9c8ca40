"""API permissions: a view declares who may read and who may write, as roles in the URL's city."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from kotapintar.core.selectors import user_roles


class CityRolePermission(BasePermission):
    """`read_roles = None` makes reads public; `write_roles` name the roles that may change data.

    The city itself comes from the URL (CityModuleMiddleware), so objects of another city are never
    found (404) and roles held in another city do not count.
    """

    def has_permission(self, request, view):
        roles = getattr(view, "read_roles", ()) if request.method in SAFE_METHODS else getattr(view, "write_roles", ())
        if roles is None:
            return True
        if not request.user or not request.user.is_authenticated:
            return False
        return bool(user_roles(request.user, request.city) & set(roles))


class CityScopedMixin:
    """Viewsets of city-owned rows: the queryset always comes from `get_city_queryset(city)`.
    `queryset = Model.objects.none()` only tells the schema generator the model."""

    permission_classes = [CityRolePermission]
    read_roles: tuple | None = None
    write_roles: tuple = ("city_admin",)

    def get_city_queryset(self, city):
        raise NotImplementedError

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no city
            return self.queryset
        return self.get_city_queryset(self.request.city)
