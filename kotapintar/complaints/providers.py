"""What the complaints module provides to the platform (declared in apps.py): its indicators, the map
of open reports, its service standards in the public service catalogue and the exchange of its
categories and service standards with other cities."""

import statistics
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count
from django.utils import translation
from django.utils.translation import gettext_lazy

from kotapintar.complaints.models import Complaint, ComplaintCategory, ServiceStandard
from kotapintar.complaints.selectors import public_complaints
from kotapintar.complaints.services.categories import categories_save
from kotapintar.complaints.services.standards import service_standard_save
from kotapintar.complaints.views import MARKER_COLOURS
from kotapintar.complaints.workflow import COLOURS, OPEN_STATES
from kotapintar.core.indicators import period_bounds
from kotapintar.core.models import City
from kotapintar.core.providers import CatalogueEntry, ExchangeItem, Indicator, MapLayer, Period
from kotapintar.core.services.calendar import working_day_counter
from kotapintar.core.services.exchange import departments_of, exchange_item, preview_row, requirements_missing
from kotapintar.core.workflow import state_label

MAP_LIMIT = 1000  # the newest open reports drawn on a wall map


# -- indicators ----------------------------------------------------------------------------------
def indicators(city: City, period: Period) -> list[Indicator]:
    """Of the public reports (confirmed, not confidential, not hidden): those filed in the period and
    still open, by category and kecamatan; of those resolved in the period, the share resolved without
    missing a deadline and the median working days from report to resolution."""
    start, end = period_bounds(city, period)
    still_open = public_complaints(city).filter(created_at__gte=start, created_at__lt=end, state__in=OPEN_STATES)
    by_category = dict(still_open.values_list("category__code").annotate(n=Count("id")).order_by())
    by_district = {name or "": n for name, n in
                   still_open.values_list("district__name").annotate(n=Count("id")).order_by()}
    resolved = list(public_complaints(city).filter(resolved_at__gte=start, resolved_at__lt=end)
                    .values_list("created_at", "resolved_at", "late"))
    on_time = median = None
    if resolved:
        on_time = round(100 * sum(1 for *_dates, late in resolved if not late) / len(resolved), 1)
        zone = ZoneInfo(city.timezone)
        days = [(c.astimezone(zone).date(), r.astimezone(zone).date()) for c, r, _late in resolved]
        count = working_day_counter(city, min(c for c, _r in days), max(r for _c, r in days))
        median = statistics.median(count(c, r) for c, r in days)
    return [
        Indicator("complaints.open", gettext_lazy("Reports filed in the period and still open"),
                  sum(by_category.values()), "count", period, "lower",
                  {"by_category": by_category, "by_district": by_district}),
        Indicator("complaints.resolved_within_sla", gettext_lazy("Reports resolved within the service time"),
                  on_time, "%", period, "higher", {"resolved": len(resolved)}),
        Indicator("complaints.resolution_days_median", gettext_lazy("Median working days to resolve a report"),
                  median, "days", period, "lower", {"resolved": len(resolved)}),
    ]


# -- map layers ----------------------------------------------------------------------------------
def map_layers(city: City) -> list[MapLayer]:
    """Open public reports (never confidential or hidden ones, nor who reported or what they wrote),
    coloured by state as on the public map (LAPOR!: red waiting, yellow being handled)."""
    rows = (public_complaints(city).filter(state__in=OPEN_STATES).order_by("-created_at")
            .values_list("tracking_number", "lat", "lng", "state", "category__name", "address")[:MAP_LIMIT])
    features = []
    for tracking, lat, lng, state, category, address in rows:
        colour, label = MARKER_COLOURS[COLOURS.get(state, "grey")], str(state_label(Complaint, state))
        features.append({
            "type": "Feature", "geometry": {"type": "Point", "coordinates": [lng, lat]},
            "properties": {"tracking_number": tracking, "category": category, "state": state,
                           "style": {"color": colour, "fillColor": colour},
                           "popup": " · ".join(filter(None, [tracking, category, label, address]))},
        })
    return [MapLayer("complaints.open", gettext_lazy("Open reports"),
                     {"type": "FeatureCollection", "features": features},
                     {"radius": 6, "weight": 1, "fillOpacity": 0.8})]


