"""The citizens' and the public's pages: filing a report (with and without an account), errors that
keep the input, the report page for the public, the reporter and officials, another city and a
switched-off module, the public list (constant queries), statistics and the service catalogue."""

import re
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from kotapintar.complaints.models import Complaint, ComplaintUpdate
from kotapintar.complaints.services import reports as svc
from kotapintar.complaints.services.standards import service_standard_save
from kotapintar.complaints.tests.factories import (
    BANDUNG_CENTRE,
    another_modules_service,
    city_with_categories,
    committed,
    jpeg_with_gps,
    report,
)
from kotapintar.core.models import Department, District
from kotapintar.core.testing import make_user, set_module

pytestmark = pytest.mark.django_db

CITIZEN_NAME, CITIZEN_PHONE = "Siti Rahmawati", "081234567890"


@pytest.fixture
def city():
    return city_with_categories()


@pytest.fixture
def people(city):
    return {
        "citizen": make_user("warga", full_name=CITIZEN_NAME),
        "other": make_user("tetangga", full_name="Budi Tetangga"),
        "verifier": make_user("verifikator", city=city, roles=["complaint_verifier"], full_name="Rina Verifikator"),
        "supervisor": make_user("supervisor", city=city, roles=["complaint_supervisor"]),
        "permit_official": make_user("perizinan", city=city, roles=["permit_verifier"]),
    }


def url(name, city, **kwargs):
    return reverse(f"complaints:{name}", kwargs={"city": city.slug, **kwargs})


def citizen_report(city, people, **extra):
    extra.setdefault("reporter_phone", CITIZEN_PHONE)
    return report(city, people["citizen"], **extra)


def as_user(client, user):
    client.force_login(user)
    return client


def html(response) -> str:
    return response.content.decode()


def ui(msgid: str) -> str:
    """What the pages show for `msgid` (Bahasa Indonesia once translated)."""
    with translation.override("id"):
        return translation.gettext(msgid)


# -- filing ------------------------------------------------------------------------------------------
def new_report_data(**extra):
    return {"category": "jalan-rusak", "description": "Lubang besar di tengah jalan, motor terperosok.",
            "lat": str(BANDUNG_CENTRE[0]), "lng": str(BANDUNG_CENTRE[1]), "address": "Jl. Asia Afrika 10",
            "attribute[ukuran]": "besar", "visibility": "public", **extra}


def test_the_form_asks_people_without_an_account_for_their_contact_and_groups_the_categories(client, city, people):
    page = html(client.get(url("new", city)))
    for field in ('name="name"', 'name="email"', 'name="phone"', 'name="photos"', 'id="kp-map"'):
        assert field in page
    assert "<optgroup" in page and "Jalan rusak" in page
    page = html(as_user(client, people["citizen"]).get(url("new", city)))
    assert 'name="email"' not in page  # the account gives it


def test_a_signed_in_citizen_files_a_report_with_a_pin_and_a_photo(client, city, people, mailoutbox):
    client = as_user(client, people["citizen"])
    with committed():
        response = client.post(url("new", city), {**new_report_data(), "photos": [jpeg_with_gps()]})
    complaint = Complaint.objects.get(city=city)
    assert response.status_code == 302 and response["Location"] == url("sent", city,
                                                                         tracking=complaint.tracking_number)
    assert complaint.reporter == people["citizen"] and complaint.state == "submitted"
    assert complaint.attributes == {"ukuran": "besar"} and complaint.photo is not None
    assert complaint.district is not None  # the pin was resolved to its kecamatan
    sent = html(client.get(response["Location"]))
    assert complaint.tracking_number in sent
    assert len(mailoutbox) == 1
    page = html(client.get(url("detail", city, tracking=complaint.tracking_number)))
    assert complaint.district.name in page
    assert url("photo", city, tracking=complaint.tracking_number, token=complaint.photo.token) in page
    # the sent page belongs to the session that filed the report
    assert as_user(client, people["other"]).get(url("sent", city, tracking=complaint.tracking_number)).status_code \
        == 404


