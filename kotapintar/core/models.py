"""Core data: cities (tenants), their regions and departments, people and roles, module activation,
the audit log, the working-day calendar, workflows, documents and notifications.

Models hold data only; every write goes through `kotapintar.core.services`.
"""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from kotapintar.core.validators import validate_color, validate_nik, validate_slug_not_reserved

TIMEZONE_CHOICES = [
    ("Asia/Jakarta", "WIB (Asia/Jakarta)"),
    ("Asia/Pontianak", "WIB (Asia/Pontianak)"),
    ("Asia/Makassar", "WITA (Asia/Makassar)"),
    ("Asia/Jayapura", "WIT (Asia/Jayapura)"),
]


class City(models.Model):
    """A city government (Pemkot): the tenant that owns every other row."""

    slug = models.SlugField(unique=True, validators=[validate_slug_not_reserved])
    name = models.CharField(_("name"), max_length=120)
    region_code = models.CharField(_("Kemendagri region code"), max_length=5, unique=True)
    province_code = models.CharField(max_length=2)
    province_name = models.CharField(_("province"), max_length=120)
    timezone = models.CharField(_("time zone"), max_length=40, choices=TIMEZONE_CHOICES)
    locale = models.CharField(_("default language"), max_length=5, default="id")
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    primary_color = models.CharField(max_length=7, default="#0b5394", validators=[validate_color])
    secondary_color = models.CharField(max_length=7, default="#f1c232", validators=[validate_color])
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    address = models.CharField(max_length=255, blank=True)
    website = models.URLField(blank=True)
    # Where the city is: its centre, and its boundary (a GeoJSON Polygon or MultiPolygon) when the
    # administrator has loaded one; without a boundary, `radius_km` around the centre stands in for it.
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    radius_km = models.FloatField(_("radius (km)"), default=12)
    boundary = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "cities"

    def __str__(self):
        return self.name


class CityDomain(models.Model):
    """A custom host name that serves exactly one city (e.g. `smartcity.bandung.go.id`).

    A claim is pending until the city proves control of the domain (the platform finds `token` at
    `http://<domain>/.well-known/kotapintar-domain-verification.txt`); only verified domains route, and
    a domain is verified for at most one city (pending claims of others do not block its owner)."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253)
    token = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(fields=["city", "domain"], name="city_domain_unique_claim"),
            models.UniqueConstraint(fields=["domain"], condition=models.Q(verified_at__isnull=False),
                                    name="city_domain_unique_verified"),
        ]

    def __str__(self):
        return self.domain


class District(models.Model):
    """A kecamatan of the city, from the Kemendagri region data."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="districts")
    code = models.CharField(max_length=8)
    name = models.CharField(max_length=120)
    lat = models.FloatField(null=True, blank=True)  # centroid, when known
    lng = models.FloatField(null=True, blank=True)
    boundary = models.JSONField(null=True, blank=True)  # GeoJSON Polygon or MultiPolygon, when loaded

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["city", "code"], name="district_unique_code")]

    def __str__(self):
        return self.name


class Village(models.Model):
    """A kelurahan (code x.x.x.1xxx) or desa (x.x.x.2xxx) of a district."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="villages")
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="villages")
    code = models.CharField(max_length=13)
    name = models.CharField(max_length=120)
    lat = models.FloatField(null=True, blank=True)  # centroid, when known
    lng = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["city", "code"], name="village_unique_code")]

    def __str__(self):
        return self.name


class Department(models.Model):
    """A city department (OPD / SKPD), e.g. DPMPTSP or Dinas PUPR."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="departments")
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=40)
    bidang_urusan = models.JSONField(default=list, blank=True, help_text="Codes such as ['1.03'].")
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["city", "code"], name="department_unique_code")]

    def __str__(self):
        return self.short_name or self.name


