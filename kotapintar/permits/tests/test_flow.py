"""The whole licensing flow through the REST API, in Bandung (WIB) and Manado (WITA)."""

import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from kotapintar.core.models import AuditEntry, Document, Notification
from kotapintar.core.services.documents import document_path
from kotapintar.core.services.workflow import workflow_deadlines_run
from kotapintar.core.testing import make_city, make_user
from kotapintar.permits.demo import SAMPLE_DATA, install_standard_types
from kotapintar.permits.models import Invoice, PaymentCallback, Permit, PermitApplication
from kotapintar.permits.services.payments import simulated_bank_callback
from kotapintar.permits.signing import verify_pdf

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(params=[("32.73", "bandung"), ("71.71", "manado")], ids=["bandung", "manado"])
def city(request, db):
    city = make_city(*request.param)
    install_standard_types(city)
    return city


@pytest.fixture
def people(city):
    return {
        "citizen": make_user("warga", nik="3273014506900002", full_name="Siti Rahmawati"),
        "verifier": make_user("verifikator", city=city, roles=["permit_verifier"]),
        "inspector": make_user("teknis", city=city, roles=["permit_inspector"]),
        "head": make_user("kepala", city=city, roles=["permit_head"], full_name="Ir. Budi Santoso"),
    }


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def api(city, path=""):
    return f"/api/v1/cities/{city.slug}/permits/{path}"


def upload(client, city, pk, key, content, name="doc.pdf"):
    return client.post(api(city, f"applications/{pk}/documents/"),
                       {"key": key, "file": SimpleUploadedFile(name, content)}, format="multipart")