# -- service catalogue ---------------------------------------------------------------------------
def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def catalogue(city: City, language: str) -> list[CatalogueEntry]:
    """The city's published service standards (standar pelayanan)."""
    with translation.override(language):
        return [CatalogueEntry(module="complaints", code=s.code, name=s.name,
                               department=s.department.short_name or s.department.name, fee=s.cost,
                               requirements=_lines(s.requirements), procedure=_lines(s.procedure),
                               service_time=s.service_time, product=s.product)
                for s in ServiceStandard.objects.filter(city=city, active=True).select_related("department")]


# -- configuration exchange ----------------------------------------------------------------------
CATEGORY_FIELDS = ("name", "description", "group", "keywords", "questions", "active")
STANDARD_FIELDS = ("name", "requirements", "procedure", "service_time", "cost", "product", "complaint_channel",
                   "active")


class ComplaintsExchange:
    """Complaint categories (questions, routing to a department kind) and service standards."""

    kinds = ("complaint_category", "service_standard")
    models = {"complaint_category": (ComplaintCategory, CATEGORY_FIELDS),
              "service_standard": (ServiceStandard, STANDARD_FIELDS)}

    def item(self, kind: str, obj, department_kind: str = "") -> ExchangeItem:
        """`department_kind`: what the adopting city maps onto the object's department (default its code)."""
        kind_of_department = department_kind or obj.department.code
        data = {"code": obj.code, "department_kind": kind_of_department,
                **{name: getattr(obj, name) for name in self.models[kind][1]}}
        return exchange_item(kind=kind, key=f"{kind}:{obj.code}", label=obj.name, data=data,
                             requires={"module:complaints", f"department_kind:{kind_of_department}"})

    def _current(self, city: City, items: list[ExchangeItem]) -> dict[tuple[str, str], object]:
        current = {}
        for kind, (model, _fields) in self.models.items():
            codes = [item.data["code"] for item in items if item.kind == kind]
            if codes:
                current.update({(kind, obj.code): obj for obj in model.objects.filter(city=city, code__in=codes)
                                .select_related("department")})
        return current

    def export(self, city: City, keys=None) -> list[ExchangeItem]:
        items = []
        for kind, (model, _fields) in self.models.items():
            items += [self.item(kind, obj) for obj in
                      model.objects.filter(city=city).select_related("department").order_by("code")]
        return items if keys is None else [item for item in items if item.key in keys]

    def preview(self, city: City, items: list[ExchangeItem], mapping: dict) -> list[dict]:
        current, departments = self._current(city, items), departments_of(city, mapping)
        rows = []
        for item in items:
            obj = current.get((item.kind, item.data["code"]))
            if obj is not None:
                kind = item.data["department_kind"]
                obj = self.item(item.kind, obj, kind if departments(kind) == obj.department else "")
            rows.append(preview_row(item, obj, requirements_missing(city, item, departments)))
        return rows

    def apply(self, city: City, items: list[ExchangeItem], mapping: dict, *, actor) -> list:
        current, departments = self._current(city, items), departments_of(city, mapping)
        categories = [{"code": item.data["code"], "department": departments(item.data["department_kind"]),
                       **{name: item.data[name] for name in CATEGORY_FIELDS}}
                      for item in items if item.kind == "complaint_category"]
        with transaction.atomic():
            saved = categories_save(city=city, actor=actor, categories=categories) if categories else []
            for item in items:
                if item.kind == "service_standard":
                    data = item.data
                    saved.append(service_standard_save(
                        city=city, actor=actor, code=data["code"], department=departments(data["department_kind"]),
                        instance=current.get((item.kind, data["code"])),
                        **{name: data[name] for name in STANDARD_FIELDS}))
        return saved


exchange = ComplaintsExchange()
