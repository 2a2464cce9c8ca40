"""Reports for the head of DPMPTSP: applications per permit type and status, median working days to
decision, SLA compliance, revenue and IKM, for a period in the city's time zone; as a page, CSV,
Excel and a REST endpoint.

Kept in one module because it is read-only: `ReportPeriodForm` parses the period (shared by the
page, the exports and the API), `permit_report()` computes every figure (the selector), and the
views only present it. What counts where:

- applications: submitted (`submitted_at`) in the period, by their current state; drafts are not
  applications yet and are not counted;
- decisions (median, SLA compliance): decided (`decided_at`) in the period, whenever submitted.
  Working days are counted with the city's calendar as `working_days_between` does (the day of
  submission is day 0); a decision is within the SLA when it took at most the type's published
  `sla_days`;
- revenue: invoices paid (`paid_at`) in the period;
- IKM: surveys answered (`created_at`) in the period (PermenPANRB 14/2017, see services.surveys).

`permit_report()` runs six queries whatever the number of permit types or applications.
"""

import csv
import datetime
import io
import statistics
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import Count, Sum
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError as DrfValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from kotapintar.core.api.permissions import CityRolePermission
from kotapintar.core.models import City
from kotapintar.core.permissions import city_role_required
from kotapintar.core.services.calendar import working_day_counter
from kotapintar.core.workflow import states as workflow_states
from kotapintar.permits.models import Invoice, PermitApplication, PermitType, SatisfactionSurvey
from kotapintar.permits.services.surveys import ikm

REPORT_ROLES = ("permit_head", "permit_admin")
EARLIEST, LATEST = datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)
ONE_DECIMAL, CENTS = Decimal("0.1"), Decimal("0.01")
IKM_GRADE_LABELS = {
    "A": gettext_lazy("very good"),
    "B": gettext_lazy("good"),
    "C": gettext_lazy("less than good"),
    "D": gettext_lazy("not good"),
}


# -- the period ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReportPeriod:
    """Calendar days `start`..`end` (inclusive) in the city's time zone, optionally one permit type."""

    start: datetime.date
    end: datetime.date
    permit_type: PermitType | None = None

    def bounds(self, tz: ZoneInfo) -> tuple[datetime.datetime, datetime.datetime]:
        """[first instant, first instant after the period) as aware datetimes."""
        return (datetime.datetime.combine(self.start, datetime.time.min, tzinfo=tz),
                datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz))

    def query(self) -> dict[str, str]:
        """The URL parameters that select this period again (for the export links)."""
        params = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        if self.permit_type is not None:
            params["type"] = self.permit_type.code
        return params


class ReportPeriodForm(forms.Form):
    """`from`, `to` (YYYY-MM-DD, city time) and `type` (a permit type code). Without dates: the current
    year; with one date only: the rest of that date's year."""

    def __init__(self, *args, city: City, **kwargs):
        super().__init__(*args, **kwargs)
        self.city = city
        date_errors = {"invalid": _("Enter the date as YYYY-MM-DD, for example 2026-01-31.")}
        widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self.fields["from"] = forms.DateField(label=_("From"), required=False, input_formats=["%Y-%m-%d"],
                                              error_messages=date_errors, widget=widget)
        self.fields["to"] = forms.DateField(label=_("To"), required=False, input_formats=["%Y-%m-%d"],
                                            error_messages=date_errors, widget=widget)
        self.fields["type"] = forms.ModelChoiceField(
            label=_("Permit type"), required=False, to_field_name="code", empty_label=_("All permit types"),
            queryset=PermitType.objects.filter(city=city).order_by("name"),
            error_messages={"invalid_choice": _("There is no permit type “%(value)s” in this city.")})

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        start, end = cleaned.get("from"), cleaned.get("to")
        if start is None and end is None:
            year = timezone.now().astimezone(ZoneInfo(self.city.timezone)).year
            start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        elif start is None:
            start = datetime.date(end.year, 1, 1)
        elif end is None:
            end = datetime.date(start.year, 12, 31)
        for name, day in (("from", start), ("to", end)):
            if not EARLIEST <= day <= LATEST:
                self.add_error(name, _("Choose a date between %(a)s and %(b)s.") % {
                    "a": EARLIEST.isoformat(), "b": LATEST.isoformat()})
        if not self.errors and end < start:
            self.add_error("to", _("The end of the period is before its start."))
        cleaned["from"], cleaned["to"] = start, end
        return cleaned

    def period(self) -> ReportPeriod:
        return ReportPeriod(self.cleaned_data["from"], self.cleaned_data["to"], self.cleaned_data.get("type"))


