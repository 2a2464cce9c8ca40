"""What the permits module provides to the platform (declared in apps.py): its indicators, its entries
in the public service catalogue and the exchange of its permit types with other cities."""

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kotapintar.core.models import City
from kotapintar.core.providers import CatalogueEntry, ExchangeItem, Indicator, Period
from kotapintar.core.services.exchange import departments_of, exchange_item, preview_row, requirements_missing
from kotapintar.core.services.workflow import definition_roles, workflow_adopt, workflow_export
from kotapintar.permits.models import PermitType
from kotapintar.permits.reports import ReportPeriod, permit_report
from kotapintar.permits.selectors import permit_type_catalogue, permit_type_steps
from kotapintar.permits.services.types import permit_type_save


# -- indicators ----------------------------------------------------------------------------------
def indicators(city: City, period: Period) -> list[Indicator]:
    """Decisions taken in the period (median working days, share within the published service time)
    and the IKM of the surveys answered in it: the figures of the DPMPTSP report (permits.reports)."""
    report = permit_report(city=city, period=ReportPeriod(period.start, period.end - datetime.timedelta(days=1)))
    total = report.total
    return [
        Indicator("permits.decision_days_median", gettext_lazy("Median working days to a permit decision"),
                  total.median_working_days, "days", period, "lower",
                  {"decided": total.decided,
                   "by_permit_type": {row.code: row.median_working_days for row in report.rows if row.decided}}),
        Indicator("permits.decisions_within_sla", gettext_lazy("Permit decisions within the service time"),
                  total.sla_compliance, "%", period, "higher",
                  {"decided": total.decided, "within_sla": total.within_sla}),
        Indicator("permits.ikm", gettext_lazy("Permit satisfaction index (IKM)"),
                  total.ikm["score"] if total.ikm else None, "score", period, "higher",
                  {"grade": total.ikm["grade"], "respondents": total.ikm["respondents"]} if total.ikm else {}),
    ]


# -- service catalogue ---------------------------------------------------------------------------
def catalogue(city: City, language: str) -> list[CatalogueEntry]:
    """Every active permit type: requirements from its documents, procedure from its workflow."""
    entries = []
    with translation.override(language):
        for permit_type in permit_type_catalogue(city=city).select_related("workflow"):
            steps = [step.label for step in permit_type_steps(permit_type)]
            entries.append(CatalogueEntry(
                module="permits", code=permit_type.code, name=permit_type.name,
                description=permit_type.description,
                department=permit_type.department.short_name or permit_type.department.name,
                sla_days=permit_type.sla_days,
                fee=permit_type.fee_description or (_("Free") if permit_type.is_free else permit_type.fee_formula),
                requirements=tuple(d.get("label", d["key"]) for d in permit_type.documents),
                url=reverse("permits:type", kwargs={"city": city.slug, "code": permit_type.code}),
                procedure=tuple(steps), service_time=_("%(n)d working days") % {"n": permit_type.sla_days},
                product=permit_type.name,
            ))
    return entries


# -- configuration exchange ----------------------------------------------------------------------
FIELDS = ("name", "description", "form_schema", "documents", "fee_formula", "fee_description", "sla_days",
          "validity_days", "number_format", "certificate_template", "active")


class PermitTypeExchange:
    """Permit types with their form, documents, workflow, fee formula, number format and certificate
    text; the department is named by its kind (`department_kind`)."""

    kinds = ("permit_type",)

    def item(self, permit_type: PermitType, department_kind: str = "") -> ExchangeItem:
        """`department_kind`: what the adopting city maps onto the type's department (default its code)."""
        workflow = permit_type.workflow
        kind = department_kind or permit_type.department.code
        data = {"code": permit_type.code, "department_kind": kind,
                "workflow": workflow_export(workflow),
                **{name: getattr(permit_type, name) for name in FIELDS}}
        requires = {"module:permits", f"department_kind:{kind}",
                    *(f"role:{role}" for role in definition_roles(workflow_export(workflow)["definition"]))}
        return exchange_item(kind="permit_type", key=f"permit_type:{permit_type.code}", label=permit_type.name,
                             data=data, requires=requires)

    def _current(self, city: City, items: list[ExchangeItem]) -> dict[str, PermitType]:
        codes = [item.data["code"] for item in items]
        return {t.code: t for t in PermitType.objects.filter(city=city, code__in=codes)
                .select_related("department", "workflow")}

    def export(self, city: City, keys=None) -> list[ExchangeItem]:
        types = PermitType.objects.filter(city=city).select_related("department", "workflow").order_by("code")
        items = [self.item(permit_type) for permit_type in types]
        return items if keys is None else [item for item in items if item.key in keys]

    def preview(self, city: City, items: list[ExchangeItem], mapping: dict) -> list[dict]:
        current, departments = self._current(city, items), departments_of(city, mapping)
        rows = []
        for item in items:
            permit_type = current.get(item.data["code"])
            if permit_type is not None:
                kind = item.data["department_kind"]
                permit_type = self.item(permit_type, kind if departments(kind) == permit_type.department else "")
            rows.append(preview_row(item, permit_type, requirements_missing(city, item, departments)))
        return rows

    def apply(self, city: City, items: list[ExchangeItem], mapping: dict, *, actor) -> list[PermitType]:
        current, departments = self._current(city, items), departments_of(city, mapping)
        saved = []
        with transaction.atomic():
            for item in items:
                data = item.data
                saved.append(permit_type_save(
                    city=city, actor=actor, code=data["code"], instance=current.get(data["code"]),
                    department=departments(data["department_kind"]),
                    workflow=workflow_adopt(city=city, spec=data["workflow"], actor=actor),
                    **{name: data[name] for name in FIELDS}))
        return saved


exchange = PermitTypeExchange()