class User(AbstractUser):
    """One account per person. Citizens are not bound to a city; officials hold memberships."""

    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    nik = models.CharField(
        _("NIK"), max_length=16, unique=True, null=True, blank=True, validators=[validate_nik]
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    language = models.CharField(_("language"), max_length=5, default="id")

    def __str__(self):
        return self.full_name or self.username

    @property
    def display_name(self):
        return self.full_name or self.username


class ApiToken(models.Model):
    """A personal API token. Only the SHA-256 digest of the key is stored (the key is shown once); it
    may read, or read and write; it expires; and it is bound to the password it was issued under, so a
    password change or reset revokes it."""

    class Scope(models.TextChoices):
        READ = "read", _("read")
        READ_WRITE = "read write", _("read and write")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80, blank=True)
    prefix = models.CharField(max_length=8)
    digest = models.CharField(max_length=64, unique=True)
    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices, default=Scope.READ_WRITE)
    password_check = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))

    class Meta:
        ordering = ["-created_at"]


class Membership(models.Model):
    """An official's role in one city, optionally within one department."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=40)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "city", "role", "department"], name="membership_unique"),
        ]
        indexes = [models.Index(fields=["city", "role"])]

    def __str__(self):
        return f"{self.user} · {self.role} · {self.city}"


class ModuleActivation(models.Model):
    """Switches one module on or off for one city, with the city's configuration for it."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="module_activations")
    module_id = models.CharField(max_length=40)
    enabled = models.BooleanField(default=False)
    config = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["city", "module_id"], name="module_activation_unique")]


class AuditChain(models.Model):
    """Head of one hash chain: one per city, plus `global` for platform-wide events."""

    key = models.CharField(max_length=40, unique=True)
    seq = models.PositiveBigIntegerField(default=0)
    head_hash = models.CharField(max_length=64, default="0" * 64)


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit log is append-only.")

    def delete(self):
        raise PermissionError("The audit log is append-only.")


class AuditEntry(models.Model):
    """One state change, hash-chained to the entry before it in the same chain."""

    chain = models.CharField(max_length=40)
    seq = models.PositiveBigIntegerField()
    city = models.ForeignKey(City, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The actor's id as written: hashed instead of `actor`, which becomes NULL when the account is deleted.
    actor_ref = models.PositiveBigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["chain", "seq"]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq_unique")]
        indexes = [models.Index(fields=["city", "-created_at"])]


class CityDayOff(models.Model):
    """A day the city's offices are closed beyond national holidays (cuti bersama, local holidays)."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="days_off")
    date = models.DateField()
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["city", "date"], name="city_day_off_unique")]


class WorkflowDefinition(models.Model):
    """A validated, versioned workflow (states, actions, roles, SLA) of one city."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="workflows")
    key = models.CharField(max_length=80)
    version = models.PositiveIntegerField(default=1)
    name = models.CharField(max_length=200)
    definition = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["city", "key", "version"], name="workflow_version_unique")]

    def __str__(self):
        return f"{self.name} v{self.version}"


class WorkflowSubject(models.Model):
    """Abstract base for anything that runs on a workflow (permit applications, complaints)."""

    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="+")
    workflow = models.ForeignKey(WorkflowDefinition, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=40, db_index=True)
    state_entered_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    escalated = models.BooleanField(default=False)

    class Meta:
        abstract = True


class WorkflowTransition(models.Model):
    """History: one action taken on one workflow subject."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    subject_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    action = models.CharField(max_length=40)
    from_state = models.CharField(max_length=40)
    to_state = models.CharField(max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    role = models.CharField(max_length=40, blank=True)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]


class Document(models.Model):
    """An uploaded file: sniffed, size-limited, stored under a random name outside public roots."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="documents")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=60, blank=True)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=100, unique=True)
    subject_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE)
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["subject_type", "subject_id"])]


class Notification(models.Model):
    """A message to one person over one channel, kept as a record of what was sent."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    city = models.ForeignKey(City, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE)
    channel = models.CharField(max_length=20)
    recipient = models.CharField(max_length=254)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"])]
