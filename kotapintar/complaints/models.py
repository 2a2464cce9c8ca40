"""Citizen complaints (LAPOR!/FixMyStreet style), their categories and replies, Open311 API keys and
the public service catalogue (standar pelayanan). Data only; writes are in services."""

import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from kotapintar.core.models import City, Department, District, Document, Village, WorkflowDefinition, WorkflowSubject


class ComplaintCategory(models.Model):
    """What a citizen can report (an Open311 service), routed to the department responsible for it.

    `questions` are the category's extra questions, which are also its Open311 attributes:
    [{"code", "label", "type": string|number|text|datetime|singlevaluelist|multivaluelist, "required",
      "values": [{"key", "name"}], "help"}].
    """

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="complaint_categories")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)
    group = models.CharField(_("group"), max_length=80, blank=True)
    keywords = models.CharField(_("keywords"), max_length=200, blank=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("responsible department"))
    workflow = models.ForeignKey(WorkflowDefinition, on_delete=models.PROTECT, related_name="+")
    questions = models.JSONField(default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["group", "name"]
        constraints = [models.UniqueConstraint(fields=["city", "code"], name="complaint_category_unique_code")]
        verbose_name_plural = "complaint categories"

    def __str__(self):
        return self.name


class Complaint(WorkflowSubject):
    """One report by a citizen: what, where, and who may see it."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        ANONYMOUS = "anonymous", _("Public, without my name")
        CONFIDENTIAL = "confidential", _("Confidential (only officials)")

    class Source(models.TextChoices):
        WEB = "web", _("Website")
        API = "api", _("App (REST API)")
        OPEN311 = "open311", "Open311"

    tracking_number = models.CharField(max_length=20)
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # Open311 token
    category = models.ForeignKey(ComplaintCategory, on_delete=models.PROTECT, related_name="complaints")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    description = models.TextField()
    attributes = models.JSONField(default=dict, blank=True)
    visibility = models.CharField(max_length=12, choices=Visibility.choices, default=Visibility.PUBLIC)
    # where
    lat = models.FloatField()
    lng = models.FloatField()
    address = models.CharField(max_length=255, blank=True)
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    village = models.ForeignKey(Village, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # who (never shown to the public)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    reporter_name = models.CharField(max_length=150, blank=True)
    reporter_email = models.EmailField(blank=True)
    reporter_phone = models.CharField(max_length=20, blank=True)
    device_id = models.CharField(max_length=100, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEB)
    api_key = models.ForeignKey("Open311Key", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # what the public sees of the handling; denormalised so that lists need one query
    status_notes = models.TextField(blank=True)
    photo = models.ForeignKey(Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    supporters = models.PositiveIntegerField(default=0)
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="duplicates")
    late = models.BooleanField(default=False)  # an official acted after the SLA of the state
    hidden = models.BooleanField(default=False)  # moderated: abusive content kept from the public
    confirm_code = models.CharField(max_length=64, blank=True)  # for reports without an account
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    rating_comment = models.TextField(blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["city", "tracking_number"], name="complaint_unique_tracking"),
        ]
        indexes = [
            models.Index(fields=["city", "created_at"]),
            models.Index(fields=["city", "lat", "lng"]),
            models.Index(fields=["city", "state", "due_at"]),
            models.Index(fields=["city", "department", "state"]),
            models.Index(fields=["reporter", "-created_at"]),
        ]

    def __str__(self):
        return self.tracking_number

    def workflow_roles(self, user) -> set[str]:
        return {"reporter"} if self.reporter_id and self.reporter_id == user.pk else set()

    def document_visible_to(self, user) -> bool:
        return bool(self.reporter_id and self.reporter_id == user.pk)

    @property
    def is_public(self) -> bool:
        return self.visibility != self.Visibility.CONFIDENTIAL and not self.hidden and self.state != "unconfirmed"


class ComplaintIntake(models.Model):
    """A report an Open311 client sent, validated and waiting for the worker that files it
    (services.reports.complaints_file_pending): the unsaved report's fields, the token it was answered
    with. Deleted once filed; the report keeps the token."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    token = models.UUIDField(unique=True)
    data = models.JSONField(encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True)


class ComplaintUpdate(models.Model):
    """A message on a report: a public reply, an internal note, or information the reporter added.
    Public replies and status changes are also FixMyStreet's `servicerequestupdates`."""

    class Kind(models.TextChoices):
        REPLY = "reply", _("Public reply")
        NOTE = "note", _("Internal note")
        INFO = "info", _("Information from the reporter")
        STATUS = "status", _("Status change")

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    text = models.TextField(blank=True)
    state = models.CharField(max_length=40)  # the report's state when the update was written
    photo = models.ForeignKey(Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["city", "created_at"])]

    @property
    def is_public(self) -> bool:
        return self.kind != self.Kind.NOTE and not self.hidden


class ComplaintSupport(models.Model):
    """A citizen saying "me too" to an open report instead of filing a duplicate."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["complaint", "user"], name="complaint_support_once")]


class Open311Key(models.Model):
    """An api_key the city issued to a client (an app, a partner system). Only its hash is kept."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="open311_keys")
    name = models.CharField(_("client name"), max_length=120)
    prefix = models.CharField(max_length=8)  # shown to admins to tell keys apart
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class ServiceStandard(models.Model):
    """One public service's standard (standar pelayanan, PermenPANRB 15/2014) as the city publishes it."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="service_standards")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("service"), max_length=200)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("department"))
    requirements = models.TextField(_("requirements"))
    procedure = models.TextField(_("procedure"))
    service_time = models.CharField(_("completion time"), max_length=120)
    cost = models.CharField(_("cost / tariff"), max_length=200)
    product = models.CharField(_("service product"), max_length=200)
    complaint_channel = models.CharField(_("complaint channel"), max_length=300)
    active = models.BooleanField(_("published"), default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["city", "code"], name="service_standard_unique_code")]

    def __str__(self):
        return self.name
