"""What the permits module provides to the platform, read as the command-centre wall and the service
catalogue read it: through `modules.providers(...)` and core's collectors, without a request or a user."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from kotapintar.core import modules
from kotapintar.core.indicators import catalogue_entries, city_indicators
from kotapintar.core.providers import Period
from kotapintar.core.testing import make_user, set_module
from kotapintar.permits.demo import fill_application
from kotapintar.permits.models import PermitApplication, SatisfactionSurvey
from kotapintar.permits.services.applications import application_act, application_submit
from kotapintar.permits.services.surveys import survey_submit

WIB = ZoneInfo("Asia/Jakarta")
OCTOBER = Period(datetime.date(2026, 10, 1), datetime.date(2026, 11, 1), "2026-10")


def wib(month, day, hour=10):
    return datetime.datetime(2026, month, day, hour, tzinfo=WIB)


@pytest.fixture
def october(bandung):
    """Three SIP applications submitted on Monday 5 October 2026 and decided 2, 4 and 6 working days
    later (the SIP's service time is 5 working days); two surveys (all 4, all 3)."""
    sip = bandung.permit_types.get(code="sip")
    warga = make_user("warga")
    verifier = make_user("verifikator", city=bandung, roles=["permit_verifier"])
    head = make_user("kepala", city=bandung, roles=["permit_head"])
    decided = []
    for decision_day in (wib(10, 7), wib(10, 9), wib(10, 13)):  # Wednesday, Friday, Tuesday a week later
        application = application_submit(application=fill_application(sip, warga), actor=warga)
        PermitApplication.objects.filter(pk=application.pk).update(submitted_at=wib(10, 5))
        application_act(application=application, actor=verifier, action="verify", now=wib(10, 6))
        decided.append(application_act(application=application, actor=head, action="approve", now=decision_day))
    for application, answer in zip(decided, (4, 3), strict=False):
        survey = survey_submit(application=application, actor=warga, answers=[answer] * 9)
        SatisfactionSurvey.objects.filter(pk=survey.pk).update(created_at=wib(10, 20))
    return decided


def permit_indicators(city, period):
    provide = dict((m.id, p) for m, p in modules.providers("indicators"))["permits"]
    return {indicator.id: indicator for indicator in provide(city, period)}


def test_decision_time_sla_compliance_and_ikm_of_a_month(bandung, october):
    found = permit_indicators(bandung, OCTOBER)
    median = found["permits.decision_days_median"]
    assert (median.value, median.unit, median.better) == (Decimal("4.0"), "days", "lower")
    assert median.breakdown == {"decided": 3, "by_permit_type": {"sip": Decimal("4.0")}}
    within = found["permits.decisions_within_sla"]
    assert (within.value, within.unit, within.better) == (Decimal("66.7"), "%", "higher")  # 6 days > 5
    ikm = found["permits.ikm"]
    assert (ikm.value, ikm.better, ikm.breakdown) == (Decimal("87.50"), "higher", {"grade": "B", "respondents": 2})
    assert median.period == OCTOBER


def test_a_month_without_decisions_has_no_values(bandung, october):
    found = permit_indicators(bandung, Period(datetime.date(2026, 9, 1), datetime.date(2026, 10, 1)))
    assert [i.value for i in found.values()] == [None, None, None]


def test_core_collects_permit_indicators_only_where_permits_is_on(bandung, october):
    assert "permits.decision_days_median" in {i.id for i in city_indicators(bandung, OCTOBER)}
    set_module(bandung, "permits", False)
    assert not [i for i in city_indicators(bandung, OCTOBER) if i.id.startswith("permits.")]


def test_permit_types_in_the_service_catalogue(bandung):
    bandung.permit_types.filter(code="keramaian").update(active=False)
    entries = {e.code: e for e in catalogue_entries(bandung) if e.module == "permits"}
    assert set(entries) == {"pbg", "reklame", "sip"}
    pbg = entries["pbg"]
    assert pbg.requirements[:2] == ("KTP pemohon", "KKPR (kesesuaian kegiatan pemanfaatan ruang)")
    assert (pbg.sla_days, pbg.service_time, pbg.department) == (10, "10 hari kerja", "DPMPTSP")
    assert pbg.fee == "Retribusi = luas bangunan (m²) × indeks lokasi × Rp10.000"
    assert pbg.procedure[0] == "Verifikasi berkas" and pbg.url == "/bandung/permits/types/pbg/"
    assert entries["sip"].fee == "Gratis"