def test_without_an_account_the_report_waits_for_the_e_mail_confirmation(client, city, mailoutbox):
    with committed():
        response = client.post(url("new", city), new_report_data(name="Ujang", email="ujang@example.id",
                                                                  phone="0812 3456"))
    complaint = Complaint.objects.get(city=city)
    assert complaint.state == "unconfirmed"
    sent = html(client.get(response["Location"]))
    assert "ujang@example.id" in sent and complaint.tracking_number in sent
    detail = url("detail", city, tracking=complaint.tracking_number)
    assert client.get(detail).status_code == 404  # not public before the confirmation
    confirm = url("confirm", city, tracking=complaint.tracking_number, code=complaint.confirm_code)
    assert confirm.replace("http://testserver", "") in mailoutbox[0].body
    assert client.get(confirm).status_code == 200
    complaint.refresh_from_db()
    assert complaint.state == "unconfirmed"  # GET changes nothing
    wrong = client.post(url("confirm", city, tracking=complaint.tracking_number, code="salah"))
    assert wrong.status_code == 200
    complaint.refresh_from_db()
    assert complaint.state == "unconfirmed"
    assert client.post(confirm)["Location"] == detail
    complaint.refresh_from_db()
    assert complaint.state == "submitted"
    page = html(client.get(detail))
    for private in ("Ujang", "ujang@example.id", "0812 3456"):
        assert private not in page


def test_an_error_keeps_everything_typed_and_says_where(client, city):
    data = new_report_data(description="Lubang", name="Ujang Sunarya", email="ujang@example.id",
                           phone="0812999", address="Dekat Gedung Merdeka", **{"attribute[kedalaman_cm]": "30"})
    del data["attribute[ukuran]"]
    response = client.post(url("new", city), data)
    assert response.status_code == 400
    page = html(response)
    assert not Complaint.objects.exists()
    # every value comes back
    for value in ("Lubang", "Ujang Sunarya", "ujang@example.id", "0812999", "Dekat Gedung Merdeka",
                  f'value="{BANDUNG_CENTRE[0]}"', f'value="{BANDUNG_CENTRE[1]}"', 'value="30"'):
        assert value in page, value
    assert re.search(r'<option value="jalan-rusak"\s+selected', page)
    assert re.search(r'value="public"[^>]*checked|checked[^>]*value="public"', page)
    # the form's refusal stands next to its field; the questions of the category are still there
    assert re.search(r'<ul class="errorlist" id="id_description_error">', page)
    assert 'aria-describedby="id_description_error"' in page
    assert 'name="attribute[ukuran]"' in page


def test_the_services_refusals_stand_next_to_their_fields(client, city, people):
    client = as_user(client, people["citizen"])
    # the answer to a required question is missing: only the service knows
    data = new_report_data()
    del data["attribute[ukuran]"]
    page = html(client.post(url("new", city), data))
    assert 'id="attr-ukuran_error"' in page and 'aria-invalid="true"' in page
    assert "Lubang besar di tengah jalan" in page
    # a pin outside the city
    page = html(client.post(url("new", city), new_report_data(lat="1.4748", lng="124.8421")))
    assert re.search(r'id="kp-location-error"[^>]*>\s*<li>[^<]*Kota Bandung', page)
    assert 'value="1.4748"' in page  # the pin stays where it was put
    # a fake photo
    response = client.post(url("new", city), {**new_report_data(),
                                              "photos": [SimpleUploadedFile("x.jpg", b"<?php echo 1;", "image/jpeg")]})
    page = html(response)
    assert response.status_code == 400 and 'id="id_photos_error"' in page
    assert not Complaint.objects.exists()


def test_rate_limit_is_a_clear_error_not_a_crash(client, city, people, settings):
    settings.KOTAPINTAR_COMPLAINT_LIMITS = {"person": (1, 600)}
    client = as_user(client, people["citizen"])
    assert client.post(url("new", city), new_report_data()).status_code == 302
    response = client.post(url("new", city), new_report_data())
    assert response.status_code == 400 and "Lubang besar" in html(response)
    assert Complaint.objects.count() == 1


def test_the_category_questions_load_by_htmx(client, city):
    page = html(client.get(url("questions", city), {"category": "jalan-rusak"}))
    assert 'name="attribute[ukuran]"' in page and 'name="attribute[kedalaman_cm]"' in page
    assert html(client.get(url("questions", city), {"category": "sampah"})).strip() == ""
    assert html(client.get(url("questions", city), {"category": "tidak-ada"})).strip() == ""


