from django.contrib.auth import get_user_model
from rest_framework import serializers

from kotapintar.core import modules
from kotapintar.core.formatting import mask_nik
from kotapintar.core.models import (
    ApiToken,
    AuditEntry,
    City,
    CityDayOff,
    Department,
    District,
    Membership,
    Village,
    WorkflowDefinition,
)


class CitySerializer(serializers.ModelSerializer):
    class Meta:
        model = City
        fields = ["slug", "name", "region_code", "province_name", "timezone", "locale", "primary_color",
                  "secondary_color", "contact_email", "contact_phone", "address", "website"]
        read_only_fields = ["slug", "region_code", "province_name"]


class ModuleStatusSerializer(serializers.Serializer):
    id = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    version = serializers.CharField(read_only=True)
    dependencies = serializers.ListField(child=serializers.CharField(), read_only=True)
    always_on = serializers.BooleanField(read_only=True)
    enabled = serializers.BooleanField()


class ModuleConfigFieldSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.CharField()
    help = serializers.CharField()
    choices = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))
    required = serializers.BooleanField()
    value = serializers.JSONField(allow_null=True, help_text="null for a secret: never shown")
    is_set = serializers.BooleanField()


class ModuleConfigSerializer(serializers.Serializer):
    module = serializers.CharField()
    fields = ModuleConfigFieldSerializer(many=True)


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "code", "name", "short_name", "bidang_urusan", "email", "phone"]


class VillageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Village
        fields = ["code", "name"]


class DistrictSerializer(serializers.ModelSerializer):
    villages = VillageSerializer(many=True, read_only=True)

    class Meta:
        model = District
        fields = ["code", "name", "villages"]


class MembershipSerializer(serializers.ModelSerializer):
    username = serializers.SlugRelatedField(
        source="user", slug_field="username", queryset=get_user_model().objects.all()
    )
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    department_code = serializers.CharField(write_only=True, required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=[])

    class Meta:
        model = Membership
        fields = ["id", "username", "role", "department", "department_code", "created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = sorted(modules.all_roles())


class AuditEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEntry
        fields = ["seq", "created_at", "actor_label", "action", "object_type", "object_id", "data", "hash"]


class CityDayOffSerializer(serializers.ModelSerializer):
    class Meta:
        model = CityDayOff
        fields = ["id", "date", "name"]


class WorkflowDefinitionSerializer(serializers.ModelSerializer):
    class Meta:
        model = WorkflowDefinition
        fields = ["id", "key", "version", "name", "definition", "created_at"]
        read_only_fields = ["version", "created_at"]


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField()
    email = serializers.EmailField()
    nik = serializers.SerializerMethodField()
    memberships = serializers.SerializerMethodField()

    def get_nik(self, user) -> str:
        return mask_nik(user.nik)

    def get_memberships(self, user) -> list[dict]:
        return [{"city": m.city.slug, "role": m.role} for m in user.memberships.select_related("city")]


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    otp = serializers.CharField(required=False, allow_blank=True,
                                help_text="The current code of the authenticator (accounts with two-factor sign-in).")
    scope = serializers.ChoiceField(choices=ApiToken.Scope.choices, default=ApiToken.Scope.READ_WRITE)
    name = serializers.CharField(required=False, allow_blank=True, max_length=80)


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "scope", "created_at", "expires_at"]


class IssuedTokenSerializer(ApiTokenSerializer):
    token = serializers.CharField(help_text="The key: shown only now; send it as `Authorization: Token <key>`.")

    class Meta(ApiTokenSerializer.Meta):
        fields = ["token", *ApiTokenSerializer.Meta.fields]
