"""Reads of the complaints module, always scoped to a city."""

import datetime
import statistics
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from kotapintar.complaints.models import Complaint, ComplaintCategory, ComplaintUpdate
from kotapintar.complaints.workflow import CLOSED_STATES, OFFICIALS, OPEN_STATES, SUPERVISOR, VERIFIER
from kotapintar.core import geo
from kotapintar.core.indicators import catalogue_entries
from kotapintar.core.models import City
from kotapintar.core.selectors import user_roles
from kotapintar.core.services.calendar import working_day_counter
from kotapintar.core.workflow import deadline_flag, inbox

PUBLIC_LIST_FIELDS = ("id", "city_id", "tracking_number", "category_id", "department_id", "state", "description",
                      "lat", "lng", "address", "district_id", "village_id", "status_notes", "supporters",
                      "created_at", "updated_at", "due_at", "photo_id", "visibility", "duplicate_of_id", "workflow_id")


def category_by_code(city: City, code: str) -> ComplaintCategory | None:
    """An active category of the city by its code (the Open311 service_code), cached until it changes."""
    key = f"kp:complaint-category:{city.pk}:{code}"
    category = cache.get(key)
    if category is None:
        category = ComplaintCategory.objects.filter(city=city, code=code, active=True).first()
        if category is not None:
            cache.set(key, category, 300)
    return category


def category_cache_forget(city: City, codes: list[str]) -> None:
    """For changes that send no signal (bulk saves)."""
    cache.delete_many([f"kp:complaint-category:{city.pk}:{code}" for code in codes])


@receiver([post_save, post_delete], sender=ComplaintCategory, dispatch_uid="kp_complaint_category_cache")
def _category_changed(sender, instance, **kwargs):
    cache.delete(f"kp:complaint-category:{instance.city_id}:{instance.code}")


def categories_of(city: City, *, active_only: bool = True):
    qs = ComplaintCategory.objects.filter(city=city).select_related("department")
    return qs.filter(active=True) if active_only else qs


def public_complaints(city: City):
    """Reports everyone may see: confirmed, not confidential, not hidden by a moderator."""
    return (Complaint.objects.filter(city=city, hidden=False)
            .exclude(state="unconfirmed").exclude(visibility=Complaint.Visibility.CONFIDENTIAL))


def public_complaints_filtered(city: City, *, category: str = "", state: str = "", district: str = "",
                               start: datetime.datetime | None = None, end: datetime.datetime | None = None):
    """The public list and map: filters by category code, state (or `open`/`closed`), kecamatan code
    and period (on the date of the report)."""
    qs = public_complaints(city).select_related("category", "district").only(
        *PUBLIC_LIST_FIELDS, "category__code", "category__name", "district__name", "district__code")
    if category:
        qs = qs.filter(category__code=category)
    if state == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif state == "closed":
        qs = qs.filter(state__in=CLOSED_STATES)
    elif state:
        qs = qs.filter(state=state)
    if district:
        qs = qs.filter(district__code=district)
    if start:
        qs = qs.filter(created_at__gte=start)
    if end:
        qs = qs.filter(created_at__lt=end)
    return qs.order_by("-created_at")


def complaint_by_tracking(city: City, tracking: str) -> Complaint | None:
    return (Complaint.objects.filter(city=city, tracking_number=tracking.strip().upper())
            .select_related("category", "department", "district", "village", "workflow", "reporter", "assigned_to",
                            "duplicate_of", "city").first())


def complaints_nearby(city: City, lat: float, lng: float, *, metres: float = 50, category=None, limit: int = 10):
    """Open public reports within `metres` of a point, nearest first (for "support instead of a
    duplicate"). One indexed query on (city, lat, lng), then the exact distance in Python."""
    lat_min, lat_max, lng_min, lng_max = geo.bounding_box(lat, lng, metres)
    qs = (public_complaints(city).filter(state__in=OPEN_STATES, lat__range=(lat_min, lat_max),
                                         lng__range=(lng_min, lng_max))
          .select_related("category").only(*PUBLIC_LIST_FIELDS, "category__name", "category__code"))
    if category is not None:
        qs = qs.filter(category=category)
    found = []
    for complaint in qs[:500]:
        complaint.distance_m = geo.distance_m(lat, lng, complaint.lat, complaint.lng)
        if complaint.distance_m <= metres:
            found.append(complaint)
    found.sort(key=lambda c: c.distance_m)
    return found[:limit]


def public_updates(complaint: Complaint):
    return complaint.updates.filter(hidden=False).exclude(kind=ComplaintUpdate.Kind.NOTE).select_related("photo")


