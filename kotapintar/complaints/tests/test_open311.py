"""Open311 GeoReport v2 at /<city>/open311/v2/: every endpoint in XML and JSON, the errors, the filters,
privacy, the key command, and a real Open311 client library (georeport, from PyPI) against a live server."""

import datetime
import io
import json
import xml.etree.ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from kotapintar.complaints.models import Complaint, ComplaintCategory
from kotapintar.complaints.services import reports as svc
from kotapintar.complaints.services.categories import category_save
from kotapintar.complaints.services.keys import open311_key_create, open311_key_revoke
from kotapintar.complaints.tests.factories import MANADO_CENTRE, city_with_categories, jpeg_with_gps, report
from kotapintar.core.models import Department, Document, Membership
from kotapintar.core.testing import make_user, set_module

pytestmark = pytest.mark.django_db

BASE = "/bandung/open311/v2/"
LISTS = {"services": "service", "service_requests": "request", "attributes": "attribute", "values": "value",
         "endpoints": "endpoint", "formats": "format", "errors": "error",
         "service_request_updates": "request_update"}


# -- helpers -------------------------------------------------------------------------------------
def xml_data(element):
    """An Open311 XML document as Python data (lists for the plural elements, text for leaves)."""
    if element.tag in LISTS:
        assert all(child.tag == LISTS[element.tag] for child in element), element.tag
        return [xml_data(child) for child in element]
    if len(element):
        return {child.tag: xml_data(child) for child in element}
    return element.text or ""


def as_text(value):
    """JSON data as XML carries it."""
    if isinstance(value, list):
        return [as_text(v) for v in value]
    if isinstance(value, dict):
        return {k: as_text(v) for k, v in value.items()}
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse(response, fmt):
    if fmt == "json":
        assert response["Content-Type"] == "application/json; charset=utf-8"
        return json.loads(response.content)
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)


def both(client, path, expect=200, base=BASE, **params):
    """GET `path` as .json and .xml; both answer `expect` with the same data. Returns the JSON data."""
    as_json = client.get(f"{base}{path}.json", params)
    as_xml = client.get(f"{base}{path}.xml", params)
    assert (as_json.status_code, as_xml.status_code) == (expect, expect), as_json.content
    data = parse(as_json, "json")
    assert xml_data(parse(as_xml, "xml")) == as_text(data)
    return data


def error_of(data, code):
    assert [e["code"] for e in data] == [code] * len(data) and data, data
    return " ".join(e["description"] for e in data)


def post(client, key, fmt="json", **fields):
    return client.post(f"{BASE}requests.{fmt}", {"api_key": key, **fields})


def good_fields(city, **extra):
    return {"service_code": "jalan-rusak", "lat": city.lat, "long": city.lng,
            "description": "Lubang besar di Jalan Merdeka, bahaya untuk motor.", "attribute[ukuran]": "besar",
            **extra}


