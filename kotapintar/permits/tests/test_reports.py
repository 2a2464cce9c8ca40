"""Reports for the head of DPMPTSP: the figures (counts per state, median working days across a weekend
and a national holiday, SLA compliance, revenue, IKM), the period in the city's time zone, the CSV and
Excel exports, the API, and who may see them.

The data set is August 2026 in Bandung (WIB). Monday 17 August 2026 is Independence Day.
"""

import csv
import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from kotapintar.core.models import CityDayOff
from kotapintar.core.services.calendar import working_day_counter, working_days_between
from kotapintar.core.testing import Endpoint, ModuleEndpointTests, make_city, make_user, set_module
from kotapintar.permits.demo import fill_application, install_standard_types
from kotapintar.permits.models import Invoice, PermitApplication, SatisfactionSurvey
from kotapintar.permits.reports import (
    REPORT_ROLES,
    ReportPeriod,
    permit_report,
    report_csv,
)
from kotapintar.permits.services.applications import application_act, application_submit
from kotapintar.permits.services.payments import payment_callback_process, simulated_bank_callback
from kotapintar.permits.services.surveys import survey_submit

WIB = ZoneInfo("Asia/Jakarta")
AUGUST = {"from": "2026-08-01", "to": "2026-08-31"}


def wib(month, day, hour=10, minute=0):
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=WIB)


@pytest.fixture
def head(bandung):
    return make_user("kepala", city=bandung, roles=["permit_head"])


@pytest.fixture
def august(bandung):
    """Applications of every kind around August 2026; returns them by name."""
    types = {t.code: t for t in bandung.permit_types.all()}
    warga = make_user("warga", full_name="Siti Rahmawati")
    officials = {role: make_user(role, city=bandung, roles=[role])
                 for role in ("permit_verifier", "permit_inspector", "permit_head")}

    def submit(code, when):
        application = application_submit(application=fill_application(types[code], warga), actor=warga)
        PermitApplication.objects.filter(pk=application.pk).update(submitted_at=when)
        return application

    def act(application, action, role, when, **extra):
        return application_act(application=application, actor=officials[role], action=action, now=when, **extra)

    def pay(application, when):
        invoice = Invoice.objects.get(application=application)
        body, headers = simulated_bank_callback(invoice)
        assert payment_callback_process(city=bandung, gateway_name="simulated", body=body,
                                        headers=headers).status == 200
        Invoice.objects.filter(pk=invoice.pk).update(paid_at=when)
        return PermitApplication.objects.get(pk=application.pk)

    def survey(application, answer, when):
        answered = survey_submit(application=application, actor=warga, answers=[answer] * 9)
        SatisfactionSurvey.objects.filter(pk=answered.pk).update(created_at=when)

    apps = {}
    # SIP (service time 5 working days)
    apps["sip1"] = submit("sip", wib(8, 14))  # Friday
    act(apps["sip1"], "verify", "permit_verifier", wib(8, 14, 14))
    apps["sip1"] = act(apps["sip1"], "approve", "permit_head", wib(8, 18, 9))  # Tuesday after the holiday: 1 day
    survey(apps["sip1"], 4, wib(8, 20))
    apps["sip2"] = submit("sip", wib(8, 13))  # Thursday
    act(apps["sip2"], "verify", "permit_verifier", wib(8, 14))
    apps["sip2"] = act(apps["sip2"], "approve", "permit_head", wib(8, 19, 15))  # Wednesday: 3 days
    survey(apps["sip2"], 3, wib(8, 21))
    apps["sip3"] = submit("sip", wib(8, 3))  # Monday
    apps["sip3"] = act(apps["sip3"], "reject", "permit_verifier", wib(8, 12), comment="STR kedaluwarsa")  # 7 days
    survey(apps["sip3"], 3, wib(8, 22))
    # 31 July 18:00 UTC is already 1 August in Bandung.
    apps["sip4"] = submit("sip", datetime.datetime(2026, 7, 31, 18, 0, tzinfo=datetime.UTC))
    # Reklame (5 working days, with a fee of 8 m2 x 30 days x Rp2.500 = Rp600.000)
    apps["reklame1"] = submit("reklame", wib(8, 10))  # Monday
    act(apps["reklame1"], "verify", "permit_verifier", wib(8, 11))
    apps["reklame1"] = act(apps["reklame1"], "approve", "permit_head", wib(8, 14))  # Friday: 4 days
    apps["reklame1"] = pay(apps["reklame1"], wib(8, 31, 23, 30))  # still August in Bandung
    survey(apps["reklame1"], 2, wib(8, 31, 12))
    apps["reklame2"] = submit("reklame", wib(8, 11))
    act(apps["reklame2"], "return", "permit_verifier", wib(8, 12), comment="Foto buram", return_fields=["foto_lokasi"])
    apps["reklame3"] = submit("reklame", wib(7, 20))  # July: not in August's figures
    act(apps["reklame3"], "verify", "permit_verifier", wib(7, 21))
    apps["reklame3"] = act(apps["reklame3"], "approve", "permit_head", wib(7, 24))
    apps["reklame3"] = pay(apps["reklame3"], wib(9, 1, 0, 30))  # 31 August 17:30 UTC, but September in Bandung
    survey(apps["reklame3"], 1, wib(7, 30))
    # PBG (10 working days, Rp1.800.000 not paid yet)
    apps["pbg1"] = submit("pbg", wib(8, 3))  # Monday
    act(apps["pbg1"], "verify", "permit_verifier", wib(8, 5))
    act(apps["pbg1"], "inspect", "permit_inspector", wib(8, 10))
    apps["pbg1"] = act(apps["pbg1"], "approve", "permit_head", wib(8, 21))  # Friday three weeks later: 13 days
    apps["pbg2"] = fill_application(types["pbg"], warga)  # a draft is not an application yet
    return apps