# -- the figures ---------------------------------------------------------------------------------
@dataclass
class StateCount:
    state: str
    label: str
    count: int


@dataclass
class ReportRow:
    """The figures of one permit type (or of all of them: `code` is empty)."""

    code: str
    name: str
    sla_days: int | None
    states: list[StateCount] = field(default_factory=list)
    applications: int = 0
    decided: int = 0
    within_sla: int = 0
    median_working_days: Decimal | None = None
    sla_compliance: Decimal | None = None  # percent
    revenue: Decimal = Decimal("0.00")
    paid_invoices: int = 0
    ikm: dict | None = None  # {"respondents", "ikm", "score", "grade"}

    @property
    def ikm_grade_label(self) -> str:
        return str(IKM_GRADE_LABELS[self.ikm["grade"]]) if self.ikm else ""

    def state_count(self, state: str) -> int | None:
        """None when the state is not part of this type's workflow (an empty cell in the export)."""
        return next((s.count for s in self.states if s.state == state), None)


@dataclass
class PermitReport:
    city: City
    period: ReportPeriod
    rows: list[ReportRow]
    total: ReportRow
    state_codes: list[str]  # every state of the rows, in workflow order (export columns)


def _workflow_states(permit_type: PermitType) -> list[tuple[str, str]]:
    """(state, label) of the type's workflow in its own order, without the start state (drafts)."""
    return [(s.name, s.label) for s in workflow_states(permit_type.workflow, model=PermitApplication) if not s.start]


def _median(values: list[int]) -> Decimal | None:
    if not values:
        return None
    return Decimal(str(statistics.median(values))).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part * 100) / Decimal(whole)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def permit_report(*, city: City, period: ReportPeriod) -> PermitReport:
    """Every figure of the report for one city and period (see the module docstring)."""
    tz = ZoneInfo(city.timezone)
    start, end = period.bounds(tz)
    only_type = {"permit_type": period.permit_type} if period.permit_type else {}

    types = list(PermitType.objects.filter(city=city, **({"pk": period.permit_type.pk} if period.permit_type
                                                          else {}))
                 .select_related("workflow").order_by("name", "pk"))
    counts = {(row["permit_type_id"], row["state"]): row["n"] for row in
              PermitApplication.objects.filter(city=city, submitted_at__gte=start, submitted_at__lt=end, **only_type)
              .values("permit_type_id", "state").annotate(n=Count("pk")).order_by()}
    decisions = list(PermitApplication.objects.filter(
        city=city, decided_at__gte=start, decided_at__lt=end, submitted_at__isnull=False, **only_type)
        .values_list("permit_type_id", "submitted_at", "decided_at"))
    revenue = {row["application__permit_type_id"]: row for row in
               Invoice.objects.filter(city=city, status=Invoice.Status.PAID, paid_at__gte=start, paid_at__lt=end,
                                      **{f"application__{k}": v for k, v in only_type.items()})
               .values("application__permit_type_id").annotate(total=Sum("amount"), n=Count("pk")).order_by()}
    surveys: dict[int, list] = {}
    for type_id, answers in SatisfactionSurvey.objects.filter(
            city=city, created_at__gte=start, created_at__lt=end, **only_type).values_list("permit_type_id", "answers"):
        surveys.setdefault(type_id, []).append(SimpleNamespace(answers=answers))

    durations: dict[int, list[int]] = {}
    if decisions:
        local = [(t, s.astimezone(tz).date(), d.astimezone(tz).date()) for t, s, d in decisions]
        count = working_day_counter(city, min(min(s, d) for _t, s, d in local), max(max(s, d) for _t, s, d in local))
        for type_id, submitted, decided in local:
            durations.setdefault(type_id, []).append(count(submitted, decided))

    rows, state_codes = [], []
    for permit_type in types:
        known = _workflow_states(permit_type)
        known += [(state, state) for (type_id, state) in counts
                  if type_id == permit_type.pk and state not in {s for s, _label in known}]
        states = [StateCount(state, label, counts.get((permit_type.pk, state), 0)) for state, label in known]
        state_codes += [s.state for s in states if s.state not in state_codes]
        days = durations.get(permit_type.pk, [])
        within = sum(1 for d in days if d <= permit_type.sla_days)
        paid = revenue.get(permit_type.pk, {})
        rows.append(ReportRow(
            code=permit_type.code, name=permit_type.name, sla_days=permit_type.sla_days, states=states,
            applications=sum(s.count for s in states), decided=len(days), within_sla=within,
            median_working_days=_median(days), sla_compliance=_percent(within, len(days)),
            revenue=(paid.get("total") or Decimal(0)).quantize(CENTS), paid_invoices=paid.get("n", 0),
            ikm=ikm(surveys.get(permit_type.pk, [])),
        ))

    all_days = [d for row_days in durations.values() for d in row_days]
    total_within = sum(row.within_sla for row in rows)
    total = ReportRow(
        code="", name=_("All permit types"), sla_days=None,
        states=[StateCount(code, code, sum(row.state_count(code) or 0 for row in rows)) for code in state_codes],
        applications=sum(row.applications for row in rows), decided=sum(row.decided for row in rows),
        within_sla=total_within, median_working_days=_median(all_days),
        sla_compliance=_percent(total_within, sum(row.decided for row in rows)),
        revenue=sum((row.revenue for row in rows), Decimal("0.00")),
        paid_invoices=sum(row.paid_invoices for row in rows),
        ikm=ikm([s for type_surveys in surveys.values() for s in type_surveys]),
    )
    return PermitReport(city=city, period=period, rows=rows, total=total, state_codes=state_codes)