def complaint_updates_for(complaint: Complaint, user):
    """Complaint officials see everything, the public only replies, status changes and the reporter's
    additions (officials of other modules are the public here)."""
    if user_roles(user, complaint.city) & set(OFFICIALS):
        return complaint.updates.select_related("author", "photo")
    return public_updates(complaint).select_related("author")


def complaints_of(user):
    return (Complaint.objects.filter(reporter=user).select_related("category", "city")
            .order_by("-created_at"))


def queue_for(*, city: City, user, which: str = ""):
    """An official's work, from the core role inbox (open reports in a state where one of the user's
    roles has an action): verifiers and supervisors see every open report (`which="verify"`: those to
    verify); officers see their department's reports and what is assigned to them."""
    where = Q(state__in=OPEN_STATES)
    if user_roles(user, city) & {VERIFIER, SUPERVISOR}:
        if which == "verify":
            where &= Q(state="submitted")
    else:
        departments = [m.department_id for m in user.memberships.filter(city=city, role="complaint_officer")
                       if m.department_id]
        where &= Q(department_id__in=departments) | Q(assigned_to=user)
    return (inbox(city=city, user=user, model=Complaint, where=where)
            .select_related("category", "department", "district", "assigned_to"))


def complaint_deadline_flag(complaint: Complaint, now=None) -> str:
    """The core deadline flag of an open report (a resolved report's deadline is the reporter's)."""
    return deadline_flag(complaint.due_at if complaint.state in OPEN_STATES else None, now=now)


@dataclass
class Stats:
    total: int
    per_category: list[dict]
    per_state: dict[str, int]
    median_days_to_resolve: float | None
    per_department: list[dict]
    average_rating: float | None


def complaint_stats(city: City, *, start: datetime.datetime, end: datetime.datetime, now=None) -> Stats:
    """Public statistics of the reports filed in [start, end): counts per category and state, median
    working days from report to resolution, and per department the share handled within the SLA (a
    report is late when an official acted after a deadline, or it is still open past one)."""
    now = now or timezone.now()
    qs = public_complaints(city).filter(created_at__gte=start, created_at__lt=end)
    per_state = dict(qs.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    per_category = list(qs.values("category__code", "category__name").annotate(n=Count("id")).order_by("-n"))
    open_late = Q(state__in=OPEN_STATES, due_at__lt=now)
    per_department = []
    for row in (qs.exclude(state__in=("rejected", "duplicate"))
                .values("department__short_name", "department__name")
                .annotate(n=Count("id"), late=Count("id", filter=Q(late=True) | open_late))
                .order_by("department__name")):
        row["on_time_pct"] = round(100 * (row["n"] - row["late"]) / row["n"], 1) if row["n"] else None
        per_department.append(row)
    resolved = list(qs.exclude(resolved_at=None).values_list("created_at", "resolved_at"))
    median = None
    if resolved:
        from zoneinfo import ZoneInfo

        zone = ZoneInfo(city.timezone)
        first = min(c for c, _r in resolved).astimezone(zone).date()
        last = max(r for _c, r in resolved).astimezone(zone).date()
        count = working_day_counter(city, first, last)
        median = statistics.median(count(c.astimezone(zone).date(), r.astimezone(zone).date()) for c, r in resolved)
    ratings = [r for r in qs.exclude(rating=None).values_list("rating", flat=True)]
    return Stats(total=sum(per_state.values()), per_category=per_category, per_state=per_state,
                 median_days_to_resolve=median, per_department=per_department,
                 average_rating=round(sum(ratings) / len(ratings), 2) if ratings else None)


# -- public service catalogue --------------------------------------------------------------------
@dataclass
class CatalogueEntry:
    code: str
    name: str
    department: str
    requirements: list[str]
    procedure: list[str]
    service_time: str
    cost: str
    product: str
    complaint_channel: str
    source: str  # the module that offers the service: "complaints" (a service standard), "permits", ...
    url: str = ""


def service_catalogue(city: City, *, complaint_channel: str, language: str = "id") -> list[CatalogueEntry]:
    """The city's standar pelayanan: the entries every module switched on provides (this module its
    service standards, the permits module its permit types, ...), with where to complain."""
    from django.utils.translation import gettext as _

    return [CatalogueEntry(e.code, e.name, e.department, list(e.requirements), list(e.procedure),
                           e.service_time or (_("%(n)d working days") % {"n": e.sla_days} if e.sla_days else ""),
                           e.fee, e.product or e.name, complaint_channel, e.module, e.url)
            for e in catalogue_entries(city, language)]