def complete_draft(client, city, code):
    response = client.post(api(city, "applications/"), {"permit_type": code, "data": SAMPLE_DATA[code]},
                           format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    for requirement in client.get(api(city, f"types/{code}/")).json()["documents"]:
        content = PDF if "pdf" in requirement.get("types", ["pdf"]) else png()
        assert upload(client, city, pk, requirement["key"], content).status_code == 201
    return pk


def post_callback(city, body, headers):
    return APIClient().post(api(city, "payments/simulated/callback/"), data=body, content_type="application/json",
                            headers=headers)


def test_full_flow_from_application_to_verified_signed_permit(city, people, django_capture_on_commit_callbacks):
    citizen = client_for(people["citizen"])
    pk = complete_draft(citizen, city, "pbg")

    # Submit: registration number, fee from the formula, due date from the working-day calendar.
    with django_capture_on_commit_callbacks(execute=True):
        response = citizen.post(api(city, f"applications/{pk}/submit/"))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "submitted"
    assert body["registration_number"].startswith(city.region_code.replace(".", "") + "-")
    assert body["fee_amount"] == "1800000.00"  # 120 m² x 1.5 x Rp10.000
    assert Notification.objects.filter(user=people["citizen"]).exists()

    # Submitting twice is refused.
    assert citizen.post(api(city, f"applications/{pk}/submit/")).status_code == 400

    # The verifier returns it: the site photo... here the land certificate must be replaced.
    verifier = client_for(people["verifier"])
    response = verifier.post(api(city, f"applications/{pk}/act/"),
                             {"action": "return", "comment": "Sertifikat tidak terbaca",
                              "return_fields": ["sertifikat_tanah"], "expected_state": "submitted"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "returned"

    # The applicant may fix only what was asked.
    response = citizen.patch(api(city, f"applications/{pk}/"), {"data": {"luas_bangunan": "10"}}, format="json")
    assert response.status_code == 400 and "luas_bangunan" in response.json()
    assert upload(citizen, city, pk, "ktp", PDF).status_code == 400
    assert upload(citizen, city, pk, "sertifikat_tanah", PDF).status_code == 201
    assert citizen.post(api(city, f"applications/{pk}/submit/")).json()["state"] == "submitted"

    # Verify, inspect, approve -> SKRD invoice.
    assert verifier.post(api(city, f"applications/{pk}/act/"), {"action": "verify"}, format="json").status_code == 200
    inspector = client_for(people["inspector"])
    assert inspector.post(api(city, f"applications/{pk}/act/"), {"action": "inspect"}, format="json").status_code == 200
    head = client_for(people["head"])
    response = head.post(api(city, f"applications/{pk}/act/"), {"action": "approve"}, format="json")
    assert response.json()["state"] == "awaiting_payment"
    invoice = response.json()["invoice"]
    assert invoice["amount"] == "1800000.00" and invoice["amount_in_words"] == "satu juta delapan ratus ribu rupiah"

    # Payment: forged, wrong amount, then the real callback, then its retry.
    invoice_row = Invoice.objects.get(application_id=pk)
    body, headers = simulated_bank_callback(invoice_row, transaction_id="BANK-1")
    assert post_callback(city, body, {**headers, "X-Signature": "0" * 64}).status_code == 403
    wrong, wrong_headers = simulated_bank_callback(invoice_row, amount=invoice_row.amount - 1, transaction_id="BANK-0")
    assert post_callback(city, wrong, wrong_headers).status_code == 422
    assert PermitApplication.objects.get(pk=pk).state == "awaiting_payment"
    response = post_callback(city, body, headers)
    assert response.status_code == 200 and response.json()["status"] == "paid"
    again = post_callback(city, body, headers)
    assert again.status_code == 200 and again.json()["status"] == "already processed"
    assert PaymentCallback.objects.filter(invoice=invoice_row).count() == 1

    # The permit: numbered, signed, downloadable by the applicant, verifiable by anyone.
    application = citizen.get(api(city, f"applications/{pk}/")).json()
    assert application["state"] == "issued"
    permit = Permit.objects.get(application_id=pk)
    year = timezone.now().year
    assert permit.number == f"503/0001/PBG/DPMPTSP/{year}"
    pdf = document_path(permit.document).read_bytes()
    check = verify_pdf(pdf, city=city)
    assert check.signed and check.intact and check.valid
    download = APIClient()
    download.force_login(people["citizen"])
    response = download.get(application["permit"]["download_url"])
    assert response.status_code == 200 and b"".join(response.streaming_content) == pdf
    page = APIClient().get(f"/{city.slug}/permits/verify/{permit.verification_token}/").content.decode()
    assert permit.number in page and "Siti Rahmawati" not in page and "S*** R*******" in page
    history = [h["action"] for h in citizen.get(api(city, f"applications/{pk}/history/")).json()]
    assert history == ["submit", "return", "resubmit", "verify", "inspect", "approve", "pay"]
    assert AuditEntry.objects.filter(city=city, action="permit.issue").count() == 1


def test_free_permit_is_deemed_approved_when_decision_time_lapses(city, people):
    citizen = client_for(people["citizen"])
    pk = complete_draft(citizen, city, "keramaian")
    citizen.post(api(city, f"applications/{pk}/submit/"))
    client_for(people["verifier"]).post(api(city, f"applications/{pk}/act/"), {"action": "verify"}, format="json")
    application = PermitApplication.objects.get(pk=pk)
    assert application.state == "verified"
    due = application.due_at
    assert due.astimezone(datetime.UTC) == due  # stored aware
    assert workflow_deadlines_run(now=due - datetime.timedelta(seconds=1))["deemed"] == 0
    assert workflow_deadlines_run(now=due + datetime.timedelta(seconds=1))["deemed"] == 1
    application.refresh_from_db()
    assert application.state == "issued"
    permit = Permit.objects.get(application=application)
    assert verify_pdf(document_path(permit.document).read_bytes(), city=city).valid


def test_public_status_lookup_shows_no_personal_data(city, people):
    citizen = client_for(people["citizen"])
    pk = complete_draft(citizen, city, "sip")
    number = citizen.post(api(city, f"applications/{pk}/submit/")).json()["registration_number"]
    response = APIClient().get(api(city, "status/"), {"number": number})
    assert response.status_code == 200
    text = json.dumps(response.json())
    assert response.json()["state"] == "submitted" and "Siti" not in text and "3273014506900002" not in text
    assert APIClient().get(api(city, "status/"), {"number": "nope"}).status_code == 404


class TestBadInput:
    def test_submit_with_missing_field_and_document(self, city, people):
        citizen = client_for(people["citizen"])
        pk = citizen.post(api(city, "applications/"), {"permit_type": "sip", "data": {"profesi": "bidan"}},
                          format="json").json()["id"]
        response = citizen.post(api(city, f"applications/{pk}/submit/"))
        assert response.status_code == 400
        assert "nomor_str" in response.json()
        assert PermitApplication.objects.get(pk=pk).state == "draft"

    @pytest.mark.parametrize("data, field", [
        ({"luas_bangunan": "banyak"}, "luas_bangunan"),
        ({"luas_bangunan": "-5"}, "luas_bangunan"),
        ({"fungsi_bangunan": "kastil"}, "fungsi_bangunan"),
        ({"lokasi": "51.5,-0.12"}, "lokasi"),  # London is outside Indonesia
        ({"tidak_ada": "x"}, "tidak_ada"),
    ])
    def test_invalid_fields_are_named(self, city, people, data, field):
        response = client_for(people["citizen"]).post(api(city, "applications/"),
                                                      {"permit_type": "pbg", "data": data}, format="json")
        assert response.status_code == 400 and field in response.json()
        assert not PermitApplication.objects.exists()

    def test_document_checked_by_content_and_size(self, city, people):
        citizen = client_for(people["citizen"])
        pk = citizen.post(api(city, "applications/"), {"permit_type": "pbg", "data": {}}, format="json").json()["id"]
        refused = upload(citizen, city, pk, "kkpr", b"MZ\x90\x00" + b"\0" * 100, "kkpr.pdf")
        assert refused.status_code == 400
        assert refused.json()["kkpr"][0].startswith("KKPR (kesesuaian kegiatan pemanfaatan ruang): ")
        assert upload(citizen, city, pk, "kkpr", png(), "kkpr.pdf").status_code == 400  # kkpr must be PDF
        big = PDF[:-6] + b"0" * (2048 * 1024) + b"%%EOF\n"
        assert upload(citizen, city, pk, "ktp", big).status_code == 400  # KTP: at most 2 MB
        assert upload(citizen, city, pk, "no_such_doc", PDF).status_code == 400
        assert not Document.objects.exists()

    def test_wrong_role_and_stale_state(self, city, people):
        citizen = client_for(people["citizen"])
        pk = complete_draft(citizen, city, "sip")
        citizen.post(api(city, f"applications/{pk}/submit/"))
        assert client_for(people["inspector"]).post(api(city, f"applications/{pk}/act/"), {"action": "verify"},
                                                    format="json").status_code == 403
        assert citizen.post(api(city, f"applications/{pk}/act/"), {"action": "verify"},
                            format="json").status_code == 403
        verifier = client_for(people["verifier"])
        assert verifier.post(api(city, f"applications/{pk}/act/"), {"action": "verify", "expected_state": "submitted"},
                             format="json").status_code == 200
        response = verifier.post(api(city, f"applications/{pk}/act/"),
                                 {"action": "reject", "comment": "x", "expected_state": "submitted"}, format="json")
        assert response.status_code == 409
        assert PermitApplication.objects.get(pk=pk).state == "verified"

    def test_return_must_name_what_to_complete(self, city, people):
        citizen = client_for(people["citizen"])
        pk = complete_draft(citizen, city, "sip")
        citizen.post(api(city, f"applications/{pk}/submit/"))
        response = client_for(people["verifier"]).post(api(city, f"applications/{pk}/act/"),
                                                       {"action": "return", "comment": "kurang"}, format="json")
        assert response.status_code == 400 and "return_fields" in response.json()

    def test_other_people_cannot_see_an_application(self, city, people):
        pk = complete_draft(client_for(people["citizen"]), city, "sip")
        assert client_for(make_user("tetangga")).get(api(city, f"applications/{pk}/")).status_code == 404
        other = make_city("63.72", "banjarbaru")
        foreign_verifier = make_user("verif.bjb", city=other, roles=["permit_verifier"])
        assert client_for(foreign_verifier).get(api(city, f"applications/{pk}/")).status_code == 404
        own_city_url = f"/api/v1/cities/banjarbaru/permits/applications/{pk}/"
        assert client_for(foreign_verifier).get(own_city_url).status_code == 404

    def test_callback_sent_to_another_city_is_refused(self, city, people):
        citizen = client_for(people["citizen"])
        pk = complete_draft(citizen, city, "pbg")
        citizen.post(api(city, f"applications/{pk}/submit/"))
        for role, action in [("verifier", "verify"), ("inspector", "inspect"), ("head", "approve")]:
            client_for(people[role]).post(api(city, f"applications/{pk}/act/"), {"action": action}, format="json")
        body, headers = simulated_bank_callback(Invoice.objects.get(application_id=pk))
        other = make_city("63.72", "banjarbaru")
        response = APIClient().post(f"/api/v1/cities/{other.slug}/permits/payments/simulated/callback/", data=body,
                                    content_type="application/json", headers=headers)
        assert response.status_code == 403  # signed with the first city's secret, which the other city lacks
        assert Invoice.objects.get(application_id=pk).status == "unpaid"

    def test_stale_callback_is_refused(self, city, people, monkeypatch):
        citizen = client_for(people["citizen"])
        pk = complete_draft(citizen, city, "pbg")
        citizen.post(api(city, f"applications/{pk}/submit/"))
        for role, action in [("verifier", "verify"), ("inspector", "inspect"), ("head", "approve")]:
            client_for(people[role]).post(api(city, f"applications/{pk}/act/"), {"action": action}, format="json")
        import time

        real = time.time
        monkeypatch.setattr(time, "time", lambda: real() - 3600)  # a callback recorded an hour ago
        body, headers = simulated_bank_callback(Invoice.objects.get(application_id=pk))
        monkeypatch.setattr(time, "time", real)
        assert post_callback(city, body, headers).status_code == 403
