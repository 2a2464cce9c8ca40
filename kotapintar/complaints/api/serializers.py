"""Serializers of the complaints REST API. Two views of a report: the public one (no personal data at
all: no name, e-mail or phone of the reporter, no internal notes or their photos) and the full one for the
reporter and the city's complaint officials. Photos link to the report page's photo view, which checks
who asks."""

import json

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kotapintar.complaints.models import Complaint, ComplaintCategory, ComplaintUpdate, ServiceStandard
from kotapintar.complaints.workflow import COLOURS
from kotapintar.core.models import Department, Document
from kotapintar.core.workflow import actions_for, state_label


def photo_url(complaint, document) -> str:
    """The report page's photo link, which checks who may see the report (and the message)."""
    if document is None:
        return ""
    return reverse("complaints:photo", kwargs={"city": complaint.city.slug, "tracking": complaint.tracking_number,
                                               "token": document.token})


def report_photos(complaint, *, public: bool) -> list[str]:
    """The photos of a report and its messages; for the public, not those of notes or hidden messages."""
    documents = Document.objects.filter(subject_type=ContentType.objects.get_for_model(Complaint),
                                        subject_id=complaint.pk, kind="photo").order_by("pk")
    if public:
        private = (complaint.updates.filter(Q(kind=ComplaintUpdate.Kind.NOTE) | Q(hidden=True))
                   .exclude(photo=None).values("photo_id"))
        documents = documents.exclude(pk__in=private)
    return [photo_url(complaint, d) for d in documents]


class CityDepartmentField(serializers.SlugRelatedField):
    """A department of the URL's city, by its code."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Department.objects.none(), **kwargs)

    def get_queryset(self):
        city = getattr(self.context.get("request"), "city", None)
        return Department.objects.filter(city=city)


# -- categories -----------------------------------------------------------------------------------
class ComplaintCategorySerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.code", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = ComplaintCategory
        fields = ["code", "name", "description", "group", "keywords", "department", "department_name",
                  "questions", "active"]


class ComplaintCategoryWriteSerializer(serializers.ModelSerializer):
    """What a complaint administrator defines; the questions are checked by category_save."""

    department = CityDepartmentField()
    questions = serializers.JSONField(required=False)

    class Meta:
        model = ComplaintCategory
        fields = ["code", "name", "description", "group", "keywords", "department", "questions", "active"]
        extra_kwargs = {"code": {"validators": []}}  # category_save says when a code is taken

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None:
            self.fields["code"].read_only = True

    def to_representation(self, instance):
        return ComplaintCategorySerializer(instance, context=self.context).data


# -- reports --------------------------------------------------------------------------------------
class AttributesField(serializers.JSONField):
    """The answers to the category's questions: an object, or (in a multipart form) that object as JSON."""

    def to_internal_value(self, data):
        if isinstance(data, str | bytes):
            try:
                data = json.loads(data or "{}")
            except ValueError:
                raise serializers.ValidationError(_("Send the answers as a JSON object.")) from None
        if not isinstance(data, dict):
            raise serializers.ValidationError(_("Send the answers as a JSON object."))
        return data


class ComplaintCreateSerializer(serializers.Serializer):
    """Filing a report: JSON without photos, or multipart/form-data with up to 3 `photos`. The place is a
    pin (`lat`, `lng`) or an `address` that names a kelurahan or kecamatan of the city. Without an
    account, `email` is required and the report waits for the link sent there."""

    category = serializers.CharField(help_text="The category's code (see categories/).")
    description = serializers.CharField(style={"base_template": "textarea.html"})
    lat = serializers.FloatField(required=False, allow_null=True)
    lng = serializers.FloatField(required=False, allow_null=True)
    address = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)
    attributes = AttributesField(required=False, default=dict,
                                 help_text="Answers to the category's questions: {code: value}.")
    visibility = serializers.ChoiceField(choices=Complaint.Visibility.choices, default=Complaint.Visibility.PUBLIC)
    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=150)
    email = serializers.CharField(required=False, allow_blank=True, default="", max_length=254)
    phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)
    device_id = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list,
                                   help_text="Up to 3 JPEG or PNG photos (multipart only).")


