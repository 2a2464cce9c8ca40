"""Online licensing (perizinan online): permit types, applications, invoices (SKRD), payments,
issued permits, number sequences and satisfaction surveys. Data only; writes are in services."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kotapintar.core.models import City, Department, WorkflowDefinition, WorkflowSubject


class PermitType(models.Model):
    """A permit a city offers, defined by its administrators without code.

    `form_schema`: [{"name", "label", "type": text|number|date|choice|location, "required", "min", "max",
    "choices", "help"}]. `documents`: [{"key", "label", "types": ["pdf", "jpeg", "png"], "max_kb",
    "required"}]. `fee_formula`: a safe expression over number fields, e.g.
    `luas_bangunan * 10000 * indeks_lokasi`; empty means free. `number_format` uses {seq} {year}
    {month} {code}, e.g. `503/{seq}/DPMPTSP/{year}`.
    """

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="permit_types")
    code = models.SlugField(max_length=40)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    workflow = models.ForeignKey(WorkflowDefinition, on_delete=models.PROTECT, related_name="+")
    form_schema = models.JSONField(default=list)
    documents = models.JSONField(default=list)
    fee_formula = models.CharField(max_length=500, blank=True)
    fee_description = models.CharField(max_length=300, blank=True)
    sla_days = models.PositiveSmallIntegerField(_("published service time (working days)"))
    validity_days = models.PositiveIntegerField(null=True, blank=True)
    number_format = models.CharField(max_length=100, default="503/{seq}/{code}/{year}")
    certificate_template = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["city", "code"], name="permit_type_unique_code")]

    def __str__(self):
        return self.name

    @property
    def is_free(self) -> bool:
        return not self.fee_formula.strip()


class PermitApplication(WorkflowSubject):
    """One application for one permit type, from draft to decision."""

    permit_type = models.ForeignKey(PermitType, on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    registration_number = models.CharField(max_length=40, blank=True)
    data = models.JSONField(default=dict)
    return_fields = models.JSONField(default=list, blank=True, help_text="Fields and documents to complete.")
    fee_amount = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["city", "registration_number"], name="application_unique_regno",
                                    condition=~models.Q(registration_number="")),
        ]
        indexes = [
            models.Index(fields=["city", "state", "due_at"]),
            models.Index(fields=["applicant", "-created_at"]),
            models.Index(fields=["city", "submitted_at"]),
            models.Index(fields=["city", "decided_at"]),
        ]

    def __str__(self):
        return self.registration_number or f"#{self.pk}"

    def workflow_roles(self, user):
        return {"applicant"} if user.pk == self.applicant_id else set()


class Invoice(models.Model):
    """An SKRD (surat ketetapan retribusi daerah): the fee the applicant owes, with its payment code."""

    class Status(models.TextChoices):
        UNPAID = "unpaid", _("unpaid")
        PAID = "paid", _("paid")

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    application = models.OneToOneField(PermitApplication, on_delete=models.PROTECT, related_name="invoice")
    number = models.CharField(max_length=60)
    payment_code = models.CharField(max_length=32, unique=True)
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UNPAID)
    issued_at = models.DateTimeField()
    due_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["city", "status", "paid_at"])]

    def __str__(self):
        return self.number


class PaymentCallback(models.Model):
    """Every accepted gateway callback, once per city, gateway and transaction (idempotency; two cities'
    banks may well number their transactions alike)."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    gateway = models.CharField(max_length=40)
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="callbacks")
    transaction_id = models.CharField(max_length=80)
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["city", "gateway", "transaction_id"],
                                               name="payment_callback_unique")]


class Permit(models.Model):
    """An issued permit: numbered, signed PDF, publicly verifiable."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="permits")
    application = models.OneToOneField(PermitApplication, on_delete=models.PROTECT, related_name="permit")
    number = models.CharField(max_length=80)
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    issued_at = models.DateTimeField()
    valid_until = models.DateField(null=True, blank=True)
    holder_name = models.CharField(max_length=150)
    signer_name = models.CharField(max_length=150)
    document = models.ForeignKey("core.Document", null=True, on_delete=models.PROTECT, related_name="+")
    verification_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["city", "number"], name="permit_unique_number")]

    def __str__(self):
        return self.number

    def document_visible_to(self, user) -> bool:
        return self.application.applicant_id == user.pk


class NumberSequence(models.Model):
    """Gap-free counter per city, purpose and year: incremented inside the issuing transaction."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=40)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["city", "key", "year"], name="sequence_unique")]


class SatisfactionSurvey(models.Model):
    """IKM survey (PermenPANRB 14/2017): nine elements, each answered 1-4."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    application = models.OneToOneField(PermitApplication, on_delete=models.CASCADE, related_name="survey")
    permit_type = models.ForeignKey(PermitType, on_delete=models.CASCADE, related_name="+")
    answers = models.JSONField()
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["city", "created_at"])]