def test_nearby_names_the_place_and_offers_open_reports_within_50_m(client, city, people):
    near = citizen_report(city, people)
    far = citizen_report(city, people, lat=BANDUNG_CENTRE[0] + 0.01)
    confidential = citizen_report(city, people, visibility="confidential")
    page = html(client.get(url("nearby", city), {"lat": BANDUNG_CENTRE[0] + 0.0002, "lng": BANDUNG_CENTRE[1],
                                                 "category": "sampah"}))
    assert near.tracking_number in page and far.tracking_number not in page
    assert confidential.tracking_number not in page
    assert near.district.name in page
    assert url("support", city, tracking=near.tracking_number) not in page  # must sign in first
    page = html(as_user(client, people["other"]).get(url("nearby", city), {"lat": BANDUNG_CENTRE[0],
                                                                          "lng": BANDUNG_CENTRE[1]}))
    assert url("support", city, tracking=near.tracking_number) in page
    assert "Manado" not in page
    outside = html(client.get(url("nearby", city), {"lat": "1.4748", "lng": "124.8421"}))
    assert near.tracking_number not in outside and "kp-error" in outside


# -- one report ----------------------------------------------------------------------------------------
def test_the_public_never_sees_who_reported(client, city, people):
    public = citizen_report(city, people, reporter_name=CITIZEN_NAME)
    anonymous = citizen_report(city, people, visibility="anonymous")
    for complaint, shown in ((public, ui("A citizen")), (anonymous, ui("Anonymous"))):
        page = html(client.get(url("detail", city, tracking=complaint.tracking_number)))
        assert complaint.description in page and shown in page
        for private in (CITIZEN_NAME, CITIZEN_PHONE, people["citizen"].email):
            assert private not in page
    page = html(as_user(client, people["verifier"]).get(url("detail", city, tracking=anonymous.tracking_number)))
    assert CITIZEN_NAME in page and CITIZEN_PHONE in page
    assert url("office_detail", city, tracking=anonymous.tracking_number) in page
    page = html(as_user(client, people["citizen"]).get(url("detail", city, tracking=anonymous.tracking_number)))
    assert CITIZEN_NAME in page and CITIZEN_PHONE not in page
    page = html(as_user(client, people["permit_official"]).get(url("detail", city, tracking=anonymous.tracking_number)))
    assert CITIZEN_NAME not in page  # an official of another module is the public here


@pytest.mark.parametrize("kind", ["confidential", "hidden", "unconfirmed"])
def test_reports_that_are_not_public_are_404_except_for_the_reporter_and_officials(client, city, people, kind):
    if kind == "unconfirmed":
        complaint = report(city)  # without an account
    else:
        complaint = citizen_report(city, people, visibility="confidential" if kind == "confidential" else "public")
    if kind == "hidden":
        svc.complaint_moderate(complaint=complaint, actor=people["verifier"], hidden=True, reason="Kasar")
    detail = url("detail", city, tracking=complaint.tracking_number)
    assert client.get(detail).status_code == 404
    assert as_user(client, people["other"]).get(detail).status_code == 404
    assert as_user(client, people["permit_official"]).get(detail).status_code == 404
    assert as_user(client, people["verifier"]).get(detail).status_code == 200
    if kind != "unconfirmed":
        assert as_user(client, people["citizen"]).get(detail).status_code == 200
    client.logout()
    assert client.get(url("track", city), {"number": complaint.tracking_number}).status_code == 404
    assert complaint.tracking_number not in html(client.get(url("list", city)))


def test_the_history_shows_replies_and_status_but_never_internal_notes_or_hidden_messages(client, city, people):
    complaint = citizen_report(city, people)
    svc.complaint_act(complaint=complaint, action="verify", actor=people["verifier"])
    svc.complaint_comment(complaint=complaint, actor=people["verifier"], text="Petugas segera ke lokasi.",
                          internal=False)
    svc.complaint_comment(complaint=complaint, actor=people["verifier"], text="CATATAN-INTERNAL rahasia",
                          internal=True, photo=jpeg_with_gps())
    abusive = svc.complaint_add_info(complaint=complaint, actor=people["citizen"], text="KATA-KASAR")
    svc.complaint_moderate(complaint=complaint, actor=people["verifier"], hidden=True, reason="Kasar", update=abusive)
    page = html(client.get(url("detail", city, tracking=complaint.tracking_number)))
    assert "Petugas segera ke lokasi." in page
    assert "CATATAN-INTERNAL" not in page and "KATA-KASAR" not in page
    note = ComplaintUpdate.objects.get(kind="note")
    photo = url("photo", city, tracking=complaint.tracking_number, token=note.photo.token)
    assert client.get(photo).status_code == 404  # an internal note's photo stays internal
    assert as_user(client, people["verifier"]).get(photo).status_code == 200
    # the due date is shown in the city's time zone
    client.logout()
    page = html(client.get(url("detail", city, tracking=complaint.tracking_number)))
    assert "WIB" in page