class ComplaintPublicSerializer(serializers.ModelSerializer):
    """What everyone may see of a public report (reads only the public list's columns)."""

    category = serializers.CharField(source="category.code")
    category_name = serializers.CharField(source="category.name")
    state_label = serializers.SerializerMethodField()
    colour = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = ["tracking_number", "category", "category_name", "state", "state_label", "colour", "description",
                  "lat", "lng", "address", "status_notes", "supporters", "created_at", "updated_at"]

    def get_state_label(self, complaint) -> str:
        return state_label(complaint)

    def get_colour(self, complaint) -> str:
        return COLOURS.get(complaint.state, "grey")


class ComplaintPublicListSerializer(ComplaintPublicSerializer):
    district = serializers.CharField(source="district.name", default="")

    class Meta(ComplaintPublicSerializer.Meta):
        fields = [*ComplaintPublicSerializer.Meta.fields, "district"]


class ComplaintNearbySerializer(ComplaintPublicSerializer):
    distance_m = serializers.FloatField()

    class Meta(ComplaintPublicSerializer.Meta):
        fields = [*ComplaintPublicSerializer.Meta.fields, "distance_m"]


class ComplaintPublicDetailSerializer(ComplaintPublicListSerializer):
    village = serializers.CharField(source="village.name", default="")
    duplicate_of = serializers.CharField(source="duplicate_of.tracking_number", default="")
    photos = serializers.SerializerMethodField()

    class Meta(ComplaintPublicListSerializer.Meta):
        fields = [*ComplaintPublicListSerializer.Meta.fields, "village", "duplicate_of", "photos"]

    def get_photos(self, complaint) -> list[str]:
        return report_photos(complaint, public=True)


class ComplaintListSerializer(ComplaintPublicSerializer):
    """A row of an official's list or of a citizen's own reports."""

    department = serializers.CharField(source="department.code")
    district = serializers.CharField(source="district.name", default="")
    assigned_to = serializers.CharField(source="assigned_to.username", default="")
    deadline = serializers.SerializerMethodField()

    class Meta(ComplaintPublicSerializer.Meta):
        fields = [*ComplaintPublicSerializer.Meta.fields, "visibility", "department", "district", "assigned_to",
                  "due_at", "deadline", "late", "hidden", "rating"]

    def get_deadline(self, complaint) -> str:
        from kotapintar.complaints.selectors import complaint_deadline_flag

        return complaint_deadline_flag(complaint)


class ComplaintReporterSerializer(serializers.Serializer):
    name = serializers.CharField(source="reporter_name")
    email = serializers.CharField(source="reporter_email")
    phone = serializers.CharField(source="reporter_phone")
    username = serializers.CharField(source="reporter.username", default="")


class ComplaintSerializer(ComplaintListSerializer):
    """The full report, for its reporter and the city's complaint officials."""

    village = serializers.CharField(source="village.name", default="")
    duplicate_of = serializers.CharField(source="duplicate_of.tracking_number", default="")
    reporter = ComplaintReporterSerializer(source="*")
    photos = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta(ComplaintListSerializer.Meta):
        fields = [*ComplaintListSerializer.Meta.fields, "village", "duplicate_of", "attributes", "source", "reporter",
                  "resolved_at", "rating_comment", "photos", "actions"]

    def get_photos(self, complaint) -> list[str]:
        return report_photos(complaint, public=False)

    def get_actions(self, complaint) -> list[str]:
        """The workflow actions the caller may take now."""
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return [a.action for a in actions_for(complaint, user)
                if a.action not in ("confirm", "mark_duplicate")]


class ComplaintConfirmSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="The code of the confirmation link sent by e-mail.")


class ComplaintReceiptSerializer(serializers.Serializer):
    tracking_number = serializers.CharField()
    state = serializers.CharField()


