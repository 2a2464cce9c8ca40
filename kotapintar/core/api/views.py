from django.contrib.auth import authenticate
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from kotapintar.core import modules
from kotapintar.core.api.permissions import CityRolePermission, CityScopedMixin
from kotapintar.core.api.serializers import (
    ApiTokenSerializer,
    AuditEntrySerializer,
    CityDayOffSerializer,
    CitySerializer,
    DepartmentSerializer,
    DistrictSerializer,
    IssuedTokenSerializer,
    MembershipSerializer,
    MeSerializer,
    ModuleConfigSerializer,
    ModuleStatusSerializer,
    TokenRequestSerializer,
    WorkflowDefinitionSerializer,
)
from kotapintar.core.models import (
    ApiToken,
    AuditEntry,
    City,
    CityDayOff,
    Department,
    District,
    Membership,
    WorkflowDefinition,
)
from kotapintar.core.selectors import (
    CITY_ADMIN,
    city_active_module_ids,
    city_audit_entries,
    city_memberships,
    user_api_tokens,
    user_has_role,
)
from kotapintar.core.services.calendar import city_day_off_add, city_day_off_remove
from kotapintar.core.services.cities import city_update, department_create
from kotapintar.core.services.modules import module_config_fields, module_config_set, module_set_enabled
from kotapintar.core.services.tokens import api_token_create, api_token_revoke
from kotapintar.core.services.users import membership_create, membership_delete
from kotapintar.core.services.workflow import workflow_definition_create