def test_another_citys_report_and_a_switched_off_module_are_404(client, city, people):
    complaint = citizen_report(city, people)
    manado = city_with_categories("71.71", "manado")
    client = as_user(client, people["citizen"])
    assert client.get(url("detail", manado, tracking=complaint.tracking_number)).status_code == 404
    assert client.post(url("rate", manado, tracking=complaint.tracking_number), {"rating": 5}).status_code == 404
    assert client.get(url("photo", manado, tracking=complaint.tracking_number,
                          token="00000000-0000-0000-0000-000000000000")).status_code == 404
    set_module(city, "complaints", False)
    for name, kwargs in [("list", {}), ("new", {}), ("stats", {}), ("services", {}), ("track", {}), ("mine", {}),
                         ("detail", {"tracking": complaint.tracking_number})]:
        assert client.get(url(name, city, **kwargs)).status_code == 404, name


def test_the_reporter_adds_information_closes_or_reopens_and_rates(client, city, people):
    complaint = citizen_report(city, people)
    detail = url("detail", city, tracking=complaint.tracking_number)
    other = as_user(client, people["other"])
    assert other.post(url("info", city, tracking=complaint.tracking_number), {"text": "Saya juga"}).status_code \
        == 404
    citizen = as_user(client, people["citizen"])
    response = citizen.post(url("info", city, tracking=complaint.tracking_number), {"text": ""})
    assert response.status_code == 400 and "id_text_error" in html(response)
    response = citizen.post(url("info", city, tracking=complaint.tracking_number),
                            {"text": "Lubangnya makin besar.", "photo": jpeg_with_gps()})
    assert response["Location"] == detail
    assert "Lubangnya makin besar." in html(citizen.get(detail))
    assert 'name="rating"' not in html(citizen.get(detail))  # not resolved yet
    svc.complaint_act(complaint=complaint, action="verify", actor=people["verifier"])
    svc.complaint_act(complaint=complaint, action="resolve", actor=people["supervisor"], comment="Sudah diangkut.")
    page = html(citizen.get(detail))
    assert "Sudah diangkut." in page and 'value="reopen"' in page and 'name="rating"' in page
    complaint.refresh_from_db()  # the reopen window is the resolved state's deadline, in the city's time
    until = complaint.due_at.astimezone(ZoneInfo(city.timezone))
    assert f"Anda dapat membukanya kembali sampai {until:%d} " in page and f"{until:%Y, %H:%M}" in page
    # reopening needs a reason, then the report is back in progress
    citizen.post(url("reporter_act", city, tracking=complaint.tracking_number),
                 {"action": "reopen", "state": "resolved", "comment": ""})
    complaint.refresh_from_db()
    assert complaint.state == "resolved"
    citizen.post(url("reporter_act", city, tracking=complaint.tracking_number),
                 {"action": "reopen", "state": "resolved", "comment": "Masih ada sampah."})
    complaint.refresh_from_db()
    assert complaint.state == "in_progress"
    # the reporter cannot take officials' actions through this page
    citizen.post(url("reporter_act", city, tracking=complaint.tracking_number),
                 {"action": "resolve", "state": "in_progress", "comment": "x"})
    complaint.refresh_from_db()
    assert complaint.state == "in_progress"
    svc.complaint_act(complaint=complaint, action="resolve", actor=people["supervisor"], comment="Sudah bersih.")
    response = citizen.post(url("rate", city, tracking=complaint.tracking_number), {"rating": "9"})
    assert response.status_code == 400
    citizen.post(url("rate", city, tracking=complaint.tracking_number), {"rating": "4", "comment": "Cepat"})
    citizen.post(url("reporter_act", city, tracking=complaint.tracking_number), {"action": "close",
                                                                                 "state": "resolved"})
    complaint.refresh_from_db()
    assert complaint.rating == 4 and complaint.state == "closed"
    assert "4/5" in html(client.get(detail))


def test_support_needs_an_account_and_counts_once(client, city, people):
    complaint = citizen_report(city, people)
    support = url("support", city, tracking=complaint.tracking_number)
    response = client.post(support)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    other = as_user(client, people["other"])
    other.post(support)
    other.post(support)
    complaint.refresh_from_db()
    assert complaint.supporters == 1
    page = html(other.get(url("detail", city, tracking=complaint.tracking_number)))
    assert 'value="' not in page.split("kp-your-part")[0].split("support/")[-1][:0]  # no second button
    assert ui("You support this report.") in page