def rows_by_code(report):
    return {row.code: row for row in report.rows}


def test_figures_a_head_of_dpmptsp_checks(bandung, august):
    report = permit_report(city=bandung, period=ReportPeriod(datetime.date(2026, 8, 1), datetime.date(2026, 8, 31)))
    rows = rows_by_code(report)
    assert [row.code for row in report.rows] == ["keramaian", "reklame", "pbg", "sip"]  # by name

    # Applications submitted in August, by current state (drafts and July's reklame not counted).
    counts = {code: {s.state: s.count for s in row.states if s.count} for code, row in rows.items()}
    assert counts == {"sip": {"submitted": 1, "issued": 2, "rejected": 1}, "reklame": {"returned": 1, "issued": 1},
                      "pbg": {"awaiting_payment": 1}, "keramaian": {}}
    assert [s.state for s in rows["pbg"].states] == ["submitted", "returned", "verified", "inspected",
                                                     "awaiting_payment", "issued", "rejected"]
    assert [(r.applications, r.decided) for r in (rows["sip"], rows["reklame"], rows["pbg"], rows["keramaian"])] == [
        (4, 3), (2, 1), (1, 1), (0, 0)]
    assert (report.total.applications, report.total.decided) == (7, 5)

    # Working days to decision: 1 (Fri -> Tue over the weekend and 17 August), 3, 7 -> median 3.
    assert rows["sip"].median_working_days == Decimal("3.0")
    assert (rows["sip"].within_sla, rows["sip"].sla_compliance) == (2, Decimal("66.7"))
    assert (rows["reklame"].median_working_days, rows["reklame"].sla_compliance) == (Decimal("4.0"), Decimal("100.0"))
    assert (rows["pbg"].median_working_days, rows["pbg"].sla_compliance) == (Decimal("13.0"), Decimal("0.0"))
    assert (rows["keramaian"].median_working_days, rows["keramaian"].sla_compliance) == (None, None)
    assert report.total.median_working_days == Decimal("4.0")  # of 1, 3, 4, 7, 13
    assert (report.total.within_sla, report.total.sla_compliance) == (3, Decimal("60.0"))

    # Revenue: the reklame paid on 31 August 23:30 WIB; not the one paid on 1 September 00:30 WIB, nor the
    # unpaid PBG invoice.
    assert (rows["reklame"].revenue, rows["reklame"].paid_invoices) == (Decimal("600000.00"), 1)
    assert rows["pbg"].revenue == rows["sip"].revenue == Decimal("0")
    assert report.total.revenue == Decimal("600000.00")

    # IKM: SIP answers all 4, all 3, all 3 -> 3.333 x 25 = 83.33 (B); reklame all 2 -> 50.00 (D);
    # the city: (4 + 3 + 3 + 2) / 4 = 3 -> 75.00 (C). July's survey is not counted.
    assert (rows["sip"].ikm["score"], rows["sip"].ikm["grade"], rows["sip"].ikm["respondents"]) == (
        Decimal("83.33"), "B", 3)
    assert (rows["reklame"].ikm["score"], rows["reklame"].ikm["grade"]) == (Decimal("50.00"), "D")
    assert rows["pbg"].ikm is None
    assert (report.total.ikm["score"], report.total.ikm["grade"], report.total.ikm["respondents"]) == (
        Decimal("75.00"), "C", 4)


