"""On a phone-sized screen a signed-in citizen reports a pothole in Bandung with a map pin, an answer
to the category's question and a photo, after seeing the similar report nearby; an official verifies,
assigns and resolves it (through the services: the officials' pages have their own tests); the
citizen sees the resolution and the reply on the report page and rates the handling. The report
form, the report page and the public map pass the axe check and do not scroll sideways."""

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from kotapintar.complaints.models import Complaint
from kotapintar.complaints.services import reports as svc
from kotapintar.complaints.tests.factories import BANDUNG_CENTRE, city_with_categories, jpeg_with_gps, report
from kotapintar.core.models import Department, Membership
from kotapintar.core.testing import PASSWORD, make_user

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING = {"serious", "critical"}
DESCRIPTION = "Lubang dalam di lajur kiri dekat halte, motor sering terperosok."
REPLY = "Lubang sudah ditambal oleh tim PUPR hari ini."


@pytest.fixture
def reporting(transactional_db, live_server, tmp_path):
    city = city_with_categories()
    officer = make_user("petugas.pupr", full_name="Asep Petugas")
    Membership.objects.create(user=officer, city=city, role="complaint_officer",
                              department=Department.objects.get(city=city, code="PUPR"))
    people = SimpleNamespace(
        citizen=make_user("warga", full_name="Siti Rahmawati"),
        neighbour=make_user("tetangga", full_name="Budi Tetangga"),
        verifier=make_user("verifikator", city=city, roles=["complaint_verifier"], full_name="Rina Verifikator"),
        officer=officer,
    )
    # A neighbour already reported a pothole right at the spot: the form offers to support it.
    earlier = report(city, people.neighbour, code="jalan-rusak", description="Jalan berlubang di depan halte.",
                     lat=BANDUNG_CENTRE[0], lng=BANDUNG_CENTRE[1])
    photo = tmp_path / "lubang.jpg"
    photo.write_bytes(jpeg_with_gps(size=(800, 600)).read())
    return SimpleNamespace(city=city, people=people, earlier=earlier, photo=str(photo))