# -- finding reports ---------------------------------------------------------------------------------
def test_track_and_my_reports(client, city, people):
    mine = citizen_report(city, people, visibility="confidential")
    theirs = report(city, people["other"])
    response = client.get(url("track", city), {"number": theirs.tracking_number.lower()})
    assert response["Location"] == url("detail", city, tracking=theirs.tracking_number)
    assert client.get(url("mine", city)).status_code == 302
    citizen = as_user(client, people["citizen"])
    assert citizen.get(url("track", city), {"number": mine.tracking_number}).status_code == 302
    page = html(citizen.get(url("mine", city)))
    assert mine.tracking_number in page and theirs.tracking_number not in page


def test_the_public_list_filters_and_keeps_a_constant_number_of_queries(client, city, people):
    first = citizen_report(city, people, code="jalan-rusak", description="Jalan berlubang di depan sekolah.")
    citizen_report(city, people, visibility="confidential", description="Rahasia sekali laporannya ini.")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url("list", city), {"state": "open"})
        assert response.status_code == 200
        return len(captured)

    client.get(url("list", city))  # the city and its module switches are cached from here on
    few = queries()
    for n in range(25):
        road = n % 2
        citizen_report(city, people, code="jalan-rusak" if road else "sampah", check_limits=False,
                       description=f"{'Jalan berlubang' if road else 'Sampah menumpuk'} nomor {n}.")
    assert queries() == few
    page = html(client.get(url("list", city)))
    assert "Rahasia sekali" not in page and first.tracking_number in html(client.get(url("list", city),
                                                                                     {"page": 2}))
    assert "kp-markers" in page and "Rahasia" not in page
    assert '<option value="open">Belum selesai</option>' in page  # not "Dibuka" (a permit type's "Open")
    only_roads = html(client.get(url("list", city), {"category": "jalan-rusak"}))
    listed = only_roads.split('class="kp-report-list"')[1]
    assert "Sampah menumpuk" not in listed and "Jalan berlubang nomor 1." in listed
    svc.complaint_act(complaint=first, action="reject", actor=people["verifier"], comment="Bukan jalan kota.")
    closed = html(client.get(url("list", city), {"state": "closed"}))
    assert first.tracking_number in closed and closed.count('class="kp-status') == 1
    district = District.objects.exclude(pk=first.district_id).filter(city=city).first()
    assert first.tracking_number not in html(client.get(url("list", city), {"district": district.code,
                                                                           "state": "closed"}))


def test_statistics_and_the_service_catalogue(client, city, people):
    complaint = citizen_report(city, people, code="jalan-rusak")
    svc.complaint_act(complaint=complaint, action="verify", actor=people["verifier"])
    svc.complaint_act(complaint=complaint, action="resolve", actor=people["supervisor"], comment="Sudah ditambal.")
    complaint.refresh_from_db()
    svc.complaint_rate(complaint=complaint, actor=people["citizen"], rating=5)
    page = html(client.get(url("stats", city)))
    assert "Jalan rusak" in page and "Dinas PUPR" in page and "100,0%" in page and "5,0" in page
    assert client.get(url("stats", city), {"from": "2020-01-01", "to": "2020-12-31"}).status_code == 200
    service_standard_save(city=city, actor=None, code="kir", department=Department.objects.get(city=city, code="DLH"),
                          name="Uji KIR", requirements="STNK\nKTP", procedure="Daftar\nUji", service_time="1 hari",
                          cost="Rp 50.000", product="Kartu uji", complaint_channel="Loket")
    page = html(client.get(url("services", city)))
    assert "Uji KIR" in page and "<li>STNK</li>" in page and "Rp 50.000" in page
    with another_modules_service(city):
        page = html(client.get(url("services", city)))
    assert "Persetujuan Bangunan Gedung" in page and "<li>Gambar teknis</li>" in page and "10 hari kerja" in page


def test_committed_notifications_reach_the_reporter_after_an_officials_step(client, city, people, mailoutbox):
    complaint = citizen_report(city, people)
    with committed():
        svc.complaint_act(complaint=complaint, action="verify", actor=people["verifier"])
    assert mailoutbox and complaint.tracking_number in mailoutbox[-1].subject