def test_one_permit_type_and_another_period(bandung, august):
    sip = bandung.permit_types.get(code="sip")
    august_only_sip = ReportPeriod(datetime.date(2026, 8, 1), datetime.date(2026, 8, 31), sip)
    report = permit_report(city=bandung, period=august_only_sip)
    assert [row.code for row in report.rows] == ["sip"]
    assert (report.total.applications, report.total.decided, report.total.sla_compliance) == (4, 3, Decimal("66.7"))
    assert report.total.revenue == 0 and report.total.ikm["score"] == Decimal("83.33")

    september = permit_report(city=bandung, period=ReportPeriod(datetime.date(2026, 9, 1), datetime.date(2026, 9, 30)))
    assert september.total.revenue == Decimal("600000.00")  # reklame3, paid 1 September 00:30 WIB
    assert september.total.applications == september.total.decided == 0

    july = permit_report(city=bandung, period=ReportPeriod(datetime.date(2026, 7, 1), datetime.date(2026, 7, 31)))
    reklame = rows_by_code(july)["reklame"]
    assert (reklame.applications, reklame.decided, reklame.median_working_days) == (1, 1, Decimal("4.0"))
    assert reklame.ikm["score"] == Decimal("25.00") and reklame.ikm["grade"] == "D"


def test_report_runs_a_constant_number_of_queries(bandung, august, django_assert_num_queries):
    period = ReportPeriod(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    # permit types, counts, decision timestamps, the city's days off, revenue, surveys
    with django_assert_num_queries(6):
        permit_report(city=bandung, period=period)
    warga = make_user("warga2")
    for permit_type in bandung.permit_types.all():
        application = application_submit(application=fill_application(permit_type, warga), actor=warga)
        application_act(application=application, actor=make_user(f"v-{permit_type.code}", city=bandung,
                                                                   roles=["permit_verifier"]),
                        action="reject", comment="x")
    with django_assert_num_queries(6):
        permit_report(city=bandung, period=period)


def test_working_day_counter_agrees_with_the_calendar(bandung):
    CityDayOff.objects.create(city=bandung, date=datetime.date(2026, 8, 20), name="Hari Jadi (contoh)")
    first, last = datetime.date(2026, 8, 1), datetime.date(2026, 9, 5)
    count = working_day_counter(bandung, first, last)
    days = [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
    for a in days[::3]:
        for b in days:
            expected = working_days_between(bandung, wib(a.month, a.day), wib(b.month, b.day))
            assert count(a, b) == expected, (a, b)
    assert count(datetime.date(2026, 8, 14), datetime.date(2026, 8, 18)) == 1  # weekend and 17 August
    assert count(datetime.date(2026, 8, 19), datetime.date(2026, 8, 21)) == 1  # the city's own day off


# -- page and exports ----------------------------------------------------------------------------
def test_report_page_shows_the_figures(bandung, august, head, client):
    client.force_login(head)
    response = client.get("/bandung/permits/reports/", AUGUST)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Rp 600.000" in page and "Persetujuan Bangunan Gedung (PBG)" in page
    assert "66,7 %" in page and "83,33" in page and "75,00" in page  # Indonesian number format
    assert "Menunggu pembayaran retribusi" in page  # status labels come from each type's workflow
    assert 'href="/bandung/permits/reports.csv?from=2026-08-01&amp;to=2026-08-31"' in page
    assert 'href="/bandung/permits/reports.xlsx?from=2026-08-01&amp;to=2026-08-31"' in page


def test_report_page_defaults_to_the_current_year_and_explains_bad_dates(bandung, head, client):
    client.force_login(head)
    client.cookies["django_language"] = "en"
    year = timezone.now().astimezone(WIB).year
    page = client.get("/bandung/permits/reports/").content.decode()
    assert f'value="{year}-01-01"' in page and f'value="{year}-12-31"' in page
    response = client.get("/bandung/permits/reports/", {"from": "2026-02-30", "to": "2026-03-01"})
    assert response.status_code == 200 and response.context["report"] is None
    assert "Enter the date as YYYY-MM-DD" in response.content.decode()


def test_csv_export(bandung, august, head, client):
    client.force_login(head)
    response = client.get("/bandung/permits/reports.csv", AUGUST)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="permit-report-bandung-2026-08-01-2026-08-31.csv"'
    rows = {row["permit_type"]: row for row in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))}
    assert list(rows) == ["keramaian", "reklame", "pbg", "sip", ""]
    sip, total = rows["sip"], rows[""]
    assert (sip["state_submitted"], sip["state_issued"], sip["state_rejected"], sip["state_inspected"]) == (
        "1", "2", "1", "")  # empty: the SIP workflow has no technical inspection
    assert (sip["applications"], sip["decided"], sip["median_working_days"], sip["sla_days"], sip["within_sla"],
            sip["sla_compliance_percent"]) == ("4", "3", "3.0", "5", "2", "66.7")
    assert (sip["ikm_score"], sip["ikm_grade"], sip["ikm_respondents"]) == ("83.33", "B", "3")
    assert rows["reklame"]["revenue_idr"] == "600000.00" and rows["keramaian"]["median_working_days"] == ""
    assert (total["applications"], total["state_issued"], total["decided"], total["median_working_days"],
            total["sla_compliance_percent"], total["revenue_idr"], total["ikm_score"], total["ikm_grade"]) == (
        "7", "3", "5", "4.0", "60.0", "600000.00", "75.00", "C")
    assert total["period_from"] == "2026-08-01" and total["period_to"] == "2026-08-31"


