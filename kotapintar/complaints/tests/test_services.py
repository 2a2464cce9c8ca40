"""The complaint services: filing, bad input, the handling workflow, the reporter's part, duplicates,
moderation, statistics and the service catalogue."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from kotapintar.complaints.models import Complaint, ComplaintCategory, ComplaintUpdate
from kotapintar.complaints.selectors import (
    complaint_stats,
    complaints_nearby,
    public_complaints,
    queue_for,
    service_catalogue,
)
from kotapintar.complaints.services import reports as svc
from kotapintar.complaints.services.categories import category_save
from kotapintar.complaints.services.limits import RateLimited
from kotapintar.complaints.tests.factories import (
    MANADO_CENTRE,
    another_modules_service,
    city_with_categories,
    committed,
    jpeg_with_gps,
    report,
)
from kotapintar.core import geo
from kotapintar.core.models import AuditEntry, Department, Document, Membership
from kotapintar.core.services.documents import document_path
from kotapintar.core.services.workflow import WorkflowConflict, workflow_deadlines_run
from kotapintar.core.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    return city_with_categories()


@pytest.fixture
def people(city):
    dept = Department.objects.get(city=city, code="DLH")
    verifier = make_user("verifikator", city=city, roles=["complaint_verifier"])
    officer = make_user("petugas", city=city)
    Membership.objects.create(user=officer, city=city, role="complaint_officer", department=dept)
    return {"verifier": verifier, "officer": officer, "citizen": make_user("warga"),
            "other": make_user("tetangga")}


def test_a_citizen_with_an_account_files_a_report_and_gets_its_tracking_number(city, people, mailoutbox):
    with committed():
        complaint = report(city, people["citizen"], photos=[jpeg_with_gps()], address="Jl. Asia Afrika")
    assert complaint.state == "submitted"
    assert complaint.tracking_number.startswith("LP-") and len(complaint.tracking_number) == 12
    assert complaint.department.code == "DLH"  # routed by category
    assert complaint.due_at is not None  # the 3-working-day verification SLA runs
    assert complaint.photo is not None
    assert AuditEntry.objects.filter(action="complaint.create", object_id=str(complaint.pk)).exists()
    assert len(mailoutbox) == 1 and complaint.tracking_number in mailoutbox[0].subject


def test_photos_are_stripped_of_their_location(city, people):
    complaint = report(city, people["citizen"], photos=[jpeg_with_gps()])
    stored = document_path(complaint.photo).read_bytes()
    assert b"KameraMerk" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert not image.getexif().get_ifd(0x8825)
        assert image.size == (40, 30)


def test_without_an_account_the_report_waits_for_email_confirmation(city, mailoutbox):
    with committed():
        complaint = report(city, reporter_email="tanpa.akun@example.id", visibility="public")
    assert complaint.state == "unconfirmed"
    assert not public_complaints(city).filter(pk=complaint.pk).exists()
    assert complaint.confirm_code in mailoutbox[0].body
    with pytest.raises(PermissionDenied):
        svc.complaint_confirm(complaint=complaint, code="wrong")
    confirmed = svc.complaint_confirm(complaint=complaint, code=complaint.confirm_code)
    assert confirmed.state == "submitted"
    assert public_complaints(city).filter(pk=complaint.pk).exists()


def test_without_an_account_an_email_is_required(city):
    with pytest.raises(ValidationError) as exc:
        report(city, reporter_email="")
    assert "email" in exc.value.message_dict
    assert not Complaint.objects.exists()


@pytest.mark.parametrize("changes, field", [
    ({"lat": ""}, "location"),
    ({"lat": "abc"}, None),
    ({"lat": MANADO_CENTRE[0], "lng": MANADO_CENTRE[1]}, "location"),  # in Indonesia, but not in Bandung
    ({"lat": 51.5, "lng": -0.12}, None),  # London
    ({"description": "rusak"}, "description"),
    ({"visibility": "everyone"}, "visibility"),
])
def test_bad_reports_are_refused_and_nothing_is_stored(city, people, changes, field):
    with pytest.raises(ValidationError) as exc:
        report(city, people["citizen"], photos=[jpeg_with_gps()], **changes)
    if field:
        assert field in exc.value.message_dict
    assert not Complaint.objects.exists() and not Document.objects.exists()


def test_unknown_or_other_citys_category_is_refused(city, people):
    manado = city_with_categories("71.71", "manado")
    foreign = ComplaintCategory.objects.get(city=manado, code="sampah")
    with pytest.raises(ValidationError) as exc:
        svc.complaint_create(city=city, category=foreign, description="Sampah menumpuk di jalan.",
                             lat=city.lat, lng=city.lng, reporter=people["citizen"])
    assert "category" in exc.value.message_dict


@pytest.mark.parametrize("attributes, message", [
    ({}, "Ukuran is required."),
    ({"ukuran": "raksasa"}, "Ukuran: choose one of the options."),
    ({"ukuran": "besar", "kedalaman_cm": "dalam"}, "Kedalaman (cm) must be a number."),
    ({"ukuran": "besar", "warna": "merah"}, "This category has no question “warna”."),
])
def test_bad_answers_to_the_categorys_questions(city, people, attributes, message):
    with pytest.raises(ValidationError) as exc:
        report(city, people["citizen"], code="jalan-rusak", attributes=attributes)
    assert message in str(exc.value.message_dict)
    assert not Complaint.objects.exists()


def test_fake_and_oversized_photos_are_refused(city, people):
    fake = SimpleUploadedFile("foto.jpg", b"MZ\x90\x00 this is a program, not a photo" * 10)
    with pytest.raises(ValidationError, match="not accepted"):
        report(city, people["citizen"], photos=[fake])
    truncated = jpeg_with_gps()
    truncated = SimpleUploadedFile("foto.jpg", truncated.read()[:200])
    with pytest.raises(ValidationError):
        report(city, people["citizen"], photos=[truncated])
    with override_settings(KOTAPINTAR_UPLOAD_MAX_BYTES=100):
        with pytest.raises(ValidationError, match="larger than"):
            from kotapintar.complaints.services.photos import upload_read

            upload_read(jpeg_with_gps(), max_bytes=100)
    assert not Complaint.objects.exists() and not Document.objects.exists()


@override_settings(KOTAPINTAR_COMPLAINT_LIMITS={"person": (2, 600), "address": (3, 3600)})
def test_a_flood_from_one_person_or_address_is_stopped(city, people):
    report(city, people["citizen"])
    report(city, people["citizen"])
    with pytest.raises(RateLimited):
        report(city, people["citizen"])
    for name in ("tetangga1", "tetangga2", "tetangga3"):
        report(city, make_user(name), client_ip="10.0.0.9")
    with pytest.raises(RateLimited):  # the address's fourth report, whoever sends it
        report(city, make_user("tetangga4"), client_ip="10.0.0.9")
    report(city, make_user("tetangga5"), client_ip="10.0.0.10")  # another address is not affected
    assert Complaint.objects.count() == 6


def test_pin_resolves_to_the_nearest_kecamatan_and_kelurahan(city):
    district = city.districts.first()
    village = district.villages.first()
    type(district).objects.filter(pk=district.pk).update(lat=-6.95, lng=107.60)
    type(village).objects.filter(pk=village.pk).update(lat=-6.951, lng=107.601)
    place = geo.locate(city, -6.9505, 107.6003)
    assert place.district == district and place.village == village


def test_address_resolves_to_kelurahan_by_name(city, people):
    village = city.villages.select_related("district").first()
    complaint = report(city, people["citizen"], address=f"Jl. Sudirman No. 5, {village.name}")
    assert complaint.village == village and complaint.district == village.district


def test_an_address_without_a_pin_is_placed_at_its_kecamatan(city, people):
    district = city.districts.get(name="Coblong")
    type(district).objects.filter(pk=district.pk).update(lat=-6.8875, lng=107.6146)
    complaint = report(city, people["citizen"], lat="", lng="", address="Jl. Dago, Kecamatan Coblong")
    assert complaint.district.name == "Coblong" and (complaint.lat, complaint.lng) == (-6.8875, 107.6146)
    with pytest.raises(ValidationError) as exc:
        report(city, people["citizen"], lat="", lng="", address="dekat pasar")
    assert "location" in exc.value.message_dict


def test_city_boundary_decides_what_is_outside(city):
    square = {"type": "Polygon", "coordinates": [[[107.5, -7.0], [107.7, -7.0], [107.7, -6.8], [107.5, -6.8],
                                                  [107.5, -7.0]]]}
    city.boundary = geo.geometry_validate({"type": "Feature", "geometry": square})
    assert geo.city_contains(city, -6.9, 107.6)
    assert not geo.city_contains(city, -6.9, 107.8)
    with pytest.raises(ValidationError):
        geo.geometry_validate({"type": "Polygon", "coordinates": [[[-0.1, 51.5], [0, 51.5], [0, 51.6], [-0.1, 51.5]]]})


def test_the_handling_flow_with_replies_and_rating(city, people, mailoutbox):
    citizen, verifier, officer = people["citizen"], people["verifier"], people["officer"]
    complaint = report(city, citizen)
    assert list(queue_for(city=city, user=verifier, which="verify")) == [complaint]
    assert list(queue_for(city=city, user=officer)) == []  # not verified yet
    complaint = svc.complaint_act(complaint=complaint, action="verify", actor=verifier, expected_state="submitted")
    assert list(queue_for(city=city, user=officer)) == [complaint]  # now in the department's queue
    svc.complaint_assign(complaint=complaint, actor=officer, assignee=officer)
    svc.complaint_comment(complaint=complaint, actor=officer, text="Catatan internal: butuh truk.", internal=True)
    svc.complaint_comment(complaint=complaint, actor=officer, text="Truk dijadwalkan besok.", internal=False)
    with pytest.raises(ValidationError):  # resolving needs a public answer
        svc.complaint_act(complaint=complaint, action="resolve", actor=officer)
    with pytest.raises(PermissionDenied):  # the reporter cannot resolve their own report
        svc.complaint_act(complaint=complaint, action="resolve", actor=citizen, comment="sudah")
    with committed():
        complaint = svc.complaint_act(complaint=complaint, action="resolve", actor=officer, comment="Sudah diangkut.")
    complaint.refresh_from_db()
    assert complaint.state == "resolved" and complaint.status_notes == "Sudah diangkut."
    public = [u.text for u in complaint.updates.filter(hidden=False).exclude(kind="note")]
    assert "Truk dijadwalkan besok." in public and "Catatan internal: butuh truk." not in public
    assert any("Sudah diangkut." in m.body for m in mailoutbox)
    with pytest.raises(PermissionDenied):
        svc.complaint_rate(complaint=complaint, actor=people["other"], rating=5)
    svc.complaint_rate(complaint=complaint, actor=citizen, rating=4, comment="Terima kasih")
    with pytest.raises(ValidationError, match="already"):
        svc.complaint_rate(complaint=complaint, actor=citizen, rating=1)


def test_the_reporter_reopens_within_the_window_and_it_closes_by_itself_after(city, people):
    citizen, verifier = people["citizen"], people["verifier"]
    complaint = report(city, citizen)
    for action in ("verify", "start"):
        complaint = svc.complaint_act(complaint=complaint, action=action, actor=verifier)
    complaint = svc.complaint_act(complaint=complaint, action="resolve", actor=verifier, comment="Selesai.")
    complaint = svc.complaint_act(complaint=complaint, action="reopen", actor=citizen, comment="Masih menumpuk.")
    assert complaint.state == "in_progress"
    complaint = svc.complaint_act(complaint=complaint, action="resolve", actor=verifier, comment="Kali ini beres.")
    workflow_deadlines_run(now=complaint.due_at + datetime.timedelta(minutes=1))
    complaint.refresh_from_db()
    assert complaint.state == "closed"
    with pytest.raises(ValidationError):
        svc.complaint_act(complaint=complaint, action="reopen", actor=citizen, comment="lagi")


def test_an_overdue_verification_escalates_and_counts_as_late(city, people):
    supervisor = make_user("supervisor", city=city, roles=["complaint_supervisor"])
    complaint = report(city, people["citizen"])
    later = complaint.due_at + datetime.timedelta(hours=1)
    assert workflow_deadlines_run(now=later)["escalated"] == 1
    assert AuditEntry.objects.filter(action="workflow.escalate", object_id=str(complaint.pk)).exists()
    assert supervisor.notification_set.exists()
    complaint = svc.complaint_act(complaint=complaint, action="verify", actor=supervisor, now=later)
    assert complaint.late


def test_two_officials_acting_on_the_same_report(city, people):
    complaint = report(city, people["citizen"])
    svc.complaint_act(complaint=complaint, action="verify", actor=people["verifier"], expected_state="submitted")
    with pytest.raises(WorkflowConflict):
        svc.complaint_act(complaint=complaint, action="reject", actor=people["verifier"], comment="x",
                          expected_state="submitted")


def test_nearby_open_reports_and_support_instead_of_a_duplicate(city, people):
    here = report(city, people["citizen"])
    report(city, people["citizen"], lat=city.lat + 0.002)  # ~220 m north: not nearby
    hidden = report(city, people["citizen"], visibility="confidential")
    found = complaints_nearby(city, city.lat + 0.0003, city.lng)  # ~33 m away
    assert [c.pk for c in found] == [here.pk] and 30 < found[0].distance_m < 40
    assert hidden.pk not in [c.pk for c in found]
    svc.complaint_support(complaint=here, user=people["other"])
    assert Complaint.objects.get(pk=here.pk).supporters == 1
    with pytest.raises(ValidationError):
        svc.complaint_support(complaint=here, user=people["other"])
    with pytest.raises(ValidationError):
        svc.complaint_support(complaint=here, user=people["citizen"])


def test_merging_a_duplicate(city, people):
    first = report(city, people["citizen"])
    second = report(city, people["other"])
    with pytest.raises(PermissionDenied):
        svc.complaint_merge(complaint=second, into=first, actor=people["officer"])
    merged = svc.complaint_merge(complaint=second, into=first, actor=people["verifier"])
    first.refresh_from_db()
    assert merged.state == "duplicate" and merged.duplicate_of == first
    assert first.supporters == 1 and first.tracking_number in merged.status_notes
    with pytest.raises(ValidationError):
        svc.complaint_merge(complaint=first, into=first, actor=people["verifier"])


def test_moderation_hides_abusive_content_from_the_public(city, people):
    complaint = report(city, people["citizen"])
    info = svc.complaint_add_info(complaint=complaint, actor=people["citizen"], text="kata-kata kasar")
    with pytest.raises(ValidationError):
        svc.complaint_moderate(complaint=complaint, actor=people["verifier"], hidden=True, reason="", update=info)
    svc.complaint_moderate(complaint=complaint, actor=people["verifier"], hidden=True, reason="Kasar", update=info)
    assert not ComplaintUpdate.objects.get(pk=info.pk).is_public
    svc.complaint_moderate(complaint=complaint, actor=people["verifier"], hidden=True, reason="Kasar")
    assert not public_complaints(city).filter(pk=complaint.pk).exists()
    assert AuditEntry.objects.filter(action="complaint.moderate").count() == 2


def test_only_the_reporter_adds_information(city, people):
    complaint = report(city, people["citizen"])
    with pytest.raises(PermissionDenied):
        svc.complaint_add_info(complaint=complaint, actor=people["other"], text="bukan saya")
    update = svc.complaint_add_info(complaint=complaint, actor=people["citizen"], text="Tambah foto",
                                    photo=jpeg_with_gps())
    assert update.photo is not None and update.is_public


def test_statistics_per_category_and_department(city, people):
    now = timezone.now()
    a = report(city, people["citizen"])
    report(city, people["citizen"], code="jalan-rusak")
    svc.complaint_act(complaint=a, action="verify", actor=people["verifier"])
    svc.complaint_act(complaint=a, action="resolve", actor=people["verifier"], comment="Selesai.")
    stats = complaint_stats(city, start=now - datetime.timedelta(days=1), end=now + datetime.timedelta(days=1))
    assert stats.total == 2
    assert {row["category__code"]: row["n"] for row in stats.per_category} == {"sampah": 1, "jalan-rusak": 1}
    assert stats.median_days_to_resolve == 0
    assert {row["department__short_name"]: row["on_time_pct"] for row in stats.per_department} == {
        "DLH": 100.0, "PUPR": 100.0}


def test_category_questions_are_validated(city):
    dept = Department.objects.get(city=city, code="PUPR")
    with pytest.raises(ValidationError):
        category_save(city=city, actor=None, code="x", name="X", department=dept,
                      questions=[{"code": "a", "label": "A", "type": "singlevaluelist", "values": []}])
    with pytest.raises(ValidationError):
        category_save(city=city, actor=None, code="jalan-rusak", name="Lagi", department=dept)


def test_the_service_catalogue_lists_the_services_of_every_module_switched_on(city):
    from kotapintar.core.testing import set_module

    with another_modules_service(city):
        entries = {e.code: e for e in service_catalogue(city, complaint_channel="Lapor")}
        assert entries["pbg"].source == "extra" and entries["pbg"].requirements == ["KTP", "Gambar teknis"]
        assert entries["pbg"].service_time == "10 working days" and entries["pbg"].complaint_channel == "Lapor"
        set_module(city, "extra", False)
        assert "pbg" not in {e.code for e in service_catalogue(city, complaint_channel="Lapor")}


def test_demo_cities_know_their_boundary_and_kecamatan_centroids():
    from kotapintar.core.testing import make_city

    bandung = make_city("32.73", "bandung")
    assert bandung.boundary["type"] == "Polygon"
    assert bandung.districts.exclude(lat=None).count() == bandung.districts.count() == 30
    assert geo.city_contains(bandung, -6.9175, 107.6191)  # Alun-alun Bandung
    assert not geo.city_contains(bandung, *MANADO_CENTRE)
    assert not geo.city_contains(bandung, -6.80, 107.48)  # Cimahi's side of the border, 10 km out
    assert geo.locate(bandung, -6.8915, 107.6107).district.name == "Coblong"  # ITB
    assert geo.locate(bandung, -6.9025, 107.6188).district.name == "Bandung Wetan"  # Gedung Sate


def test_internal_notes_are_for_complaint_officials_only(city, people):
    from kotapintar.complaints.selectors import complaint_updates_for

    complaint = report(city, people["citizen"])
    svc.complaint_comment(complaint=complaint, actor=people["verifier"], text="Catatan internal", internal=True)
    permit_official = make_user("perizinan", city=city, roles=["permit_verifier"])
    assert [u.text for u in complaint_updates_for(complaint, people["verifier"])] == ["Catatan internal"]
    assert list(complaint_updates_for(complaint, permit_official)) == []
    assert list(complaint_updates_for(complaint, people["citizen"])) == []


def test_an_officer_handles_only_their_departments_reports(city, people):
    road = report(city, people["citizen"], code="jalan-rusak")  # routed to PUPR; the officer is in DLH
    road = svc.complaint_act(complaint=road, action="verify", actor=people["verifier"])
    with pytest.raises(PermissionDenied):
        svc.complaint_act(complaint=road, action="start", actor=people["officer"])
    with pytest.raises(PermissionDenied):
        svc.complaint_comment(complaint=road, actor=people["officer"], text="bukan urusan saya", internal=False)
    svc.complaint_assign(complaint=road, actor=people["verifier"], assignee=people["officer"])
    road.refresh_from_db()
    assert svc.complaint_act(complaint=road, action="start", actor=people["officer"]).state == "in_progress"
