"""What the complaints module provides to the platform, read as the command-centre wall, the
cross-city benchmarks and the public catalogue read it: through `modules.providers(...)`, without a
request or a user."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from kotapintar.complaints.models import Complaint, ComplaintCategory
from kotapintar.complaints.services import reports as svc
from kotapintar.complaints.services.standards import service_standard_save
from kotapintar.complaints.tests.factories import city_with_categories, report
from kotapintar.core import modules
from kotapintar.core.indicators import city_map_layers
from kotapintar.core.models import AuditEntry, Department, District
from kotapintar.core.providers import Period
from kotapintar.core.testing import make_city, make_user, set_module

pytestmark = pytest.mark.django_db
WIB = ZoneInfo("Asia/Jakarta")
NOVEMBER = Period(datetime.date(2026, 11, 1), datetime.date(2026, 12, 1), "2026-11")


def wib(month, day, hour=10):
    return datetime.datetime(2026, month, day, hour, tzinfo=WIB)


def provider(kind):
    return dict((m.id, p) for m, p in modules.providers(kind))["complaints"]


@pytest.fixture
def city():
    return city_with_categories()


@pytest.fixture
def verifier(city):
    return make_user("verifikator", city=city, roles=["complaint_verifier"])


def filed(city, code, when, **extra):
    complaint = report(city, make_user(f"warga{Complaint.objects.count()}"), code=code, **extra)
    Complaint.objects.filter(pk=complaint.pk).update(created_at=when)
    return Complaint.objects.get(pk=complaint.pk)


def resolved(complaint, verifier, when, *, late=False):
    svc.complaint_act(complaint=complaint, action="verify", actor=verifier)
    svc.complaint_act(complaint=complaint, action="resolve", actor=verifier, comment="Selesai.")
    Complaint.objects.filter(pk=complaint.pk).update(resolved_at=when, late=late)


def test_open_reports_by_category_and_kecamatan_and_resolution_within_the_sla(city, verifier):
    coblong, sukajadi = District.objects.filter(city=city).order_by("code")[:2]
    filed(city, "sampah", wib(11, 2), district=coblong)
    filed(city, "sampah", wib(11, 3), district=sukajadi)
    filed(city, "jalan-rusak", wib(11, 4), district=coblong)
    filed(city, "jalan-rusak", wib(10, 30), district=coblong)  # October: not in November's figures
    filed(city, "sampah", wib(11, 5), district=coblong, visibility="confidential")  # not public
    # Resolved in November: filed Monday 2 November, resolved 2, 4 and 6 working days later (one late).
    resolved(filed(city, "sampah", wib(11, 2)), verifier, wib(11, 4))
    resolved(filed(city, "sampah", wib(11, 2)), verifier, wib(11, 6))
    resolved(filed(city, "jalan-rusak", wib(11, 2)), verifier, wib(11, 10), late=True)

    found = {i.id: i for i in provider("indicators")(city, NOVEMBER)}
    still_open = found["complaints.open"]
    assert (still_open.value, still_open.unit, still_open.better) == (3, "count", "lower")
    assert still_open.breakdown == {"by_category": {"sampah": 2, "jalan-rusak": 1},
                                    "by_district": {coblong.name: 2, sukajadi.name: 1}}
    within = found["complaints.resolved_within_sla"]
    assert (within.value, within.unit, within.better, within.breakdown) == (66.7, "%", "higher", {"resolved": 3})
    median = found["complaints.resolution_days_median"]
    assert (median.value, median.unit, median.better) == (4, "days", "lower")


def test_a_city_without_reports_has_no_resolution_figures(city):
    found = {i.id: i.value for i in provider("indicators")(make_city("71.71", "manado"), NOVEMBER)}
    assert found == {"complaints.open": 0, "complaints.resolved_within_sla": None,
                     "complaints.resolution_days_median": None}


def test_the_map_of_open_reports_shows_no_personal_data_and_no_confidential_report(city, verifier):
    waiting = report(city, make_user("siti", full_name="Siti Rahmawati"), description="Rumah saya di Gang Mawar 3",
                     reporter_phone="081234567890")
    handled = report(city, make_user("budi"), code="jalan-rusak")
    svc.complaint_act(complaint=handled, action="verify", actor=verifier)
    secret = report(city, make_user("anon"), visibility="confidential")
    done = report(city, make_user("dewi"))
    resolved(done, verifier, wib(11, 4))

    [layer] = provider("map_layers")(city)
    assert layer.id == "complaints.open" and layer.features["type"] == "FeatureCollection"
    features = {f["properties"]["tracking_number"]: f for f in layer.features["features"]}
    assert set(features) == {waiting.tracking_number, handled.tracking_number}
    assert secret.tracking_number not in features and done.tracking_number not in features
    assert features[waiting.tracking_number]["geometry"] == {"type": "Point", "coordinates": [city.lng, city.lat]}
    assert features[waiting.tracking_number]["properties"]["style"]["color"] == "#b3261e"  # red: waiting
    assert features[handled.tracking_number]["properties"]["style"]["color"] == "#e0a800"  # yellow: handled
    assert "Sampah menumpuk" in features[waiting.tracking_number]["properties"]["popup"]
    text = str(layer.features)
    assert "Siti" not in text and "Gang Mawar" not in text and "081234567890" not in text

    assert [layer.id for layer in city_map_layers(city)] == ["complaints.open"]
    set_module(city, "complaints", False)
    assert city_map_layers(city) == []


def test_published_service_standards_are_catalogue_entries(city):
    dlh = Department.objects.get(city=city, code="DLH")
    fields = dict(requirements="STNK\nKTP", procedure="Daftar\nUji", service_time="1 hari", cost="Rp 50.000",
                  product="Kartu uji", complaint_channel="Loket")
    service_standard_save(city=city, actor=None, code="kir", department=dlh, name="Uji KIR", **fields)
    service_standard_save(city=city, actor=None, code="lama", department=dlh, name="Lama", active=False, **fields)
    [entry] = provider("catalogue")(city, "id")
    assert (entry.module, entry.code, entry.name, entry.department) == ("complaints", "kir", "Uji KIR", "DLH")
    assert (entry.requirements, entry.procedure, entry.service_time, entry.fee, entry.product) == (
        ("STNK", "KTP"), ("Daftar", "Uji"), "1 hari", "Rp 50.000", "Kartu uji")


def test_categories_adopted_by_another_city_and_changed_later(city):
    from kotapintar.complaints.selectors import category_by_code
    from kotapintar.core.services.exchange import city_export, exchange_apply, exchange_preview

    manado = city_with_categories("71.71", "manado")
    ComplaintCategory.objects.filter(city=manado).delete()
    items = city_export(city, keys=["complaint_category:jalan-rusak", "complaint_category:sampah"])
    audited = AuditEntry.objects.filter(city=manado, action="complaint_category.save").count()
    exchange_apply(city=manado, items=items, actor=None)
    road = category_by_code(manado, "jalan-rusak")  # now cached
    assert road.department == Department.objects.get(city=manado, code="PUPR")
    assert [q["code"] for q in road.questions] == ["ukuran", "kedalaman_cm"]
    assert AuditEntry.objects.filter(city=manado, action="complaint_category.save").count() == audited + 2

    ComplaintCategory.objects.filter(city=city, code="jalan-rusak").update(name="Jalan berlubang", active=False)
    changed = city_export(city, keys=["complaint_category:jalan-rusak"])
    [row] = exchange_preview(city=manado, items=changed)
    assert row["changes"] == {"active": {"from": True, "to": False},
                              "name": {"from": "Jalan rusak", "to": "Jalan berlubang"}}
    exchange_apply(city=manado, items=changed, actor=None)
    assert ComplaintCategory.objects.get(city=manado, code="jalan-rusak").name == "Jalan berlubang"
    assert category_by_code(manado, "jalan-rusak") is None  # inactive now, and not served from the cache
