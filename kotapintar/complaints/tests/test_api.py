"""The complaints REST API: the access contract of every endpoint, the flows of citizens and officials,
what the public never sees, bad input, floods, conflicts and constant query counts."""

import io
import json
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image
from rest_framework.test import APIClient

from kotapintar.complaints.models import Complaint, ComplaintCategory, ComplaintUpdate, ServiceStandard
from kotapintar.complaints.services import reports as svc
from kotapintar.complaints.services.standards import service_standard_save
from kotapintar.complaints.tests.factories import (
    BANDUNG_CENTRE,
    MANADO_CENTRE,
    another_modules_service,
    city_with_categories,
    committed,
    jpeg_with_gps,
    report,
)
from kotapintar.core.models import Department, Document, Membership
from kotapintar.core.services.documents import document_path
from kotapintar.core.testing import Endpoint, ModuleEndpointTests, make_user, only

VERIFIER, ADMINS = ("complaint_verifier",), ("complaint_admin", "city_admin")
MERGE_INTO = "LP-2222-2222"
CONFIRM_CODE = "kode-konfirmasi-uji"
NEW_REPORT = {"category": "sampah", "description": "Sampah menumpuk di depan pasar sejak kemarin.",
              "lat": BANDUNG_CENTRE[0], "lng": BANDUNG_CENTRE[1], "email": "warga.baru@example.id"}
STANDARD = {"code": "akta-lahir", "name": "Akta kelahiran", "department": "DLH", "requirements": "KTP\nKK",
            "procedure": "Daftar\nTerima akta", "service_time": "3 hari kerja", "cost": "Gratis",
            "product": "Akta kelahiran", "complaint_channel": "LAPOR!"}


def api(city, path=""):
    return f"/api/v1/cities/{city.slug}/complaints/{path}"