def test_csv_neutralises_formulas_in_names(bandung, head):
    bandung.permit_types.filter(code="sip").update(name="=HYPERLINK(\"http://evil\")")
    report = permit_report(city=bandung, period=ReportPeriod(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)))
    assert "'=HYPERLINK" in report_csv(report)


def test_excel_export_has_the_same_numbers(bandung, august, head, client):
    client.force_login(head)
    response = client.get("/bandung/permits/reports.xlsx", {**AUGUST, "type": ""})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(response.content))
    summary, by_state = workbook.worksheets
    rows = {row[0]: row for row in summary.iter_rows(min_row=6, values_only=True)}
    # code, name, applications, decided, median, SLA days, within, compliance %, revenue, paid, IKM, grade, n
    assert rows["sip"][2:] == (4, 3, 3, 5, 2, 66.7, 0, 0, 83.33, "B", 3)
    assert rows["reklame"][2:] == (2, 1, 4, 5, 1, 100, 600000, 1, 50, "D", 1)
    assert rows["pbg"][2:] == (1, 1, 13, 10, 0, 0, 0, 0, None, None, 0)
    assert rows["keramaian"][2:] == (0, 0, None, 5, 0, None, 0, 0, None, None, 0)
    assert rows[None][2:] == (7, 5, 4, None, 3, 60, 600000, 1, 75, "C", 4)
    assert summary.cell(row=7, column=9).number_format == '"Rp" #,##0'
    assert (summary["B2"].value, summary["C2"].value) == (datetime.datetime(2026, 8, 1), datetime.datetime(2026, 8, 31))
    states = {(code, state): count
              for code, _name, state, _label, count in by_state.iter_rows(min_row=2, values_only=True)}
    assert states[("sip", "issued")] == 2 and states[("pbg", "awaiting_payment")] == 1
    assert states[("reklame", "returned")] == 1 and states[("keramaian", "issued")] == 0
    assert sum(states.values()) == 7


def test_exports_refuse_bad_dates(bandung, head, client):
    client.force_login(head)
    client.cookies["django_language"] = "en"
    response = client.get("/bandung/permits/reports.csv", {"from": "2026-08-31", "to": "2026-08-01"})
    assert response.status_code == 400
    assert "before its start" in response.content.decode()
    assert client.get("/bandung/permits/reports.xlsx", {"from": "31/08/2026"}).status_code == 400


@pytest.mark.parametrize("path", ["reports/", "reports.csv", "reports.xlsx"])
def test_who_may_see_the_report_pages(bandung, client, path):
    url = f"/bandung/permits/{path}"
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("core:login"))
    client.force_login(make_user("verif", city=bandung, roles=["permit_verifier"]))
    assert client.get(url).status_code == 403
    manado = make_city("71.71", "manado")
    client.force_login(make_user("kepala.manado", city=manado, roles=["permit_head"]))
    assert client.get(url).status_code == 403
    client.force_login(make_user("kepala", city=bandung, roles=["permit_head"]))
    assert client.get(url).status_code == 200
    client.force_login(make_user("admin.izin", city=bandung, roles=["permit_admin"]))
    assert client.get(url).status_code == 200
    set_module(bandung, "permits", False)
    assert client.get(url).status_code == 404