class CityViewSet(mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The cities served by this installation (public); a city's administrators update its profile."""

    serializer_class = CitySerializer
    queryset = City.objects.all()
    lookup_field = "slug"
    lookup_url_kwarg = "city"
    http_method_names = ["get", "patch", "head", "options"]
    read_roles = None
    write_roles = ("city_admin",)

    def get_permissions(self):
        return [AllowAny()] if self.action in ("list", "retrieve") else [CityRolePermission()]

    def perform_update(self, serializer):
        serializer.instance = city_update(city=serializer.instance, actor=self.request.user,
                                          **serializer.validated_data)


class ModuleViewSet(CityScopedMixin, viewsets.ViewSet):
    """Modules and whether each is switched on for the city. City administrators switch them."""

    serializer_class = ModuleStatusSerializer
    lookup_field = "module_id"
    lookup_value_regex = r"[a-z0-9_-]+"

    def _rows(self, city):
        active = city_active_module_ids(city)
        return [dict(id=m.id, name=str(m.name), version=m.version, dependencies=list(m.dependencies),
                     always_on=m.always_on, enabled=m.id in active) for m in modules.REGISTRY.values()]

    def list(self, request, city):
        return Response(ModuleStatusSerializer(self._rows(request.city), many=True).data)

    @extend_schema(request=ModuleStatusSerializer, responses=ModuleStatusSerializer)
    def partial_update(self, request, city, module_id):
        if modules.get(module_id) is None:
            return Response({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
        serializer = ModuleStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        module_set_enabled(city=request.city, module_id=module_id,
                           enabled=serializer.validated_data["enabled"], actor=request.user)
        row = next(r for r in self._rows(request.city) if r["id"] == module_id)
        return Response(ModuleStatusSerializer(row).data)

    @extend_schema(request=dict, responses=ModuleConfigSerializer)
    @action(detail=True, methods=["get", "patch"], url_path="config")
    def config(self, request, city, module_id):
        """The module's settings for the city (secrets show only whether they are set). PATCH changes the
        keys given; an empty value returns a setting to its default and leaves a secret unchanged.
        City administrators only."""
        module = modules.get(module_id)
        if module is None or not module.config or module.id not in city_active_module_ids(request.city):
            return Response({"detail": _("Not found.")}, status=status.HTTP_404_NOT_FOUND)
        if not user_has_role(request.user, request.city, CITY_ADMIN):
            raise PermissionDenied(_("Only the city's administrators may see or change module settings."))
        if request.method == "PATCH":
            if not isinstance(request.data, dict):
                raise ValidationError({"detail": _("Send an object of settings.")})
            module_config_set(city=request.city, module_id=module_id, values=dict(request.data), actor=request.user)
        return Response({"module": module_id, "fields": module_config_fields(request.city, module_id)})


class DepartmentViewSet(CityScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The city's departments (OPD). Public to read; city administrators add them."""

    queryset = Department.objects.none()

    serializer_class = DepartmentSerializer

    def get_city_queryset(self, city):
        return Department.objects.filter(city=city)

    def perform_create(self, serializer):
        serializer.instance = department_create(city=self.request.city, actor=self.request.user,
                                                **serializer.validated_data)


class DistrictViewSet(CityScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Kecamatan of the city with their kelurahan (public)."""

    queryset = District.objects.none()

    serializer_class = DistrictSerializer
    lookup_field = "code"
    lookup_value_regex = r"[0-9.]+"

    def get_city_queryset(self, city):
        return District.objects.filter(city=city).prefetch_related("villages")


class MembershipViewSet(CityScopedMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin,
                        viewsets.ReadOnlyModelViewSet):
    """Officials of the city and their roles (city administrators only)."""

    queryset = Membership.objects.none()

    serializer_class = MembershipSerializer
    read_roles = ("city_admin",)

    def get_city_queryset(self, city):
        return city_memberships(city)

    def perform_create(self, serializer):
        data = serializer.validated_data
        department = None
        if data.get("department_code"):
            department = get_object_or_404(Department, city=self.request.city, code=data["department_code"])
        serializer.instance = membership_create(user=data["user"], city=self.request.city, role=data["role"],
                                                department=department, actor=self.request.user)

    def perform_destroy(self, instance):
        membership_delete(membership=instance, actor=self.request.user)


class AuditEntryViewSet(CityScopedMixin, viewsets.ReadOnlyModelViewSet):
    """The city's audit log, newest first (city administrators only)."""

    queryset = AuditEntry.objects.none()

    serializer_class = AuditEntrySerializer
    read_roles = ("city_admin",)
    lookup_field = "seq"
    lookup_value_regex = r"[0-9]+"

    def get_city_queryset(self, city):
        return city_audit_entries(city)


class CityDayOffViewSet(CityScopedMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin,
                        viewsets.ReadOnlyModelViewSet):
    """The city's own days off (cuti bersama, local holidays) on top of national holidays."""

    queryset = CityDayOff.objects.none()

    serializer_class = CityDayOffSerializer

    def get_city_queryset(self, city):
        return CityDayOff.objects.filter(city=city)

    def perform_create(self, serializer):
        serializer.instance = city_day_off_add(city=self.request.city, actor=self.request.user,
                                               **serializer.validated_data)

    def perform_destroy(self, instance):
        city_day_off_remove(city=self.request.city, date=instance.date, actor=self.request.user)


class WorkflowDefinitionViewSet(CityScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Workflow definitions; a new definition is validated and saved as a new version."""

    queryset = WorkflowDefinition.objects.none()

    serializer_class = WorkflowDefinitionSerializer
    read_roles = ("city_admin",)

    def get_city_queryset(self, city):
        return WorkflowDefinition.objects.filter(city=city).order_by("key", "-version")

    def perform_create(self, serializer):
        serializer.instance = workflow_definition_create(city=self.request.city, actor=self.request.user,
                                                         **serializer.validated_data)


class MeView(APIView):
    """The signed-in account, with its NIK masked and its memberships."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class TokenView(APIView):
    """Exchange a username and password for an API token (throttled; failures lock the account).
    Accounts with two-factor sign-in also send `otp`, the current code of their authenticator. Every
    refusal is the same, so the answer does not tell whether the password was right. `scope` is
    `read write` (default) or `read`; the token expires after 90 days and when the password changes."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"
    serializer_class = TokenRequestSerializer

    @extend_schema(request=TokenRequestSerializer, responses=IssuedTokenSerializer)
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = authenticate(request=request, username=data["username"], password=data["password"])
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() if user else None
        if user is None or not user.is_active or device is not None and not device.verify_token(data.get("otp", "")):
            raise ValidationError({"non_field_errors": [
                _("Wrong username, password or two-factor code (accounts with two-factor sign-in also send otp).")]})
        token, key = api_token_create(user=user, scope=data["scope"], name=data.get("name", ""))
        return Response(IssuedTokenSerializer({**ApiTokenSerializer(token).data, "token": key}).data)


class ApiTokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """The signed-in person's own live API tokens; DELETE revokes one."""

    serializer_class = ApiTokenSerializer
    permission_classes = [IsAuthenticated]
    queryset = ApiToken.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return user_api_tokens(self.request.user)

    def perform_destroy(self, instance):
        api_token_revoke(token=instance, actor=self.request.user)