# -- exports -------------------------------------------------------------------------------------
def _text(value: str) -> str:
    """Text a spreadsheet must not run as a formula (CSV/formula injection through a type's name)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _number(value):
    return "" if value is None else value


CSV_COLUMNS = ["applications", "decided", "median_working_days", "sla_days", "within_sla", "sla_compliance_percent",
               "revenue_idr", "paid_invoices", "ikm_score", "ikm_grade", "ikm_respondents"]


def _summary_values(row: ReportRow) -> list:
    return [row.applications, row.decided, row.median_working_days, row.sla_days, row.within_sla,
            row.sla_compliance, row.revenue, row.paid_invoices, row.ikm["score"] if row.ikm else None,
            row.ikm["grade"] if row.ikm else None, row.ikm["respondents"] if row.ikm else 0]


def report_csv(report: PermitReport) -> str:
    """One row per permit type and a total row. Column names are stable identifiers (not translated):
    `state_<code>` columns count applications per workflow state (empty: not in that type's workflow)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["period_from", "period_to", "permit_type", "permit_type_name",
                     *[f"state_{code}" for code in report.state_codes], *CSV_COLUMNS])
    for row in [*report.rows, report.total]:
        writer.writerow([report.period.start.isoformat(), report.period.end.isoformat(), row.code, _text(row.name),
                         *[_number(row.state_count(code)) for code in report.state_codes],
                         *[_number(value) for value in _summary_values(row)]])
    return buffer.getvalue()