# -- API -----------------------------------------------------------------------------------------
class TestReportEndpoint(ModuleEndpointTests):
    module = "permits"
    endpoints = [Endpoint("permits-api:reports", roles=REPORT_ROLES)]

    def test_another_citys_object_is_not_found(self, city, other_city):
        """The report has no objects to look up; instead: another city's applications are not counted."""
        install_standard_types(other_city)
        applicant = make_user("warga.manado")
        sip = other_city.permit_types.get(code="sip")
        application_submit(application=fill_application(sip, applicant), actor=applicant)
        response = api_client(make_user("kepala", city=city, roles=["permit_head"])).get(
            reverse("permits-api:reports", kwargs={"city": city.slug}))
        assert response.status_code == 200 and response.json()["total"]["applications"] == 0
        assert response.json()["types"] == []  # Bandung has no permit types in this test


def api_client(user, language=None):
    client = APIClient()
    client.force_authenticate(user)
    if language:
        client.cookies["django_language"] = language
    return client


def test_api_report(bandung, august, head):
    response = api_client(head).get("/api/v1/cities/bandung/permits/reports/", AUGUST)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["period_from"], body["period_to"], body["permit_type"]) == ("2026-08-01", "2026-08-31", None)
    types = {row["code"]: row for row in body["types"]}
    sip = types["sip"]
    assert {s["state"]: s["count"] for s in sip["states"]} == {"submitted": 1, "returned": 0, "verified": 0,
                                                                 "issued": 2, "rejected": 1}
    assert (sip["applications"], sip["decided"], sip["within_sla"], sip["median_working_days"],
            sip["sla_compliance"]) == (4, 3, 2, "3.0", "66.7")
    assert sip["ikm"] == {"respondents": 3, "ikm": "3.333", "score": "83.33", "grade": "B"}
    assert types["reklame"]["revenue"] == "600000.00" and types["keramaian"]["ikm"] is None
    total = body["total"]
    assert (total["applications"], total["decided"], total["median_working_days"], total["sla_compliance"],
            total["revenue"], total["ikm"]["score"], total["ikm"]["grade"]) == (
        7, 5, "4.0", "60.0", "600000.00", "75.00", "C")

    only_pbg = api_client(head).get("/api/v1/cities/bandung/permits/reports/", {**AUGUST, "type": "pbg"}).json()
    assert only_pbg["permit_type"] == "pbg" and [row["code"] for row in only_pbg["types"]] == ["pbg"]
    assert only_pbg["total"]["sla_compliance"] == "0.0"


def test_api_defaults_to_the_current_year(bandung, head):
    year = timezone.now().astimezone(WIB).year
    body = api_client(head).get("/api/v1/cities/bandung/permits/reports/").json()
    assert (body["period_from"], body["period_to"]) == (f"{year}-01-01", f"{year}-12-31")
    assert body["total"]["applications"] == 0 and body["total"]["median_working_days"] is None
    body = api_client(head).get("/api/v1/cities/bandung/permits/reports/", {"from": "2025-03-01"}).json()
    assert (body["period_from"], body["period_to"]) == ("2025-03-01", "2025-12-31")


@pytest.mark.parametrize("params, field, message", [
    ({"from": "2026-13-01"}, "from", "YYYY-MM-DD"),
    ({"from": "01-08-2026"}, "from", "YYYY-MM-DD"),
    ({"to": "yesterday"}, "to", "YYYY-MM-DD"),
    ({"from": "2026-08-31", "to": "2026-08-01"}, "to", "before its start"),
    ({"from": "0001-01-01", "to": "2026-08-01"}, "from", "between 2000-01-01 and 2099-12-31"),
    ({"type": "tidak-ada"}, "type", "no permit type “tidak-ada”"),
])
def test_api_refuses_bad_parameters(bandung, head, params, field, message):
    response = api_client(head, "en").get("/api/v1/cities/bandung/permits/reports/", params)
    assert response.status_code == 400
    assert message in " ".join(response.json()[field])


def test_api_refuses_verifier_and_another_citys_head(bandung):
    url = "/api/v1/cities/bandung/permits/reports/"
    assert APIClient().get(url).status_code in (401, 403)
    assert api_client(make_user("verif", city=bandung, roles=["permit_verifier"])).get(url).status_code == 403
    manado = make_city("71.71", "manado")
    assert api_client(make_user("kepala.manado", city=manado, roles=["permit_head"])).get(url).status_code == 403


def test_report_is_in_the_openapi_schema(client, db):
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/cities/{city}/permits/reports/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"from", "to", "type"}
    assert "PermitReport" in str(operation["responses"]["200"])