@pytest.fixture
def client(client, settings):
    """Messages in English, the source language (the default for everyone else is Bahasa Indonesia)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def city():
    return city_with_categories()


@pytest.fixture
def other_city():
    return city_with_categories("71.71", "manado")


@pytest.fixture
def key(city):
    return open311_key_create(city=city, name="Aplikasi Warga", actor=None)[1]


@pytest.fixture
def officials(city):
    verifier = make_user("verifikator", city=city, roles=["complaint_verifier"])
    officer = make_user("petugas", city=city)
    Membership.objects.create(user=officer, city=city, role="complaint_officer",
                              department=Department.objects.get(city=city, code="PUPR"))
    return verifier, officer


def public_report(city, **extra):
    return report(city, make_user(f"warga{Complaint.objects.count()}"), check_limits=False, **extra)


# -- discovery, services, definitions --------------------------------------------------------------
def test_discovery_names_the_city_endpoint_and_formats(client, city):
    data = both(client, "discovery")
    endpoint = data["endpoints"][0]
    assert endpoint["url"] == "http://testserver/bandung/open311/v2/"
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["formats"] == ["text/xml", "application/json"] and endpoint["type"] == "production"
    assert data["key_service"].endswith("/bandung/complaints/admin/keys/")


def test_services_are_the_citys_active_categories(client, city, other_city):
    dept = Department.objects.get(city=city, code="DLH")
    category_save(city=city, actor=None, code="lama", name="Kategori lama", department=dept, active=False)
    data = both(client, "services")
    assert [s["service_code"] for s in data] == ["jalan-rusak", "sampah"]
    road = data[0]
    assert road == {"service_code": "jalan-rusak", "service_name": "Jalan rusak", "description": "",
                    "metadata": True, "type": "realtime", "keywords": "", "group": ""}
    assert data[1]["metadata"] is False


def test_service_definition_lists_the_questions_as_attributes(client, city):
    data = both(client, "services/jalan-rusak")
    assert data["service_code"] == "jalan-rusak"
    size, depth = data["attributes"]
    assert size["code"] == "ukuran" and size["datatype"] == "singlevaluelist" and size["required"] is True
    assert size["order"] == 1 and size["variable"] is True and size["description"] == "Ukuran"
    assert size["values"] == [{"key": "kecil", "name": "Kecil"}, {"key": "besar", "name": "Besar"}]
    assert depth["datatype"] == "number" and depth["required"] is False and depth["order"] == 2
    assert depth["datatype_description"] and "values" not in depth
    assert both(client, "services/sampah")["attributes"] == []


def test_unknown_or_inactive_service_is_404(client, city, other_city):
    assert "nope" in error_of(both(client, "services/nope", expect=404), 404)
    dept = Department.objects.get(city=other_city, code="DLH")
    category_save(city=other_city, actor=None, code="hanya-manado", name="Hanya Manado", department=dept)
    error_of(both(client, "services/hanya-manado", expect=404), 404)


# -- POST requests ---------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_files_a_submitted_report_and_answers_its_id_and_token(city, key, fmt, settings):
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR="203.0.113.9")  # API clients send no CSRF token
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = post(client, key, fmt, **good_fields(city, email="Siti@Example.id", first_name="Siti",
                                                     last_name="Rahayu", phone="0812 3456 7890", device_id="hp-77",
                                                     account_id="akun-5", address_string="Jl. Merdeka 1"))
    assert response.status_code == 200, response.content
    data = parse(response, fmt)
    answer = data[0] if fmt == "json" else xml_data(data)[0]
    complaint = Complaint.objects.get(tracking_number=answer["service_request_id"])
    assert answer["token"] == str(complaint.token) and answer["account_id"] == "akun-5"
    assert "3 working days" in answer["service_notice"]
    assert complaint.state == "submitted" and complaint.source == "open311"
    assert complaint.api_key.name == "Aplikasi Warga"
    assert (complaint.reporter_name, complaint.reporter_email, complaint.reporter_phone, complaint.device_id) == (
        "Siti Rahayu", "siti@example.id", "0812 3456 7890", "hp-77")
    assert complaint.attributes == {"ukuran": "besar"} and complaint.address == "Jl. Merdeka 1"
    assert complaint.category.code == "jalan-rusak" and complaint.department.code == "PUPR"


def test_post_needs_no_email_and_takes_a_multivaluelist_and_a_photo(client, city, key):
    dept = Department.objects.get(city=city, code="DLH")
    category_save(city=city, actor=None, code="pohon", name="Pohon tumbang", department=dept, questions=[
        {"code": "dampak", "label": "Dampak", "type": "multivaluelist",
         "values": [{"key": "jalan", "name": "Menutup jalan"}, {"key": "listrik", "name": "Kabel listrik"},
                    {"key": "rumah", "name": "Rumah"}]}])
    response = client.post(f"{BASE}requests.json", {
        "api_key": key, "service_code": "pohon", "lat": city.lat, "long": city.lng,
        "description": "Pohon tumbang menimpa kabel listrik.", "attribute[dampak][]": ["jalan", "listrik"],
        "media": jpeg_with_gps()})
    assert response.status_code == 200, response.content
    complaint = Complaint.objects.get(tracking_number=response.json()[0]["service_request_id"])
    assert complaint.attributes == {"dampak": ["jalan", "listrik"]} and complaint.reporter_email == ""
    assert complaint.photo.kind == "photo"
    # the photo of a public report is public, without its EXIF position
    media_url = both(client, f"requests/{complaint.tracking_number}")[0]["media_url"]
    assert media_url == f"http://testserver{BASE}media/{complaint.tracking_number}"
    photo = Client().get(media_url)
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    content = b"".join(photo.streaming_content)
    assert b"KameraMerk" not in content
    with Image.open(io.BytesIO(content)) as image:
        assert not image.getexif().get_ifd(0x8825)


def test_post_with_an_address_only_places_the_report_in_its_kecamatan(client, city, key):
    district = city.districts.get(name="Coblong")
    type(district).objects.filter(pk=district.pk).update(lat=-6.8875, lng=107.6146)
    response = post(client, key, service_code="sampah", description="Sampah menumpuk di depan pasar.",
                    address_string="Jl. Dago, Kecamatan Coblong")
    assert response.status_code == 200, response.content
    complaint = Complaint.objects.get(tracking_number=response.json()[0]["service_request_id"])
    assert complaint.district == district and (complaint.lat, complaint.lng) == (-6.8875, 107.6146)


def test_post_with_an_address_id_places_the_report_at_the_kelurahan(client, city, key):
    village = city.villages.select_related("district").first()
    type(village).objects.filter(pk=village.pk).update(lat=-6.90, lng=107.61)
    response = post(client, key, service_code="sampah", description="Sampah menumpuk di depan pasar.",
                    address_id=village.code)
    assert response.status_code == 200, response.content
    tracking = response.json()[0]["service_request_id"]
    assert Complaint.objects.get(tracking_number=tracking).village == village
    assert both(client, f"requests/{tracking}")[0]["address_id"] == village.code


def _fake_jpeg():
    return SimpleUploadedFile("foto.jpg", b"<html>not a photo</html>", content_type="image/jpeg")


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(("change", "status", "says"), [
    ({"lat": "", "long": ""}, 400, "location"),
    ({"long": ""}, 400, "lat and long"),
    ({"lat": MANADO_CENTRE[0], "long": MANADO_CENTRE[1]}, 400, "outside"),
    ({"address_id": "99.99.99.9999", "lat": "", "long": ""}, 400, "address_id"),
    ({"service_code": ""}, 400, "service_code"),
    ({"service_code": "tidak-ada"}, 404, "tidak-ada"),
    ({"attribute[ukuran]": "raksasa"}, 400, "attribute[ukuran]"),
    ({"attribute[warna]": "merah"}, 400, "attribute[warna]"),
    ({"attribute[ukuran]": ""}, 400, "attribute[ukuran]"),
    ({"description": "rusak"}, 400, "description"),
    ({"email": "bukan-email"}, 400, "email"),
    ({"media": "fake"}, 400, "file type"),
])
def test_bad_posts_are_refused_and_store_nothing(client, city, key, fmt, change, status, says):
    fields = good_fields(city, **change)
    if fields.get("media") == "fake":
        fields["media"] = _fake_jpeg()
    response = post(client, key, fmt, **fields)  # an empty field counts as absent
    assert response.status_code == status, response.content
    data = parse(response, fmt)
    if fmt == "xml":
        data = [{"code": int(e["code"]), "description": e["description"]} for e in xml_data(data)]
    assert says in error_of(data, status)
    assert not Complaint.objects.exists() and not Document.objects.exists()


def test_an_oversized_photo_is_refused(client, city, key, settings):
    big = SimpleUploadedFile("foto.jpg", jpeg_with_gps().read() + b"\0" * (5 * 1024 * 1024 + 1))
    response = post(client, key, **good_fields(city, media=big))
    assert response.status_code == 400 and "larger" in error_of(response.json(), 400)
    assert not Complaint.objects.exists()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_missing_unknown_or_revoked_api_key_is_403(client, city, other_city, key, fmt):
    manado_key = open311_key_create(city=other_city, name="App Manado", actor=None)[1]
    revoked, revoked_key = open311_key_create(city=city, name="Lama", actor=None)
    open311_key_revoke(key=revoked, actor=None)
    for api_key in ("", "bukan-kunci", manado_key, revoked_key):
        response = post(client, api_key, fmt, **good_fields(city))
        assert response.status_code == 403, api_key
        data = parse(response, fmt)
        if fmt == "xml":
            assert data.tag == "errors" and data.find("error/code").text == "403"
        else:
            assert "api_key" in error_of(data, 403)
    assert not Complaint.objects.exists()


def test_a_flood_is_refused_with_429(client, city, key, settings):
    settings.KOTAPINTAR_COMPLAINT_LIMITS = {"api_key": (2, 3600)}
    assert [post(client, key, **good_fields(city)).status_code for _ in range(2)] == [200, 200]
    response = post(client, key, "xml", **good_fields(city))
    assert response.status_code == 429
    assert xml_data(parse(response, "xml"))[0]["code"] == "429"
    assert Complaint.objects.count() == 2


# -- GET requests, one request, tokens ---------------------------------------------------------------
def test_a_request_shows_its_public_fields_in_the_citys_time_zone(client, city, key, officials):
    verifier, officer = officials
    complaint = public_report(city, code="jalan-rusak", address="Jl. Asia Afrika 8")
    data = both(client, f"requests/{complaint.tracking_number.lower()}")
    assert len(data) == 1
    row = data[0]
    assert row["service_request_id"] == complaint.tracking_number and row["status"] == "open"
    assert row["service_code"] == "jalan-rusak" and row["service_name"] == "Jalan rusak"
    assert row["agency_responsible"] == "Dinas PUPR" and row["address"] == "Jl. Asia Afrika 8"
    assert row["description"] == complaint.description and row["media_url"] is None
    assert (row["lat"], row["long"]) == (city.lat, city.lng)
    assert row["requested_datetime"].endswith("+07:00")
    assert datetime.datetime.fromisoformat(row["requested_datetime"]) == complaint.created_at.replace(microsecond=0)
    assert datetime.datetime.fromisoformat(row["expected_datetime"]) == complaint.due_at.replace(microsecond=0)
    svc.complaint_act(complaint=complaint, action="verify", actor=verifier)
    svc.complaint_act(complaint=complaint, action="resolve", actor=officer, comment="Jalan sudah ditambal.")
    row = both(client, f"requests/{complaint.tracking_number}")[0]
    assert row["status"] == "closed" and row["status_notes"] == "Jalan sudah ditambal."
    assert row["expected_datetime"] is None and row["updated_datetime"] >= row["requested_datetime"]


def test_dates_use_the_offset_of_each_city(client, other_city):
    complaint = public_report(other_city)
    row = both(client, f"requests/{complaint.tracking_number}", base="/manado/open311/v2/")[0]
    assert row["requested_datetime"].endswith("+08:00")


def test_token_gives_the_service_request_id(client, city, other_city):
    complaint = public_report(city)
    data = both(client, f"tokens/{complaint.token}")
    assert data == [{"service_request_id": complaint.tracking_number, "token": str(complaint.token)}]
    error_of(both(client, "tokens/not-a-uuid", expect=404), 404)
    manado = public_report(other_city)
    error_of(both(client, f"tokens/{manado.token}", expect=404), 404)


def test_unknown_and_other_citys_requests_are_404(client, city, other_city):
    manado = public_report(other_city, photos=[jpeg_with_gps()])
    error_of(both(client, "requests/LP-AAAA-AAAA", expect=404), 404)
    assert manado.tracking_number in error_of(both(client, f"requests/{manado.tracking_number}", expect=404), 404)
    assert both(client, "requests", service_request_id=manado.tracking_number) == []
    assert client.get(f"{BASE}media/{manado.tracking_number}").status_code == 404
    assert client.get(f"/manado/open311/v2/media/{manado.tracking_number}").status_code == 200


def test_only_public_reports_are_listed_or_shown(client, city, officials):
    verifier, _officer = officials
    public = public_report(city, photos=[jpeg_with_gps()])
    anonymous = public_report(city, visibility="anonymous", reporter_name="Budi Santoso")
    confidential = public_report(city, visibility="confidential", photos=[jpeg_with_gps()])
    hidden = public_report(city, photos=[jpeg_with_gps()])
    svc.complaint_moderate(complaint=hidden, actor=verifier, hidden=True, reason="Kata-kata kasar")
    unconfirmed = report(city, reporter_email="tanpa.akun@example.id", check_limits=False)
    assert unconfirmed.state == "unconfirmed"
    listed = {r["service_request_id"] for r in both(client, "requests")}
    assert listed == {public.tracking_number, anonymous.tracking_number}
    for secret in (confidential, hidden, unconfirmed):
        error_of(both(client, f"requests/{secret.tracking_number}", expect=404), 404)
        assert both(client, "requests", service_request_id=secret.tracking_number) == []
        assert client.get(f"{BASE}media/{secret.tracking_number}").status_code == 404
    assert client.get(f"{BASE}media/{public.tracking_number}").status_code == 200
    body = client.get(f"{BASE}requests.xml").content.decode() + client.get(f"{BASE}requests.json").content.decode()
    assert "Budi Santoso" not in body


def test_personal_data_never_appears(client, city, key, officials):
    verifier, _officer = officials
    response = post(client, key, **good_fields(city, email="siti.rahayu@example.id", first_name="Siti",
                                               last_name="Rahayu", phone="081234567890", device_id="perangkat-rahasia",
                                               account_id="akun-rahasia"))
    tracking = response.json()[0]["service_request_id"]
    complaint = Complaint.objects.get(tracking_number=tracking)
    svc.complaint_act(complaint=complaint, action="verify", actor=verifier, comment="Diteruskan ke PUPR.")
    bodies = ""
    for fmt in ("xml", "json"):
        for path in ("requests", f"requests/{tracking}", "servicerequestupdates", f"tokens/{complaint.token}"):
            bodies += client.get(f"{BASE}{path}.{fmt}").content.decode()
    assert tracking in bodies
    for secret in ("siti.rahayu", "Siti", "Rahayu", "081234567890", "perangkat-rahasia", "akun-rahasia",
                   "verifikator"):
        assert secret not in bodies


def test_filters_by_ids_service_code_status_and_dates(client, city, officials):
    verifier, _officer = officials
    now = timezone.now()
    road = public_report(city, code="jalan-rusak", now=now - datetime.timedelta(days=2))
    rubbish = public_report(city, now=now - datetime.timedelta(days=10))
    old = public_report(city, now=now - datetime.timedelta(days=120))
    svc.complaint_act(complaint=rubbish, action="verify", actor=verifier)
    svc.complaint_act(complaint=rubbish, action="start", actor=verifier)  # rubbish is DLH's, not the officer's
    svc.complaint_act(complaint=rubbish, action="resolve", actor=verifier, comment="Sudah diangkut.")

    def ids(**params):
        return [r["service_request_id"] for r in both(client, "requests", **params)]

    assert ids() == [road.tracking_number, rubbish.tracking_number]  # last 90 days, newest first
    assert ids(service_code="jalan-rusak") == [road.tracking_number]
    assert ids(service_code="sampah,jalan-rusak") == [road.tracking_number, rubbish.tracking_number]
    assert ids(service_code=["sampah", "jalan-rusak"]) == [road.tracking_number, rubbish.tracking_number]
    assert ids(status="open") == [road.tracking_number]
    assert ids(status="closed") == [rubbish.tracking_number]
    assert ids(status="open,closed") == [road.tracking_number, rubbish.tracking_number]
    # service_request_id overrides every other argument (the 120-day-old report too)
    assert sorted(ids(service_request_id=f"{old.tracking_number}, {road.tracking_number.lower()}",
                      status="closed")) == sorted([old.tracking_number, road.tracking_number])
    start = (now - datetime.timedelta(days=130)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (now - datetime.timedelta(days=60)).isoformat(timespec="seconds")
    assert ids(start_date=start, end_date=end) == [old.tracking_number]
    assert ids(start_date=start) == [old.tracking_number]  # 90 days from start_date
    assert ids(end_date=(now - datetime.timedelta(days=5)).isoformat()) == [rubbish.tracking_number]
    local = (now - datetime.timedelta(days=3)).astimezone(datetime.timezone(datetime.timedelta(hours=7)))
    assert ids(start_date=local.replace(tzinfo=None).isoformat(timespec="seconds")) == [road.tracking_number]


@pytest.mark.parametrize(("params", "says"), [
    ({"start_date": "kemarin"}, "start_date"),
    ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-05-01T00:00:00Z"}, "90 days"),
    ({"start_date": "2026-03-01T00:00:00Z", "end_date": "2026-02-01T00:00:00Z"}, "before"),
    ({"status": "pending"}, "status"),
])
def test_bad_filters_are_400(client, city, params, says):
    assert says in error_of(both(client, "requests", expect=400, **params), 400)


def _bulk_reports(city, count, *, now):
    category = ComplaintCategory.objects.select_related("workflow").get(city=city, code="sampah")
    Complaint.objects.bulk_create([
        Complaint(city=city, category=category, department_id=category.department_id, workflow=category.workflow,
                  state="submitted", state_entered_at=now, tracking_number=f"LP-BULK-{i:04d}",
                  description="Sampah menumpuk di pinggir jalan.", lat=city.lat, lng=city.lng,
                  created_at=now - datetime.timedelta(minutes=i), updated_at=now)
        for i in range(count)], batch_size=500)


def test_lists_stop_at_1000_rows_newest_first(client, city):
    _bulk_reports(city, 1003, now=timezone.now())
    data = both(client, "requests")
    assert len(data) == 1000
    assert data[0]["service_request_id"] == "LP-BULK-0000" and data[-1]["service_request_id"] == "LP-BULK-0999"


def test_the_list_takes_the_same_few_queries_for_5_and_50_rows(client, city, other_city):
    _bulk_reports(city, 5, now=timezone.now())
    client.get(f"{BASE}requests.json")  # the city and its module switches are cached after the first call
    counts = []
    for total in (5, 50):
        Complaint.objects.filter(city=city).delete()
        _bulk_reports(city, total, now=timezone.now())
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{BASE}requests.json")
        assert len(response.json()) == total
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 2, counts


# -- servicerequestupdates (FixMyStreet) -----------------------------------------------------------
def test_updates_list_public_replies_and_status_changes_only(client, city, officials):
    verifier, officer = officials
    complaint = public_report(city, code="jalan-rusak")
    confidential = public_report(city, visibility="confidential")
    svc.complaint_act(complaint=confidential, action="verify", actor=verifier, comment="Rahasia diverifikasi.")
    svc.complaint_act(complaint=complaint, action="verify", actor=verifier)
    svc.complaint_comment(complaint=complaint, actor=officer, text="Catatan internal tim.", internal=True)
    reply = svc.complaint_comment(complaint=complaint, actor=officer, text="Tim akan datang besok.", internal=False,
                                  photo=jpeg_with_gps())
    abusive = svc.complaint_comment(complaint=complaint, actor=officer, text="Balasan salah kirim.", internal=False)
    svc.complaint_moderate(complaint=complaint, actor=verifier, hidden=True, reason="Salah kirim", update=abusive)
    svc.complaint_act(complaint=complaint, action="resolve", actor=officer, comment="Jalan sudah ditambal.")

    data = both(client, "servicerequestupdates")
    assert [(u["service_request_id"], u["status"], u["description"]) for u in data] == [
        (complaint.tracking_number, "open", ""),
        (complaint.tracking_number, "open", "Tim akan datang besok."),
        (complaint.tracking_number, "closed", "Jalan sudah ditambal."),
    ]
    assert data[1]["update_id"] == str(reply.pk) and data[1]["updated_datetime"].endswith("+07:00")
    assert data[1]["media_url"] == f"http://testserver{BASE}media/{complaint.tracking_number}/{reply.pk}"
    assert Client().get(data[1]["media_url"]).status_code == 200
    assert client.get(f"{BASE}media/{complaint.tracking_number}/{abusive.pk}").status_code == 404
    later = (timezone.now() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert both(client, "servicerequestupdates", start_date=later) == []
    error_of(both(client, "servicerequestupdates", expect=400, start_date="2026-01-01T00:00:00Z",
                  end_date="2026-06-01T00:00:00Z"), 400)


# -- cities and the module switch --------------------------------------------------------------------
ENDPOINTS = ["discovery", "services", "services/sampah", "requests", "requests/LP-AAAA-AAAA",
             "tokens/00000000-0000-0000-0000-000000000000", "servicerequestupdates"]


def test_switched_off_module_answers_404_everywhere(client, city, key):
    complaint = public_report(city, photos=[jpeg_with_gps()])
    set_module(city, "complaints", False)
    for path in [*ENDPOINTS, f"requests/{complaint.tracking_number}"]:
        assert "Kota Bandung" in error_of(both(client, path, expect=404), 404), path
    response = post(client, key, **good_fields(city))
    assert response.status_code == 404 and Complaint.objects.count() == 1
    assert client.get(f"{BASE}media/{complaint.tracking_number}").status_code == 404


def test_unknown_city_and_unknown_resource_answer_the_open311_404(client, city):
    for path in ENDPOINTS:
        assert "kota-hilang" in error_of(both(client, path, expect=404, base="/kota-hilang/open311/v2/"), 404)
    error_of(both(client, "tidak-ada", expect=404), 404)
    assert client.post(f"{BASE}services.json").status_code == 405


# -- the key command -----------------------------------------------------------------------------------
def test_key_command_prints_a_working_key_on_its_last_line_then_lists_and_revokes_it(client, city):
    out = io.StringIO()
    call_command("open311", "key", "create", "--city", "bandung", "--name", "Aplikasi Lapor", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    assert post(client, key, **good_fields(city)).status_code == 200
    out = io.StringIO()
    call_command("open311", "key", "list", "--city", "bandung", stdout=out)
    assert key[:6] in out.getvalue() and "Aplikasi Lapor" in out.getvalue() and "active" in out.getvalue()
    assert key not in out.getvalue()
    call_command("open311", "key", "revoke", "--city", "bandung", f"--prefix={key[:6]}", stdout=io.StringIO())
    assert post(client, key, **good_fields(city)).status_code == 403


# -- a real client library against a live server ----------------------------------------------------
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_georeport_client_lists_posts_and_reads_back(live_server, fmt):
    """georeport (PyPI) reads services, definitions and requests; it cannot POST, so the POST goes through
    `requests` (its own HTTP library) as a multipart form with a photo, the way a mobile app sends it."""
    import georeport  # in the test extra of pyproject.toml
    import requests

    city = city_with_categories()
    key = open311_key_create(city=city, name="Klien uji", actor=None)[1]
    client = georeport.GeoReport(f"{live_server.url}/bandung/open311/v2", output_format=fmt)

    services = client.get_service_list()
    assert [s["service_code"] for s in services] == ["jalan-rusak", "sampah"]
    definition = client.get_service_definition("jalan-rusak")
    attributes = definition["attributes"] if fmt == "json" else definition["attributes"]["attribute"]
    assert attributes[0]["code"] == "ukuran"

    photo = jpeg_with_gps()
    answer = requests.post(f"{client.root_address}/requests.{fmt}", data={
        "api_key": key, "service_code": "jalan-rusak", "lat": city.lat, "long": city.lng,
        "description": "Lubang besar di depan sekolah.", "attribute[ukuran]": "besar", "first_name": "Ani"},
        files={"media": ("foto.jpg", photo.read(), "image/jpeg")}, timeout=30)
    assert answer.status_code == 200, answer.text
    if fmt == "json":
        tracking = answer.json()[0]["service_request_id"]
    else:
        tracking = ET.fromstring(answer.content).find("request/service_request_id").text

    read = client.get_service_request(tracking)
    assert read["service_request_id"] == tracking and read["status"] == "open"
    assert read["service_code"] == "jalan-rusak" and read["description"] == "Lubang besar di depan sekolah."
    listed = client.get_service_requests(service_request_id=tracking)
    listed = listed if isinstance(listed, list) else [listed]
    assert [r["service_request_id"] for r in listed] == [tracking]
    image = requests.get(read["media_url"], timeout=30)
    assert image.status_code == 200 and image.headers["Content-Type"] == "image/jpeg"
    assert Complaint.objects.get(tracking_number=tracking).source == "open311"


def test_markup_and_control_characters_cannot_break_the_xml(client, city):
    complaint = public_report(city, description="Lubang <besar> & dalam\x07 di \"jalan\" ]]> sekolah")
    row = xml_data(parse(client.get(f"{BASE}requests/{complaint.tracking_number}.xml"), "xml"))[0]
    assert row["description"] == "Lubang <besar> & dalam di \"jalan\" ]]> sekolah"
    assert client.get(f"{BASE}requests.json").json()[0]["description"] == complaint.description  # JSON: as it is