def client_for(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


class TestComplaintEndpoints(ModuleEndpointTests):
    """Every endpoint, with its anonymous / wrong role / other city / other city's object / module
    switched off checks. "Right role" for the reporter's endpoints (info, rate) is being the reporter."""

    module = "complaints"
    endpoints = [
        Endpoint("complaints-api:category-list", public=True),
        Endpoint("complaints-api:category-detail", public=True, detail=True, lookup="code", lookup_attr="code"),
        Endpoint("complaints-api:category-list", "post", roles=ADMINS, ok=201,
                 data={"code": "banjir", "name": "Banjir", "department": "PUPR"}),
        Endpoint("complaints-api:category-detail", "patch", roles=ADMINS, detail=True, lookup="code",
                 lookup_attr="code", data={"name": "Jalan berlubang"}),
        Endpoint("complaints-api:report-list", roles=(*VERIFIER, "complaint_supervisor", *ADMINS)),
        Endpoint("complaints-api:report-list", "post", public=True, ok=201, data=NEW_REPORT),
        Endpoint("complaints-api:report-detail", public=True, detail=True, lookup="tracking",
                 lookup_attr="tracking_number"),
        Endpoint("complaints-api:report-act", "post", roles=VERIFIER, detail=True, lookup="tracking",
                 lookup_attr="tracking_number", data={"action": "verify", "expected_state": "submitted"}),
        Endpoint("complaints-api:report-assign", "post", roles=VERIFIER, detail=True, lookup="tracking",
                 lookup_attr="tracking_number", data={"department": "PUPR"}),
        Endpoint("complaints-api:report-comments", public=True, detail=True, lookup="tracking",
                 lookup_attr="tracking_number"),
        Endpoint("complaints-api:report-comments", "post", roles=VERIFIER, detail=True, lookup="tracking",
                 lookup_attr="tracking_number", ok=201, data={"text": "Akan kami cek besok.", "internal": False}),
        Endpoint("complaints-api:report-info", "post", detail=True, lookup="tracking",
                 lookup_attr="tracking_number", ok=201, data={"text": "Sekarang sudah meluber ke jalan."}),
        Endpoint("complaints-api:report-merge", "post", roles=VERIFIER, detail=True, lookup="tracking",
                 lookup_attr="tracking_number", data={"into": MERGE_INTO}),
        Endpoint("complaints-api:report-moderate", "post", roles=VERIFIER, detail=True, lookup="tracking",
                 lookup_attr="tracking_number", data={"hidden": True, "reason": "Kata-kata kasar"}),
        Endpoint("complaints-api:report-support", "post", detail=True, lookup="tracking",
                 lookup_attr="tracking_number"),
        Endpoint("complaints-api:report-rate", "post", detail=True, lookup="tracking",
                 lookup_attr="tracking_number", data={"rating": 5, "comment": "Cepat"}),
        Endpoint("complaints-api:report-confirm", "post", public=True, detail=True, lookup="tracking",
                 lookup_attr="tracking_number", data={"code": CONFIRM_CODE}),
        Endpoint("complaints-api:public-report-list", public=True),
        Endpoint("complaints-api:nearby", public=True, data={"lat": BANDUNG_CENTRE[0], "lng": BANDUNG_CENTRE[1]}),
        Endpoint("complaints-api:stats", public=True),
        Endpoint("complaints-api:services", public=True),
        Endpoint("complaints-api:standard-list", roles=ADMINS),
        Endpoint("complaints-api:standard-list", "post", roles=ADMINS, ok=201, data=STANDARD),
        Endpoint("complaints-api:standard-detail", roles=ADMINS, detail=True, lookup="code", lookup_attr="code"),
        Endpoint("complaints-api:standard-detail", "patch", roles=ADMINS, detail=True, lookup="code",
                 lookup_attr="code", data={"cost": "Rp 10.000"}),
    ]
    SIGNED_IN = {"complaints-api:report-support"}  # any signed-in person, whatever their roles

    @pytest.fixture
    def city(self, db):
        return city_with_categories()

    @pytest.fixture
    def other_city(self, db):
        return city_with_categories("71.71", "manado")

    def make_object(self, city, endpoint):
        name = endpoint.name.split(":")[1]
        if name.startswith("category"):  # a code only this city has: another city's is never found by it
            return ComplaintCategory.objects.filter(city=city, code=f"kategori-{city.slug}").first() or \
                svc_category(city, f"kategori-{city.slug}")
        if name.startswith("standard"):
            return ServiceStandard.objects.filter(city=city, code=f"layanan-{city.slug}").first() or \
                service_standard_save(city=city, actor=None, code=f"layanan-{city.slug}",
                                      department=Department.objects.get(city=city, code="DLH"),
                                      **{k: v for k, v in STANDARD.items() if k not in ("code", "department")})
        if name == "report-confirm":
            complaint = report(city, reporter_email="tanpa.akun@example.id")
            Complaint.objects.filter(pk=complaint.pk).update(confirm_code=CONFIRM_CODE)
            return complaint
        if name in ("report-info", "report-rate"):  # the "right role" is being its reporter
            reporter = get_user_model().objects.filter(username="rightrole").first() or citizen(city)
            complaint = report(city, reporter)
            if name == "report-rate":
                verifier = make_user(f"verif-{city.slug}-{complaint.pk}", city=city, roles=VERIFIER)
                svc.complaint_act(complaint=complaint, action="verify", actor=verifier)
                complaint = svc.complaint_act(complaint=complaint, action="resolve", actor=verifier,
                                              comment="Sudah diangkut.")
            return complaint
        if name == "report-merge" and not Complaint.objects.filter(city=city, tracking_number=MERGE_INTO).exists():
            target = report(city, citizen(city))
            Complaint.objects.filter(pk=target.pk).update(tracking_number=MERGE_INTO)
        return report(city, citizen(city))

    def test_wrong_role_is_refused(self, endpoint, city):
        """A signed-in person without a complaint role lists only their own reports (none here) and may
        support a report."""
        mine_only = endpoint.name == "complaints-api:report-list" and endpoint.method == "get"
        if not mine_only and endpoint.name not in self.SIGNED_IN:
            return super().test_wrong_role_is_refused(endpoint, city)
        user = make_user("wrongrole", city=city, roles=[self.wrong_role(endpoint)])
        report(city, citizen(city))
        response = self.call(endpoint, city, user)
        assert response.status_code == endpoint.ok, response.content
        if mine_only:
            assert response.json()["count"] == 0

    @only(lambda e: not e.public)
    def test_role_in_another_city_does_not_count(self, endpoint, city, other_city):
        user = make_user("elsewhere", city=other_city, roles=endpoint.roles[:1])
        response = self.call(endpoint, city, user)
        if endpoint.name == "complaints-api:report-list":
            assert response.status_code == 200 and response.json()["count"] == 0
        elif endpoint.name in self.SIGNED_IN:
            assert response.status_code == endpoint.ok
        else:
            assert response.status_code == 403, response.content


def svc_category(city, code):
    from kotapintar.complaints.services.categories import category_save

    return category_save(city=city, actor=None, code=code, name=f"Kategori {city.name}",
                         department=Department.objects.get(city=city, code="PUPR"))


def citizen(city, **fields):
    return make_user(f"warga-{city.slug}-{get_user_model().objects.count()}", **fields)


# -- flows ----------------------------------------------------------------------------------------
@pytest.fixture
def city(db):
    return city_with_categories()


@pytest.fixture
def people(city):
    officer = make_user("petugas", city=city)
    Membership.objects.create(user=officer, city=city, role="complaint_officer",
                              department=Department.objects.get(city=city, code="DLH"))
    return {"citizen": make_user("warga", full_name="Siti Rahmawati"), "other": make_user("tetangga"),
            "verifier": make_user("verifikator", city=city, roles=VERIFIER), "officer": officer,
            "admin": make_user("admin.aduan", city=city, roles=["complaint_admin"])}


def test_a_citizen_files_a_report_with_a_photo_stripped_of_its_location(city, people, mailoutbox):
    client = client_for(people["citizen"])
    with committed():
        response = client.post(api(city, "reports/"), {
            "category": "jalan-rusak", "description": "Lubang besar di depan sekolah, berbahaya.",
            "lat": BANDUNG_CENTRE[0], "lng": BANDUNG_CENTRE[1], "address": "Jl. Asia Afrika",
            "attributes": json.dumps({"ukuran": "besar", "kedalaman_cm": "15"}), "visibility": "anonymous",
            "photos": [jpeg_with_gps()]}, format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "submitted" and body["tracking_number"].startswith("LP-")
    assert body["attributes"] == {"ukuran": "besar", "kedalaman_cm": "15"} and body["department"] == "PUPR"
    assert body["reporter"]["name"] == "Siti Rahmawati" and len(body["photos"]) == 1
    complaint = Complaint.objects.get(tracking_number=body["tracking_number"])
    assert complaint.source == "api" and complaint.reporter == people["citizen"]
    stored = document_path(complaint.photo).read_bytes()
    assert b"KameraMerk" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert not image.getexif().get_ifd(0x8825)
    assert len(mailoutbox) == 1 and body["tracking_number"] in mailoutbox[0].subject
    public = client_for().get(api(city, f"reports/{body['tracking_number']}/")).json()
    assert public["photos"] == body["photos"] and "reporter" not in public and "attributes" not in public
    photo = client_for().get(body["photos"][0])  # a public report's photo, for everyone
    assert photo.status_code == 200 and b"KameraMerk" not in b"".join(photo.streaming_content)
    # the citizen follows it: in their own list, and in full
    mine = client.get(api(city, "reports/")).json()
    assert [r["tracking_number"] for r in mine["results"]] == [body["tracking_number"]]
    assert client.get(api(city, f"reports/{body['tracking_number']}/")).json()["reporter"]["email"] == \
        "warga@example.id"


def test_without_an_account_the_report_is_confirmed_by_the_emailed_code(city, mailoutbox):
    anonymous = client_for()
    with committed():
        response = anonymous.post(api(city, "reports/"), {**NEW_REPORT, "name": "Budi"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json() == {"tracking_number": response.json()["tracking_number"], "state": "unconfirmed"}
    tracking = response.json()["tracking_number"]
    complaint = Complaint.objects.get(tracking_number=tracking)
    assert complaint.confirm_code in mailoutbox[0].body
    assert anonymous.get(api(city, f"reports/{tracking}/")).status_code == 404  # not public until confirmed
    assert anonymous.get(api(city, "reports/")).status_code in (401, 403)  # no full list for anonymous
    wrong = anonymous.post(api(city, f"reports/{tracking}/confirm/"), {"code": "tebakan"}, format="json")
    assert wrong.status_code == 403
    right = anonymous.post(api(city, f"reports/{tracking}/confirm/"), {"code": complaint.confirm_code},
                           format="json")
    assert right.status_code == 200 and right.json()["state"] == "submitted"
    public = anonymous.get(api(city, f"reports/{tracking}/"))
    assert public.status_code == 200 and "Budi" not in public.content.decode()
    assert "warga.baru@example.id" not in public.content.decode()


def test_officials_verify_assign_reply_and_resolve_and_the_citizen_rates(city, people, mailoutbox):
    citizen_, verifier, officer = people["citizen"], people["verifier"], people["officer"]
    tracking = report(city, citizen_).tracking_number
    url = api(city, f"reports/{tracking}/")
    as_verifier, as_officer, as_citizen = client_for(verifier), client_for(officer), client_for(citizen_)

    listed = as_verifier.get(api(city, "reports/"), {"state": "submitted"}).json()
    assert [r["tracking_number"] for r in listed["results"]] == [tracking]
    assert as_officer.get(api(city, "reports/")).json()["count"] == 0  # not verified yet: not in their queue
    response = as_verifier.post(url + "act/", {"action": "verify", "expected_state": "submitted"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "verified"
    response = as_verifier.post(url + "assign/", {"department": "DLH", "username": "petugas"}, format="json")
    assert response.status_code == 200 and response.json()["assigned_to"] == "petugas"
    assert [r["tracking_number"] for r in as_officer.get(api(city, "reports/")).json()["results"]] == [tracking]

    note = as_officer.post(url + "comments/", {"text": "Butuh truk tambahan.", "internal": True}, format="json")
    reply = as_officer.post(url + "comments/", {"text": "Truk dijadwalkan besok pagi."}, format="json")
    assert note.status_code == reply.status_code == 201
    assert as_officer.post(url + "act/", {"action": "resolve"}, format="json").status_code == 400  # no answer
    with committed():
        response = as_officer.post(url + "act/", {"action": "resolve", "comment": "Sudah diangkut.",
                                                  "expected_state": "verified"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "resolved"
    assert any("Sudah diangkut." in m.body for m in mailoutbox)

    # the citizen sees the handling (not the internal note) and rates it
    mine = as_citizen.get(url).json()
    assert mine["state"] == "resolved" and mine["status_notes"] == "Sudah diangkut."
    assert "close" in mine["actions"] and "reopen" in mine["actions"]
    texts = [u["text"] for u in as_citizen.get(url + "comments/").json()]
    assert "Truk dijadwalkan besok pagi." in texts and "Butuh truk tambahan." not in texts
    official_texts = [u["text"] for u in as_officer.get(url + "comments/").json()]
    assert "Butuh truk tambahan." in official_texts
    public = client_for().get(url + "comments/").json()
    assert "Butuh truk tambahan." not in str(public) and all("author" not in u for u in public)
    assert client_for(people["other"]).post(url + "rate/", {"rating": 1}, format="json").status_code == 403
    assert as_citizen.post(url + "rate/", {"rating": 9}, format="json").status_code == 400
    response = as_citizen.post(url + "rate/", {"rating": 5, "comment": "Cepat sekali"}, format="json")
    assert response.status_code == 200 and response.json()["rating"] == 5
    assert as_citizen.post(url + "rate/", {"rating": 4}, format="json").status_code == 400  # only once


def test_an_address_without_a_pin_places_the_report_in_its_kecamatan(city, people):
    coblong = city.districts.get(name="Coblong")
    response = client_for(people["citizen"]).post(api(city, "reports/"), {
        **NEW_REPORT, "lat": None, "lng": None, "address": "Jl. Ir. H. Juanda, Coblong"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["district"] == "Coblong"
    assert (response.json()["lat"], response.json()["lng"]) == (coblong.lat, coblong.lng)
    response = client_for(people["citizen"]).post(api(city, "reports/"), {
        **NEW_REPORT, "lat": None, "lng": None, "address": "dekat rumah saya"}, format="json")
    assert response.status_code == 400 and "location" in response.json()


def test_an_internal_notes_photo_stays_with_the_officials(city, people):
    complaint = report(city, people["citizen"])
    url = api(city, f"reports/{complaint.tracking_number}/")
    officer = client_for(people["verifier"])
    note = officer.post(url + "comments/", {"text": "Foto lokasi dari petugas.", "internal": True,
                                            "photo": jpeg_with_gps()}, format="multipart")
    assert note.status_code == 201 and note.json()["photo"]
    assert officer.get(url).json()["photos"] == [note.json()["photo"]]
    assert client_for().get(url).json()["photos"] == []
    assert client_for(people["citizen"]).get(url + "comments/").json() == []
    assert client_for().get(note.json()["photo"]).status_code == 404


def test_actions_refused_with_the_right_status(city, people):
    tracking = report(city, people["citizen"]).tracking_number
    url = api(city, f"reports/{tracking}/act/")
    verifier = client_for(people["verifier"])
    assert client_for(people["citizen"]).post(url, {"action": "verify"}, format="json").status_code == 403
    assert verifier.post(url, {"action": "fly"}, format="json").status_code == 400
    assert verifier.post(url, {"action": "reject"}, format="json").status_code == 400  # needs a reason
    assert verifier.post(url, {"action": "verify", "expected_state": "submitted"}, format="json").status_code == 200
    stale = verifier.post(url, {"action": "reject", "comment": "Bukan masalah", "expected_state": "submitted"},
                          format="json")
    assert stale.status_code == 409 and stale.json()["detail"]
    assert Complaint.objects.get(tracking_number=tracking).state == "verified"


def test_the_public_never_sees_personal_data(city, people):
    siti = people["citizen"]
    User = get_user_model()
    User.objects.filter(pk=siti.pk).update(email="siti.rahma@example.id")
    siti.refresh_from_db()
    shown = report(city, siti, reporter_phone="081234567890", description="Saluran tersumbat di Jl. Merdeka.")
    hidden_name = report(city, siti, visibility="anonymous", reporter_phone="081234567890")
    secret = report(city, siti, visibility="confidential", description="Pungutan liar di loket kelurahan.")
    anonymous = client_for()
    listing = anonymous.get(api(city, "public/reports/"))
    nearby = anonymous.get(api(city, "nearby/"), {"lat": city.lat, "lng": city.lng})
    details = [anonymous.get(api(city, f"reports/{c.tracking_number}/")) for c in (shown, hidden_name)]
    comments = anonymous.get(api(city, f"reports/{shown.tracking_number}/comments/"))
    for response in (listing, nearby, *details, comments):
        text = response.content.decode()
        assert response.status_code == 200
        for personal in ("Siti", "Rahmawati", "siti.rahma", "081234567890", "warga"):
            assert personal not in text, (personal, response.request["PATH_INFO"])
    assert {r["tracking_number"] for r in listing.json()["results"]} == {shown.tracking_number,
                                                                         hidden_name.tracking_number}
    assert len(nearby.json()) == 2 and all(r["distance_m"] < 50 for r in nearby.json())
    # the confidential report: only its reporter and the officials
    url = api(city, f"reports/{secret.tracking_number}/")
    assert anonymous.get(url).status_code == 404
    assert client_for(people["other"]).get(url).status_code == 404
    assert client_for(people["other"]).get(url + "comments/").status_code == 404
    assert client_for(siti).get(url).json()["reporter"]["phone"] == ""
    assert client_for(people["verifier"]).get(url).json()["reporter"]["email"] == "siti.rahma@example.id"


@pytest.mark.parametrize("changes, field", [
    ({"lat": None, "lng": None}, "location"),
    ({"lat": MANADO_CENTRE[0], "lng": MANADO_CENTRE[1]}, "location"),
    ({"lat": "abc"}, "lat"),
    ({"category": "naga-terbang"}, "category"),
    ({"category": "jalan-rusak", "attributes": json.dumps({"ukuran": "raksasa"})}, "attribute[ukuran]"),
    ({"category": "jalan-rusak", "attributes": json.dumps({"ukuran": "besar", "warna": "merah"})},
     "attribute[warna]"),
    ({"attributes": "{not json"}, "attributes"),
    ({"photos": "fake"}, "detail"),
    ({"photos": "big"}, "detail"),
    ({"photos": "four"}, "detail"),
    ({"visibility": "everyone"}, "visibility"),
])
def test_bad_input_is_refused_and_nothing_is_stored(city, people, changes, field):
    data = {**NEW_REPORT, "photos": [jpeg_with_gps()], **changes}
    data = {k: v for k, v in data.items() if v is not None}
    if changes.get("photos") == "fake":
        data["photos"] = [SimpleUploadedFile("foto.jpg", b"MZ\x90\x00 this is a program, not a photo" * 10)]
    elif changes.get("photos") == "big":  # a real JPEG padded beyond the 5 MB limit
        data["photos"] = [SimpleUploadedFile("foto.jpg", jpeg_with_gps().read() + b"\0" * (5 * 1024 * 1024))]
    elif changes.get("photos") == "four":
        data["photos"] = [jpeg_with_gps() for _ in range(4)]
    response = client_for(people["citizen"]).post(api(city, "reports/"), data, format="multipart")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert not Complaint.objects.exists() and not Document.objects.exists()


def test_bad_json_input_is_refused(city, people):
    client = client_for(people["citizen"])
    response = client.post(api(city, "reports/"), {**NEW_REPORT, "attributes": ["ukuran"]}, format="json")
    assert response.status_code == 400 and "attributes" in response.json()
    response = client.post(api(city, "reports/"), {"description": "x"}, format="json")
    assert response.status_code == 400 and "category" in response.json()
    assert not Complaint.objects.exists()


@override_settings(KOTAPINTAR_COMPLAINT_LIMITS={"person": (2, 600)})
def test_a_flood_of_reports_gets_429(city, people):
    client = client_for(people["citizen"])
    for _ in range(2):
        assert client.post(api(city, "reports/"), NEW_REPORT, format="json").status_code == 201
    response = client.post(api(city, "reports/"), NEW_REPORT, format="json")
    assert response.status_code == 429 and response.json()["detail"]
    assert Complaint.objects.count() == 2
    anonymous = client_for()  # without an account, the e-mail address is the person
    for _ in range(2):
        anonymous.post(api(city, "reports/"), {**NEW_REPORT, "email": "banjir@example.id"}, format="json")
    assert anonymous.post(api(city, "reports/"), {**NEW_REPORT, "email": "banjir@example.id"},
                          format="json").status_code == 429


def test_duplicates_moderation_support_and_more_information(city, people):
    first = report(city, people["citizen"])
    second = report(city, people["other"])
    verifier, other = client_for(people["verifier"]), client_for(people["other"])
    assert client_for(people["citizen"]).post(api(city, f"reports/{first.tracking_number}/support/")).status_code \
        == 400  # one's own report
    response = other.post(api(city, f"reports/{first.tracking_number}/support/"))
    assert response.status_code == 200 and response.json()["supporters"] == 1
    response = verifier.post(api(city, f"reports/{second.tracking_number}/merge/"), {"into": "LP-XXXX-XXXX"},
                             format="json")
    assert response.status_code == 400 and "into" in response.json()
    response = verifier.post(api(city, f"reports/{second.tracking_number}/merge/"),
                             {"into": first.tracking_number.lower()}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "duplicate"
    assert response.json()["duplicate_of"] == first.tracking_number

    url = api(city, f"reports/{first.tracking_number}/")
    response = client_for(people["citizen"]).post(url + "info/", {"text": "kata-kata kasar", "photo": jpeg_with_gps()},
                                                  format="multipart")
    assert response.status_code == 201
    assert response.json()["photo"].startswith(f"/bandung/complaints/r/{first.tracking_number}/photo/")
    assert other.post(url + "info/", {"text": "bukan saya"}, format="json").status_code == 403
    update, photo = response.json()["id"], response.json()["photo"]
    assert client_for().get(url).json()["photos"] == [photo]
    assert verifier.post(url + "moderate/", {"hidden": True, "update": update}, format="json").status_code == 400
    assert verifier.post(url + "moderate/", {"hidden": True, "update": 999999, "reason": "x"},
                         format="json").status_code == 400
    assert verifier.post(url + "moderate/", {"hidden": True, "update": update, "reason": "Kasar"},
                         format="json").status_code == 200
    assert "kata-kata kasar" not in client_for().get(url + "comments/").content.decode()
    assert client_for().get(url).json()["photos"] == []  # the hidden message's photo with it
    assert client_for(people["verifier"]).get(url).json()["photos"] == [photo]
    assert verifier.post(url + "moderate/", {"hidden": True, "reason": "Kasar"}, format="json").status_code == 200
    assert client_for().get(url).status_code == 404
    public = client_for().get(api(city, "public/reports/")).json()["results"]
    assert first.tracking_number not in [r["tracking_number"] for r in public]
    assert client_for(people["citizen"]).get(url).json()["hidden"] is True  # the reporter still sees it
    assert ComplaintUpdate.objects.get(pk=update).hidden


def test_filters_of_the_officials_list_and_the_public_list(city, people):
    a = report(city, people["citizen"])
    b = report(city, people["citizen"], code="jalan-rusak")
    svc.complaint_act(complaint=a, action="verify", actor=people["verifier"])
    Complaint.objects.filter(pk=b.pk).update(due_at=b.created_at.replace(year=2020))
    verifier = client_for(people["verifier"])

    def listed(params, client=verifier, path="reports/"):
        response = client.get(api(city, path), params)
        assert response.status_code == 200, response.content
        return {r["tracking_number"] for r in response.json()["results"]}

    assert listed({"state": "verified"}) == {a.tracking_number}
    assert listed({"category": "jalan-rusak"}) == {b.tracking_number}
    assert listed({"department": "DLH"}) == {a.tracking_number}
    assert listed({"overdue": "true"}) == {b.tracking_number}
    assert listed({"district": "none"}) == set()
    assert verifier.get(api(city, "reports/"), {"state": "flying"}).status_code == 400
    public = client_for()
    assert listed({"state": "open"}, public, "public/reports/") == {a.tracking_number, b.tracking_number}
    assert listed({"state": "closed"}, public, "public/reports/") == set()
    assert listed({"category": "sampah"}, public, "public/reports/") == {a.tracking_number}
    assert listed({"start": "2000-01-01", "end": "2000-12-31"}, public, "public/reports/") == set()
    today = a.created_at.astimezone(ZoneInfo(city.timezone)).date().isoformat()  # the city's date
    assert listed({"start": today, "end": today}, public, "public/reports/") == {a.tracking_number,
                                                                                 b.tracking_number}
    assert public.get(api(city, "public/reports/"), {"start": "kemarin"}).status_code == 400
    assert public.get(api(city, "public/reports/"), {"state": "flying"}).status_code == 400
    assert listed({"mine": "1"}, client_for(people["citizen"])) == {a.tracking_number, b.tracking_number}
    assert listed({"mine": "1"}) == set()  # the verifier filed nothing


def test_nearby_needs_a_point(city):
    assert client_for().get(api(city, "nearby/")).status_code == 400
    assert client_for().get(api(city, "nearby/"), {"lat": city.lat, "lng": city.lng,
                                                   "category": "naga"}).status_code == 400


def test_categories_defined_by_the_complaint_administrator(city, people):
    admin = client_for(people["admin"])
    url = api(city, "categories/")
    definition = {"code": "banjir", "name": "Banjir", "department": "PUPR",
                  "questions": [{"code": "kedalaman_cm", "label": "Kedalaman (cm)", "type": "number",
                                 "required": True}]}
    response = admin.post(url, definition, format="json")
    assert response.status_code == 201 and response.json()["questions"][0]["code"] == "kedalaman_cm"
    assert admin.post(url, definition, format="json").status_code == 400  # the code is taken
    bad = {**definition, "code": "kebakaran", "questions": [{"code": "a", "label": "A", "type": "singlevaluelist"}]}
    assert admin.post(url, bad, format="json").status_code == 400
    assert admin.post(url, {**definition, "code": "x", "department": "BAPPEDA"}, format="json").status_code == 400
    assert not ComplaintCategory.objects.filter(code__in=("kebakaran", "x")).exists()
    response = admin.patch(url + "banjir/", {"active": False}, format="json")
    assert response.status_code == 200 and response.json()["active"] is False
    assert response.json()["questions"][0]["code"] == "kedalaman_cm"  # unchanged by a partial update
    public = client_for().get(url).json()
    assert "banjir" not in [c["code"] for c in public] and "jalan-rusak" in [c["code"] for c in public]
    assert client_for().get(url + "banjir/").status_code == 404
    questions = client_for().get(url + "jalan-rusak/").json()["questions"]
    assert [q["code"] for q in questions] == ["ukuran", "kedalaman_cm"]


def test_standards_statistics_and_the_service_catalogue(city, people):
    from kotapintar.core.testing import set_module

    admin = client_for(people["admin"])
    response = admin.post(api(city, "standards/"), STANDARD, format="json")
    assert response.status_code == 201, response.content
    assert admin.post(api(city, "standards/"), {**STANDARD, "code": "kosong", "cost": ""},
                      format="json").status_code == 400
    assert admin.patch(api(city, "standards/akta-lahir/"), {"cost": "Rp 0"}, format="json").json()["cost"] == "Rp 0"
    with another_modules_service(city):
        catalogue = client_for().get(api(city, "services/")).json()
        assert {e["source"] for e in catalogue} == {"complaints", "extra"}
        assert next(e for e in catalogue if e["code"] == "akta-lahir")["requirements"] == ["KTP", "KK"]
        assert next(e for e in catalogue if e["code"] == "pbg")["url"] == "/bandung/extra/pbg/"
        set_module(city, "extra", False)
        assert {e["source"] for e in client_for().get(api(city, "services/")).json()} == {"complaints"}

    a = report(city, people["citizen"])
    report(city, people["citizen"], code="jalan-rusak")
    svc.complaint_act(complaint=a, action="verify", actor=people["verifier"])
    svc.complaint_act(complaint=a, action="resolve", actor=people["verifier"], comment="Selesai.")
    stats = client_for().get(api(city, "stats/")).json()
    assert stats["total"] == 2 and stats["per_state"] == {"resolved": 1, "submitted": 1}
    assert {c["code"]: c["count"] for c in stats["per_category"]} == {"sampah": 1, "jalan-rusak": 1}
    assert stats["median_days_to_resolve"] == 0
    assert client_for().get(api(city, "stats/"), {"start": "2000-01-01", "end": "2000-01-31"}).json()["total"] == 0
    assert client_for().get(api(city, "stats/"), {"start": "2030-01-01", "end": "2000-01-31"}).status_code == 400


# -- query counts ---------------------------------------------------------------------------------
def _rows(body):
    return body["results"] if isinstance(body, dict) else body


def _queries(client, url, params=None):
    client.get(url, params)  # caches of cities and module switches warm
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, response.content
    return len(captured.captured_queries), response


@pytest.mark.parametrize("who, path, params", [
    ("anonymous", "public/reports/", None),
    ("anonymous", "nearby/", "centre"),
    ("verifier", "reports/", None),
    ("officer", "reports/", None),
    ("citizen", "reports/", None),
    ("anonymous", "categories/", None),
])
def test_list_endpoints_run_a_constant_number_of_queries(city, people, who, path, params):
    params = {"lat": city.lat, "lng": city.lng} if params == "centre" else params
    client = client_for(people.get(who))

    def add(n):
        for _ in range(n):
            complaint = report(city, people["citizen"], check_limits=False)
            svc.complaint_act(complaint=complaint, action="verify", actor=people["verifier"])

    add(3)
    few, response = _queries(client, api(city, path), params)
    if path != "categories/":
        assert len(_rows(response.json())) == 3
    add(27)
    many, response = _queries(client, api(city, path), params)
    if path != "categories/":
        assert len(_rows(response.json())) == (10 if path == "nearby/" else 30)  # nearby: the 10 nearest
    assert many == few <= 8


def test_the_openapi_schema_documents_the_api_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    schema = (tmp_path / "schema.yaml").read_text()
    for path in ("complaints/reports/{tracking}/act/", "complaints/public/reports/", "complaints/nearby/",
                 "complaints/standards/{code}/", "complaints/categories/{code}/"):
        assert path in schema


def test_another_city_and_the_switch(city, people):
    manado = city_with_categories("71.71", "manado")
    foreign = report(manado, people["citizen"])
    client = client_for(people["verifier"])
    assert client.get(api(city, f"reports/{foreign.tracking_number}/")).status_code == 404
    assert client_for(people["citizen"]).get(api(city, f"reports/{foreign.tracking_number}/")).status_code == 404
    response = client_for(people["citizen"]).post(api(city, "reports/"), {**NEW_REPORT, "category": "sampah",
                                                                          "lat": manado.lat, "lng": manado.lng},
                                                  format="json")
    assert response.status_code == 400 and "location" in response.json()
    assert reverse("complaints-api:report-list", kwargs={"city": "bandung"}) == api(city, "reports/")
