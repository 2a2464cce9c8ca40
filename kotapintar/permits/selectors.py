"""Reads of the permits module, always scoped to a city."""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from kotapintar.core.selectors import workflow_definition
from kotapintar.core.workflow import deadline_flag, inbox, state_label, states
from kotapintar.permits.models import PermitApplication, PermitType


def permit_type_names(city_id: int) -> dict[int, str]:
    """{permit type id: name} of a city, cached (the public status lookup reads it on every request)."""
    key = f"kp:permit-type-names:{city_id}"
    names = cache.get(key)
    if names is None:
        names = dict(PermitType.objects.filter(city_id=city_id).values_list("id", "name"))
        cache.set(key, names, 3600)
    return names


@receiver([post_save, post_delete], sender=PermitType, dispatch_uid="kp_permit_type_names")
def _permit_type_changed(sender, instance, **kwargs):
    cache.delete(f"kp:permit-type-names:{instance.city_id}")


def permit_type_catalogue(*, city):
    return PermitType.objects.filter(city=city, active=True).select_related("department")


def inbox_for(*, city, user):
    """Applications waiting for one of the user's roles (the core role inbox), soonest deadline first."""
    return (inbox(city=city, user=user, model=PermitApplication)
            .select_related("permit_type", "applicant", "assigned_to"))


# The inbox page reads its 50 rows as plain values: no model instances, no form data or permit type JSON.
INBOX_FIELDS = ("pk", "registration_number", "state", "workflow_id", "due_at", "permit_type_id",
                "applicant__full_name", "applicant__username", "assigned_to__full_name", "assigned_to__username")


def inbox_rows(*, city, user, limit: int = 50) -> list[dict]:
    """The first `limit` items of the user's inbox, ready for the page."""
    names, now = permit_type_names(city.pk), timezone.now()
    rows = []
    for item in inbox_for(city=city, user=user).values(*INBOX_FIELDS)[:limit]:
        rows.append({
            "pk": item["pk"], "registration_number": item["registration_number"], "due_at": item["due_at"],
            "permit_type": names.get(item["permit_type_id"], ""), "flag": deadline_flag(item["due_at"], now=now),
            "state": state_label(workflow_definition(item["workflow_id"]), item["state"], model=PermitApplication),
            "applicant": item["applicant__full_name"] or item["applicant__username"],
            "assigned_to": item["assigned_to__full_name"] or item["assigned_to__username"] or "",
        })
    return rows


def applications_of(*, city, user):
    return (PermitApplication.objects.filter(city=city, applicant=user)
            .select_related("permit_type", "workflow").order_by("-created_at"))


def application_by_registration(*, city, number: str):
    """The public status of one application: one indexed query, only the columns the public sees."""
    return (PermitApplication.objects.filter(city=city, registration_number=number)
            .select_related("permit_type")
            .only("registration_number", "state", "submitted_at", "due_at", "workflow_id", "city_id",
                  "permit_type__name")
            .first())


# The public status page reads the few columns the public sees as a plain row of the application table
# alone (one index lookup, no join, no model instance); the permit type's name comes from a cache.
STATUS_FIELDS = ("registration_number", "state", "submitted_at", "due_at", "workflow_id", "permit_type_id")


def application_status_row(*, city_id: int, number: str) -> dict | None:
    """The number is unique in the city (application_unique_regno): no ORDER BY needed, unlike first()."""
    rows = PermitApplication.objects.filter(city_id=city_id, registration_number=number).values(*STATUS_FIELDS)[:1]
    return rows[0] if rows else None


def permit_type_steps(permit_type: PermitType) -> list:
    """The steps an application goes through after the draft, named in the reader's language (the
    catalogue, the reports); a return or a rejection is not a step."""
    return [state for state in states(permit_type.workflow, model=PermitApplication)
            if not state.start and state.name not in ("returned", "rejected")]
