from rest_framework import serializers

from kotapintar.core.formatting import terbilang
from kotapintar.permits.models import Invoice, Permit, PermitApplication, PermitType


class PermitTypeSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.name", read_only=True)
    is_free = serializers.BooleanField(read_only=True)

    class Meta:
        model = PermitType
        fields = ["code", "name", "description", "department", "form_schema", "documents", "fee_formula",
                  "fee_description", "is_free", "sla_days", "validity_days"]


class PermitTypeWriteSerializer(serializers.ModelSerializer):
    """What a permit administrator defines: form, documents, workflow, fee, numbering, certificate."""

    department = serializers.SlugRelatedField(slug_field="code", queryset=PermitType.objects.none())
    workflow = serializers.PrimaryKeyRelatedField(queryset=PermitType.objects.none())

    class Meta:
        model = PermitType
        fields = ["code", "name", "description", "department", "workflow", "form_schema", "documents",
                  "fee_formula", "fee_description", "sla_days", "validity_days", "number_format",
                  "certificate_template", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from kotapintar.core.models import Department, WorkflowDefinition

        city = getattr(self.context.get("request"), "city", None)
        self.fields["department"].queryset = Department.objects.filter(city=city)
        self.fields["workflow"].queryset = WorkflowDefinition.objects.filter(city=city)
        if self.instance is not None:
            self.fields["code"].read_only = True


class InvoiceSerializer(serializers.ModelSerializer):
    amount_in_words = serializers.SerializerMethodField()

    class Meta:
        model = Invoice
        fields = ["number", "payment_code", "amount", "amount_in_words", "status", "issued_at", "due_at", "paid_at"]

    def get_amount_in_words(self, invoice) -> str:
        return terbilang(invoice.amount)


class PermitSerializer(serializers.ModelSerializer):
    verification_token = serializers.UUIDField(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Permit
        fields = ["number", "issued_at", "valid_until", "holder_name", "signer_name", "verification_token",
                  "revoked_at", "download_url"]

    def get_download_url(self, permit) -> str:
        return f"/documents/{permit.document.token}/" if permit.document_id else ""


class ApplicationSerializer(serializers.ModelSerializer):
    permit_type = serializers.SlugRelatedField(slug_field="code", queryset=PermitType.objects.none())
    applicant = serializers.CharField(source="applicant.username", read_only=True)
    invoice = InvoiceSerializer(read_only=True)
    permit = PermitSerializer(read_only=True)
    documents = serializers.SerializerMethodField()

    class Meta:
        model = PermitApplication
        fields = ["id", "registration_number", "permit_type", "applicant", "state", "data", "return_fields",
                  "fee_amount", "due_at", "submitted_at", "decided_at", "created_at", "invoice", "permit",
                  "documents"]
        read_only_fields = ["registration_number", "state", "return_fields", "fee_amount", "due_at",
                            "submitted_at", "decided_at", "created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and getattr(request, "city", None) is not None:
            self.fields["permit_type"].queryset = PermitType.objects.filter(city=request.city, active=True)

    def get_documents(self, application) -> list[dict]:
        from kotapintar.permits.services.applications import application_documents

        return [{"key": d.kind, "name": d.original_name, "type": d.content_type, "size": d.size,
                 "url": f"/documents/{d.token}/"} for d in application_documents(application)]


class ActionSerializer(serializers.Serializer):
    action = serializers.CharField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    expected_state = serializers.CharField(required=False)
    return_fields = serializers.ListField(child=serializers.CharField(), required=False, default=list)


class RevokeSerializer(serializers.Serializer):
    reason = serializers.CharField()


class AssignSerializer(serializers.Serializer):
    username = serializers.CharField(required=False, allow_blank=True)


class DocumentUploadSerializer(serializers.Serializer):
    key = serializers.CharField()
    file = serializers.FileField()


class HistorySerializer(serializers.Serializer):
    action = serializers.CharField()
    event = serializers.CharField(help_text="What happened, in the reader's language (e.g. “Disetujui”).")
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    role = serializers.CharField()
    comment = serializers.CharField()
    created_at = serializers.DateTimeField()


class StatusSerializer(serializers.Serializer):
    registration_number = serializers.CharField()
    permit_type = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()


class SurveySerializer(serializers.Serializer):
    answers = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=4), min_length=9,
                                    max_length=9)
    comment = serializers.CharField(required=False, allow_blank=True, default="")
