"""A citizen applies for a building approval (PBG) in the browser, is asked to complete the land
certificate, pays the SKRD at the demo bank after the officials verify, inspect and approve it, and
downloads a permit whose PAdES signature validates and whose public verification page says it is
valid. Once in Bandung (WIB) and once in Manado (WITA), each with a city day off of its own that
moves the due date."""

import datetime
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.utils import dateformat, timezone, translation
from playwright.sync_api import expect

from kotapintar.core import formatting
from kotapintar.core.services.calendar import add_working_days, city_day_off_add, is_working_day
from kotapintar.core.testing import PASSWORD, make_city, make_user
from kotapintar.permits.demo import install_standard_types
from kotapintar.permits.models import Permit, PermitApplication
from kotapintar.permits.signing import verify_pdf
from kotapintar.testservices import missing

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HOLDER = "Siti Rahmawati"
FEE = Decimal(120) * Decimal("1.5") * 10_000  # luas_bangunan x indeks_lokasi x Rp10.000

CITIES = [
    pytest.param(SimpleNamespace(code="32.73", slug="bandung", tz="Asia/Jakarta", zone="WIB",
                                 point="-6.89,107.61", address="Jl. Dago No. 12, Coblong",
                                 day_off="Hari Jadi Kota Bandung"), id="bandung"),
    pytest.param(SimpleNamespace(code="71.71", slug="manado", tz="Asia/Makassar", zone="WITA",
                                 point="1.47,124.84", address="Jl. Sam Ratulangi No. 5, Wenang",
                                 day_off="Hari Jadi Kota Manado"), id="manado"),
]


@pytest.fixture
def licensing(request, transactional_db, tmp_path, settings, live_server):
    """The city with the standard permit types, a citizen and its three licensing officials, plus a
    city day off on the next working day, so the due date depends on the city's own calendar."""
    spec = request.param
    settings.KOTAPINTAR_PUBLIC_URL = live_server.url  # what the permit's QR code points to
    city = make_city(spec.code, spec.slug)
    assert city.timezone == spec.tz
    install_standard_types(city)
    people = SimpleNamespace(
        citizen=make_user("warga", nik="3273014506900002", full_name=HOLDER),
        verifier=make_user("verifikator", city=city, roles=["permit_verifier"], full_name="Rina Verifikator"),
        inspector=make_user("teknis", city=city, roles=["permit_inspector"], full_name="Agus Teknis"),
        head=make_user("kepala", city=city, roles=["permit_head"], full_name="Ir. Budi Santoso"),
    )
    now = timezone.now()
    due_without_day_off = add_working_days(city, now, 2)
    day = now.astimezone(ZoneInfo(city.timezone)).date() + datetime.timedelta(days=1)
    while not is_working_day(city, day):
        day += datetime.timedelta(days=1)
    city_day_off_add(city=city, date=day, name=spec.day_off, actor=None)
    assert add_working_days(city, now, 2).date() > due_without_day_off.date()  # the day off counts
    pdf = tmp_path / "dokumen.pdf"
    pdf.write_bytes(PDF)
    return SimpleNamespace(spec=spec, city=city, people=people, pdf=str(pdf))


def scan_qr(pdf: bytes, png: Path, tmp_path: Path) -> str:
    """Render the permit's page to `png` (kept next to the screenshots) and read its QR code back."""
    tools = {}
    for name, package in (("pdftoppm", "poppler-utils"), ("zbarimg", "zbar-tools")):
        tools[name] = shutil.which(name) or missing(f"{name} ({package}) not installed")
    source = tmp_path / "permit.pdf"
    source.write_bytes(pdf)
    subprocess.run([tools["pdftoppm"], "-png", "-r", "150", "-singlefile", str(source), str(png.with_suffix(""))],
                   check=True)
    result = subprocess.run([tools["zbarimg"], "--raw", "-q", str(png)], capture_output=True, text=True)
    return result.stdout.strip()


def as_shown(city, moment, fmt):
    """`moment` as the pages render it: in the city's time zone, in Bahasa Indonesia."""
    with translation.override("id"):
        return dateformat.format(moment.astimezone(ZoneInfo(city.timezone)), fmt)