class ComplaintActionSerializer(serializers.Serializer):
    action = serializers.CharField(help_text="verify, reject, forward, start, resolve, close, reopen")
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    expected_state = serializers.CharField(required=False,
                                           help_text="The state you saw; 409 if someone moved the report since.")


class ComplaintAssignSerializer(serializers.Serializer):
    department = serializers.CharField(required=False, allow_blank=True, default="",
                                       help_text="The department's code.")
    username = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if not attrs["department"] and not attrs["username"]:
            raise serializers.ValidationError(_("Give a department, a person or both."))
        return attrs


class ComplaintCommentSerializer(serializers.Serializer):
    text = serializers.CharField(style={"base_template": "textarea.html"})
    internal = serializers.BooleanField(default=False, help_text="An internal note, never shown to the public.")
    photo = serializers.FileField(required=False)


class ComplaintInfoSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, default="")
    photo = serializers.FileField(required=False)


class ComplaintMergeSerializer(serializers.Serializer):
    into = serializers.CharField(help_text="Tracking number of the report this one duplicates.")


class ComplaintModerateSerializer(serializers.Serializer):
    hidden = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    update = serializers.IntegerField(required=False, help_text="Id of a message; without it, the whole report.")


class ComplaintRateSerializer(serializers.Serializer):
    rating = serializers.IntegerField(help_text="1 to 5 stars.")
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ComplaintUpdatePublicSerializer(serializers.ModelSerializer):
    """A message as the public sees it: no author. Give the report as context["complaint"]."""

    photo = serializers.SerializerMethodField()

    class Meta:
        model = ComplaintUpdate
        fields = ["id", "kind", "text", "state", "photo", "created_at"]

    def get_photo(self, update) -> str:
        return photo_url(self.context["complaint"], update.photo)


class ComplaintUpdateSerializer(ComplaintUpdatePublicSerializer):
    author = serializers.CharField(source="author.username", default="")

    class Meta(ComplaintUpdatePublicSerializer.Meta):
        fields = [*ComplaintUpdatePublicSerializer.Meta.fields, "author", "hidden"]


# -- public statistics and services ---------------------------------------------------------------
class ComplaintCategoryCountSerializer(serializers.Serializer):
    code = serializers.CharField(source="category__code")
    name = serializers.CharField(source="category__name")
    count = serializers.IntegerField(source="n")


class ComplaintDepartmentCountSerializer(serializers.Serializer):
    department = serializers.CharField(source="department__short_name")
    name = serializers.CharField(source="department__name")
    count = serializers.IntegerField(source="n")
    late = serializers.IntegerField()
    on_time_pct = serializers.FloatField(allow_null=True)


class ComplaintStatsSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    total = serializers.IntegerField()
    per_state = serializers.DictField(child=serializers.IntegerField())
    per_category = ComplaintCategoryCountSerializer(many=True)
    per_department = ComplaintDepartmentCountSerializer(many=True)
    median_days_to_resolve = serializers.FloatField(allow_null=True, help_text="In working days.")
    average_rating = serializers.FloatField(allow_null=True)


class ServiceCatalogueEntrySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    department = serializers.CharField()
    requirements = serializers.ListField(child=serializers.CharField())
    procedure = serializers.ListField(child=serializers.CharField())
    service_time = serializers.CharField()
    cost = serializers.CharField()
    product = serializers.CharField()
    complaint_channel = serializers.CharField()
    source = serializers.CharField(help_text="The module offering the service: complaints (a service standard), "
                                             "permits (a permit type), ...")
    url = serializers.CharField()


class ServiceStandardSerializer(serializers.ModelSerializer):
    department = CityDepartmentField()

    class Meta:
        model = ServiceStandard
        fields = ["code", "name", "department", "requirements", "procedure", "service_time", "cost", "product",
                  "complaint_channel", "active"]
        extra_kwargs = {"code": {"validators": []}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None:
            self.fields["code"].read_only = True