def report_xlsx(report: PermitReport) -> bytes:
    """Sheet 1: the summary per permit type (same figures as the CSV); sheet 2: applications per type
    and status with the status labels of each type's workflow."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Summary")[:31]
    sheet.append([_("Permit report — %(city)s") % {"city": report.city.name}])
    sheet.append([_("Period"), report.period.start, report.period.end])
    sheet.append([_("Permit type"), _text(report.period.permit_type.name) if report.period.permit_type
                  else _("All permit types")])
    sheet.append([])
    headers = [_("Code"), _("Permit type"), _("Applications"), _("Decided"), _("Median working days to decision"),
               _("Published service time (working days)"), _("Decided within the service time"),
               _("SLA compliance (%)"), _("Revenue (Rp)"), _("Paid invoices"), _("IKM score"), _("IKM grade"),
               _("IKM respondents")]
    sheet.append(headers)
    header_row = sheet.max_row
    for row in [*report.rows, report.total]:
        sheet.append([row.code or None, _text(row.name), *_summary_values(row)])
    for cells in sheet.iter_rows(min_row=header_row + 1, max_row=sheet.max_row):
        cells[8].number_format = '"Rp" #,##0'
    for cell in (*sheet[1], *sheet[header_row], *sheet[sheet.max_row]):
        cell.font = bold
    for cell in sheet[2][1:]:
        cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=3)
    for index, width in enumerate([12, 44, 14, 10, 16, 16, 16, 14, 18, 12, 10, 10, 12], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width

    by_state = workbook.create_sheet(_("By status")[:31])
    by_state.append([_("Code"), _("Permit type"), _("Status code"), _("Status"), _("Applications")])
    for row in report.rows:
        for state in row.states:
            by_state.append([row.code, _text(row.name), state.state, _text(state.label), state.count])
    for cell in by_state[1]:
        cell.font = bold
    for index, width in enumerate([12, 44, 20, 36, 14], start=1):
        by_state.column_dimensions[get_column_letter(index)].width = width

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _filename(report: PermitReport, extension: str) -> str:
    suffix = f"-{report.period.permit_type.code}" if report.period.permit_type else ""
    return (f"permit-report-{report.city.slug}-{report.period.start.isoformat()}-{report.period.end.isoformat()}"
            f"{suffix}.{extension}")


# -- pages ---------------------------------------------------------------------------------------
def _report_from_request(request) -> tuple[ReportPeriodForm, PermitReport | None]:
    form = ReportPeriodForm(request.GET, city=request.city)
    if not form.is_valid():
        return form, None
    return form, permit_report(city=request.city, period=form.period())


def _bad_period(form: ReportPeriodForm) -> HttpResponseBadRequest:
    lines = [f"{name}: {message}" for name, messages in form.errors.items() for message in messages]
    return HttpResponseBadRequest("\n".join(lines), content_type="text/plain; charset=utf-8")


@city_role_required(*REPORT_ROLES)
def report_page(request, city):
    form, report = _report_from_request(request)
    if report is not None:  # show the period actually reported (defaults filled in)
        form = ReportPeriodForm(initial={"from": report.period.start, "to": report.period.end,
                                         "type": report.period.permit_type}, city=request.city)
    return render(request, "permits/reports.html", {
        "form": form, "report": report, "export_query": urlencode(report.period.query()) if report else "",
        "grades": list(IKM_GRADE_LABELS.items()),
    })


@city_role_required(*REPORT_ROLES)
def report_csv_download(request, city):
    form, report = _report_from_request(request)
    if report is None:
        return _bad_period(form)
    response = HttpResponse("\ufeff" + report_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, "csv")}"'
    return response


@city_role_required(*REPORT_ROLES)
def report_xlsx_download(request, city):
    form, report = _report_from_request(request)
    if report is None:
        return _bad_period(form)
    response = HttpResponse(report_xlsx(report),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, "xlsx")}"'
    return response


# -- API -----------------------------------------------------------------------------------------
class ReportStateSerializer(serializers.Serializer):
    state = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class ReportIkmSerializer(serializers.Serializer):
    respondents = serializers.IntegerField()
    ikm = serializers.DecimalField(max_digits=5, decimal_places=3, help_text="Average of the element averages (1-4).")
    score = serializers.DecimalField(max_digits=5, decimal_places=2, help_text="Converted IKM (IKM x 25), 25-100.")
    grade = serializers.ChoiceField(choices=list(IKM_GRADE_LABELS))


class ReportRowSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Permit type code; empty in the total row.")
    name = serializers.CharField()
    sla_days = serializers.IntegerField(allow_null=True, help_text="Published service time in working days.")
    states = ReportStateSerializer(many=True, help_text="Applications submitted in the period, by current state.")
    applications = serializers.IntegerField()
    decided = serializers.IntegerField(help_text="Applications decided in the period.")
    within_sla = serializers.IntegerField()
    median_working_days = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    sla_compliance = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True,
                                              help_text="Percent of decisions within the published service time.")
    revenue = serializers.DecimalField(max_digits=18, decimal_places=2, help_text="Rupiah paid in the period.")
    paid_invoices = serializers.IntegerField()
    ikm = ReportIkmSerializer(allow_null=True)


class PermitReportSerializer(serializers.Serializer):
    period_from = serializers.DateField(source="period.start")
    period_to = serializers.DateField(source="period.end")
    permit_type = serializers.CharField(source="period.permit_type.code", allow_null=True, default=None)
    types = ReportRowSerializer(source="rows", many=True)
    total = ReportRowSerializer()


class PermitReportView(APIView):
    """Report for the head of DPMPTSP: per permit type, applications by state (submitted in the period),
    median working days to decision and SLA compliance (decided in the period), revenue (paid in the
    period) and IKM (surveys in the period). Dates are days in the city's time zone; without dates the
    current year."""

    permission_classes = [CityRolePermission]
    read_roles = REPORT_ROLES

    @extend_schema(
        responses={200: PermitReportSerializer, 400: OpenApiResponse(
            description="A bad date, a period that ends before it starts, or an unknown permit type: "
                        "the messages per parameter, e.g. {\"from\": [\"Enter the date as YYYY-MM-DD...\"]}.")},
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="First day (YYYY-MM-DD), city time."),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (YYYY-MM-DD), inclusive."),
            OpenApiParameter("type", str, description="Only this permit type (its code)."),
        ],
    )
    def get(self, request, city):
        form = ReportPeriodForm(request.query_params, city=request.city)
        if not form.is_valid():
            raise DrfValidationError({name: list(messages) for name, messages in form.errors.items()})
        report = permit_report(city=request.city, period=form.period())
        return Response(PermitReportSerializer(report).data)