@pytest.mark.parametrize("licensing", CITIES, indirect=True)
def test_citizen_gets_signed_permit_after_return_payment_and_approval(
        licensing, new_context, live_server, sign_in, named_screenshot, shots_dir, tmp_path, ui):
    city, people, slug = licensing.city, licensing.people, licensing.spec.slug
    base = f"{live_server.url}/{slug}/permits"
    shot_number = iter(range(1, 100))

    def shot(page, name):
        named_screenshot(page, f"permits-{slug}-{next(shot_number):02d}-{name}")

    def session_of(user):
        page = new_context().new_page()
        sign_in(page, user.username, PASSWORD, next_path=f"/{slug}/permits/")
        return page

    def status(page):
        return page.get_by_role("status")

    # -- the citizen applies --------------------------------------------------------------------
    citizen = session_of(people.citizen)
    expect(citizen.get_by_role("heading", level=1)).to_have_text(ui("Online permits"))
    shot(citizen, "catalogue")
    citizen.get_by_role("link", name="Persetujuan Bangunan Gedung (PBG)").click()
    expect(citizen).to_have_url(f"{base}/types/pbg/")
    expect(citizen.locator("main")).to_contain_text("Rp10.000")  # the fee formula, in plain words
    citizen.get_by_role("button", name=ui("Apply now")).click()
    expect(citizen).to_have_url(re.compile(rf"{re.escape(base)}/applications/\d+/$"))
    application = PermitApplication.objects.get(city=city, applicant=people.citizen)
    application_url = f"{base}/applications/{application.pk}/"
    expect(citizen.locator("hgroup")).to_contain_text(ui("Draft (not submitted yet)"))

    citizen.get_by_label("Alamat bangunan").fill(licensing.spec.address)
    citizen.get_by_label("Titik lokasi").fill(licensing.spec.point)
    citizen.get_by_label("Fungsi bangunan").select_option("hunian")
    citizen.get_by_label("Luas bangunan (m²)").fill("120")
    citizen.get_by_label("Jumlah lantai").fill("2")
    citizen.get_by_label("Indeks lokasi").fill("1.5")
    for key in ("ktp", "kkpr", "sertifikat_tanah", "gambar_teknis"):
        citizen.locator(f"#doc_{key}").set_input_files(licensing.pdf)
    shot(citizen, "form-filled")
    citizen.get_by_role("button", name=ui("Submit"), exact=True).click()

    expect(status(citizen)).to_contain_text(ui("Submitted. Keep your registration number to follow it."))
    application.refresh_from_db()
    assert application.state == "submitted"
    lat, lng = (float(part) for part in licensing.spec.point.split(","))
    assert application.data["lokasi"] == {"lat": lat, "lng": lng}
    registration = application.registration_number
    assert registration.startswith(city.region_code.replace(".", "") + "-")
    expect(citizen.locator("hgroup strong")).to_have_text(registration)
    badge = citizen.locator("main .kp-badge.kp-state-submitted")
    expect(badge).to_have_text("Verifikasi berkas")
    # The due date: two working days after submission, counted in the city's time zone with its
    # holidays and its own day off, shown as the city's date.
    due = add_working_days(city, application.submitted_at, 2)
    assert application.due_at == due
    expect(citizen.locator("main")).to_contain_text(f"{ui('due')} {as_shown(city, due, 'l, d F Y')}")
    # The timeline shows when it happened in the city's own time (WIB in Bandung, WITA in Manado).
    submitted_at = as_shown(city, application.submitted_at, "d M Y H:i T")
    assert submitted_at.endswith(licensing.spec.zone)
    expect(citizen.locator(".kp-timeline")).to_contain_text(submitted_at)
    shot(citizen, "submitted")

    # -- the verifier returns it: the land certificate must be completed ------------------------
    verifier = session_of(people.verifier)
    verifier.goto(f"{base}/inbox/")
    expect(verifier.get_by_role("heading", level=1)).to_have_text(ui("Permit inbox"))
    row = verifier.locator("main tbody tr", has_text=registration)
    expect(row).to_contain_text(HOLDER)
    expect(row).to_contain_text(as_shown(city, due, "d M Y"))
    shot(verifier, "verifier-inbox")
    row.get_by_role("link", name=registration).click()
    expect(verifier).to_have_url(application_url)
    verifier.get_by_label(ui("Comment (required to return or reject)")).fill(
        "Sertifikat tanah tidak terbaca, mohon unggah ulang hasil pindaian yang jelas.")
    verifier.get_by_text(ui("When returning: what must the applicant complete?")).click()
    verifier.get_by_label("Sertifikat tanah", exact=True).check()
    shot(verifier, "verifier-return")
    verifier.locator("button[name=action][value=return]").click()
    expect(status(verifier)).to_contain_text(ui("Done."))
    application.refresh_from_db()
    assert (application.state, application.return_fields) == ("returned", ["sertifikat_tanah"])

    # -- the citizen completes only what was asked ----------------------------------------------
    citizen.goto(application_url)
    returned = citizen.locator("main p.kp-message.kp-error")
    expect(returned).to_contain_text(
        ui("Your application was returned. Complete only what is asked and submit it again."))
    expect(citizen.locator(".kp-timeline li.kp-red")).to_contain_text("Sertifikat tanah tidak terbaca")
    uploads = citizen.locator("main input[type=file]")
    expect(uploads).to_have_count(1)
    expect(uploads).to_have_attribute("name", "doc_sertifikat_tanah")
    for label in ("Alamat bangunan", "Titik lokasi", "Fungsi bangunan", "Luas bangunan (m²)", "Jumlah lantai",
                  "Indeks lokasi"):
        expect(citizen.get_by_label(label)).to_be_disabled()
    shot(citizen, "returned")
    uploads.set_input_files(licensing.pdf)
    citizen.get_by_role("button", name=ui("Submit"), exact=True).click()
    expect(status(citizen)).to_contain_text(ui("Submitted. Keep your registration number to follow it."))
    expect(citizen.locator("main .kp-badge.kp-state-submitted")).to_be_visible()
    application.refresh_from_db()
    assert (application.state, application.return_fields) == ("submitted", [])

    # -- verify, inspect, approve ---------------------------------------------------------------
    def act(page, action):
        page.goto(application_url)
        page.locator(f"button[name=action][value={action}]").click()
        expect(status(page)).to_contain_text(ui("Done."))

    act(verifier, "verify")
    inspector = session_of(people.inspector)
    act(inspector, "inspect")
    head = session_of(people.head)
    head.goto(application_url)
    shot(head, "head-decision")
    act(head, "approve")
    application.refresh_from_db()
    assert application.state == "awaiting_payment"

    # -- the citizen pays the SKRD --------------------------------------------------------------
    citizen.goto(application_url)
    invoice = citizen.locator("main article", has_text=ui("Retribution invoice (SKRD)"))
    amount = formatting.rupiah(FEE)
    assert amount == "Rp 1.800.000"
    expect(invoice).to_contain_text(amount)
    expect(invoice).to_contain_text("satu juta delapan ratus ribu rupiah")
    shot(citizen, "invoice")
    invoice.get_by_role("button", name=ui("Pay (demo bank)")).click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text(ui("Demo bank"))
    shot(citizen, "demo-bank")
    citizen.get_by_role("button", name=f"{ui('Pay')} {amount}").click()
    expect(citizen).to_have_url(application_url)
    expect(status(citizen)).to_contain_text(ui("Payment received. Your permit is issued."))
    permit = Permit.objects.get(application=application)
    issued = citizen.locator("main article", has_text=ui("Permit issued"))
    expect(issued).to_contain_text(permit.number)
    expect(citizen.locator("main .kp-badge.kp-state-issued")).to_have_text("Izin terbit")
    shot(citizen, "issued")

    # -- the signed PDF -------------------------------------------------------------------------
    # The button downloads the file (Content-Disposition: attachment and a `download` link).
    with citizen.expect_download() as download_info:
        issued.get_by_role("button", name=ui("Download the signed permit (PDF)")).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    pdf = Path(download.path()).read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert citizen.context.request.get(download.url).body() == pdf
    response = download  # its URL is checked below
    assert new_context().request.get(response.url).status == 404  # nobody else may read it
    # pyHanko's validator calls asyncio.run(), which refuses to run inside the event loop that
    # Playwright's sync API keeps in this thread: check the signature from a worker thread.
    with ThreadPoolExecutor(max_workers=1) as worker:
        check = worker.submit(verify_pdf, pdf, city=city).result()
    assert (check.signed, check.intact, check.valid) == (True, True, True), check.problem
    assert check.signer_common_name

    # -- the public verification page, as anyone who scans the QR code --------------------------
    page_png = shots_dir / f"permits-{slug}-{next(shot_number):02d}-pdf.png"
    scanned = scan_qr(pdf, page_png, tmp_path)
    assert scanned == f"{base}/verify/{permit.verification_token}/"
    expect(issued.get_by_role("link", name=ui("Verification page"))).to_have_attribute("href", scanned[len(
        live_server.url):])
    visitor = new_context().new_page()
    visitor.goto(scanned)
    verdict = visitor.locator("main .kp-message")
    expect(verdict).to_contain_text(ui("VALID"))
    expect(verdict).to_contain_text(city.name)
    main = visitor.locator("main")
    expect(main).to_contain_text(permit.number)
    expect(main).to_contain_text(people.head.full_name)  # who signed it
    expect(main).to_contain_text(formatting.mask_name(HOLDER))
    expect(main).not_to_contain_text(HOLDER)
    shot(visitor, "verification")