def assert_accessible(page):
    page.add_script_tag(path=str(AXE_JS))
    violations = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    blocking = [f"[{v['impact']}] {v['id']}: {v['help']} at {[n['target'] for n in v['nodes'][:5]]}"
                for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"{page.url}: serious/critical accessibility violations:\n" + "\n".join(blocking)


def assert_fits_phone(page):
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 390, f"{page.url} scrolls sideways on a 390 px wide screen: scrollWidth={width}"


def test_citizen_reports_on_a_phone_follows_the_handling_and_rates_it(
        reporting, new_context, live_server, sign_in, named_screenshot, ui):
    city, people = reporting.city, reporting.people
    base = f"{live_server.url}/bandung/complaints"
    phone = new_context(**PHONE).new_page()

    # -- the citizen files the report ----------------------------------------------------------------
    sign_in(phone, "warga", PASSWORD, next_path="/bandung/complaints/new/")
    expect(phone.get_by_role("heading", level=1)).to_have_text(ui("Report a problem"))
    phone.get_by_label(ui("What is the problem?")).select_option("jalan-rusak")
    phone.get_by_label("Besar").check()  # the category's own question, loaded by htmx
    phone.get_by_label(ui("Describe it")).fill(DESCRIPTION)
    # The map opens on the city's centre: a tap in its middle puts the pin there.
    phone.locator("#kp-map").tap()
    nearby = phone.locator("#kp-nearby")
    expect(nearby).to_contain_text(ui("Kecamatan"))
    expect(nearby).to_contain_text(reporting.earlier.tracking_number)  # the similar report within 50 m
    expect(nearby.get_by_role("button", name=ui("Support this report"))).to_be_visible()
    phone.get_by_label(ui("Address or landmark")).fill("Jl. Asia Afrika, depan halte")
    phone.locator("#id_photos").set_input_files(reporting.photo)
    phone.get_by_label(ui("Public, without my name")).check()
    named_screenshot(phone, "complaints-flow-1-form")
    assert_fits_phone(phone)
    assert_accessible(phone)
    phone.get_by_role("button", name=ui("Send report")).click()

    expect(phone).to_have_url(re.compile(rf"{re.escape(base)}/new/sent/LP-[A-Z0-9]{{4}}-[A-Z0-9]{{4}}/$"))
    complaint = Complaint.objects.exclude(pk=reporting.earlier.pk).get(city=city)
    expect(phone.locator(".kp-tracking")).to_have_text(complaint.tracking_number)
    assert complaint.reporter == people.citizen and complaint.state == "submitted"
    assert complaint.category.code == "jalan-rusak" and complaint.attributes == {"ukuran": "besar"}
    assert complaint.visibility == "anonymous" and complaint.photo is not None
    assert abs(complaint.lat - BANDUNG_CENTRE[0]) < 0.0005 and abs(complaint.lng - BANDUNG_CENTRE[1]) < 0.0005
    assert complaint.district is not None
    named_screenshot(phone, "complaints-flow-2-sent")

    phone.get_by_role("button", name=ui("Follow this report")).click()
    expect(phone.locator("hgroup .kp-status")).to_have_text(ui("Waiting for verification"))
    expect(phone.locator("hgroup .kp-status")).to_have_class(re.compile("kp-red"))
    expect(phone.locator("main")).to_contain_text(complaint.district.name)
    expect(phone.locator("main")).to_contain_text("WIB")  # the due date in the city's time zone
    expect(phone.locator(".kp-photos img")).to_have_count(1)

    # -- the officials verify, assign and resolve it -------------------------------------------------
    complaint = svc.complaint_act(complaint=complaint, action="verify", actor=people.verifier)
    svc.complaint_assign(complaint=complaint, actor=people.verifier, assignee=people.officer)
    complaint.refresh_from_db()
    complaint = svc.complaint_act(complaint=complaint, action="start", actor=people.officer)
    complaint = svc.complaint_act(complaint=complaint, action="resolve", actor=people.officer, comment=REPLY)

    # -- the citizen sees the update and rates the handling --------------------------------------------
    phone.reload()
    expect(phone.locator("hgroup .kp-status")).to_have_text(ui("Resolved"))
    expect(phone.locator("hgroup .kp-status")).to_have_class(re.compile("kp-green"))
    history = phone.locator("ol.kp-timeline")
    expect(history).to_contain_text(REPLY)
    expect(history).to_contain_text(ui("Being handled"))
    assert people.officer.full_name not in phone.locator("main").inner_text()
    assert_fits_phone(phone)
    assert_accessible(phone)
    named_screenshot(phone, "complaints-flow-3-resolved")
    phone.get_by_label("★★★★★ (5/5)").check()
    phone.get_by_label(ui("Comment (optional)")).last.fill("Cepat sekali, terima kasih.")
    phone.get_by_role("button", name=ui("Send rating")).click()
    expect(phone.get_by_role("status")).to_contain_text(ui("Thank you for your rating."))
    complaint.refresh_from_db()
    assert complaint.rating == 5
    expect(phone.locator("main")).to_contain_text("5/5")

    # -- the public sees it on the map and the list, without the reporter's name ---------------------
    public = new_context(**PHONE).new_page()
    public.goto(f"{base}/")
    expect(public.locator(".kp-report-list")).to_contain_text(complaint.tracking_number)
    expect(public.locator(".leaflet-interactive")).to_have_count(2)  # one marker per report
    assert_fits_phone(public)
    assert_accessible(public)
    public.goto(f"{base}/r/{complaint.tracking_number}/")
    expect(public.locator("main")).to_contain_text(ui("Anonymous"))
    assert "Siti Rahmawati" not in public.locator("main").inner_text()
    named_screenshot(public, "complaints-flow-4-public")


def test_the_list_stats_and_services_pages_pass_the_axe_check_on_a_desktop(reporting, page, live_server):
    for path in ("", "stats/", "services/", "track/"):
        response = page.goto(f"{live_server.url}/bandung/complaints/{path}")
        assert response.status == 200
        assert_accessible(page)
