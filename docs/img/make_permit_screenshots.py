"""Re-make the screenshots of the permits guide in docs/img/permits/id/ and docs/img/permits/en/.

1. Start a server with demo data in a scratch data directory, with the public address it answers on
   (the QR code of a permit links there):

       KOTAPINTAR_DATA_DIR=/tmp/kp-pdocs KOTAPINTAR_PUBLIC_URL=http://127.0.0.1:8071 \\
           .venv/bin/kotapintar run --port 8071 &

2. Run this script from the repository root, with the same data directory:

       KOTAPINTAR_DATA_DIR=/tmp/kp-pdocs .venv/bin/python docs/img/make_permit_screenshots.py \\
           [--base http://127.0.0.1:8071] [--only id|en]

Once per data directory it adds, through `kotapintar shell`, two applications submitted 14 and 7 days
ago (the inbox then marks the PBG one overdue, and the deadline job gives the event permit deemed
approval). Then, per language, it plays one application from start to end through the pages, as the
demo accounts (password kotapintar-demo): the citizen `warga` applies for an advertising permit (Izin
Penyelenggaraan Reklame), the verifier returns it for a clearer photo, the citizen completes it, the
verifier verifies it, the head of DPMPTSP claims and approves it, the citizen pays the SKRD at the demo
bank, downloads the signed PDF (page 1 of the Indonesian run's permit is rendered with `pdftoppm`, for
both guides) and answers the survey; anyone checks the permit (verification page) and the status; the
head opens the reports and `admin.bandung` the permit type pages. Every run therefore adds one issued
permit per language to the demo; the numbers quoted in the guides (3273-2026-000012 and -000013,
503/0004 and 503/0005) are those of a fresh data directory.

Screenshots are 1280x800 (desktop) or 390x844 (phone) PNGs, each kept under about 150 KB. Indonesian
ones use the default language; English ones switch with the language selector and the "Change"
button. Uses Debian's /usr/bin/chromium; never run `playwright install`.
"""

import argparse
import io
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

IMG_DIR = Path(__file__).resolve().parent / "permits"
REPO = Path(__file__).resolve().parents[2]
PASSWORD = "kotapintar-demo"
CITY = "bandung"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
MAX_BYTES = 150 * 1024
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CITIZEN, VERIFIER, HEAD = "warga", "verifikator.bandung", "kepala.dpmptsp.bandung"
CITY_ADMIN = "admin.bandung"

# Run once per data directory by `kotapintar shell`: two applications submitted 14 and 7 days ago.
AGED_ITEMS = r'''
import datetime
from django.contrib.auth import get_user_model
from django.utils import timezone
from kotapintar.core.models import City
from kotapintar.core.services.workflow import workflow_deadlines_run
from kotapintar.permits.demo import sample_pdf, sample_png
from kotapintar.permits.models import PermitApplication, PermitType
from kotapintar.permits.services import applications as svc

users = get_user_model().objects
city = City.objects.get(slug="bandung")
warga, verifier = users.get(username="warga"), users.get(username="verifikator.bandung")
now = timezone.now()
AGED = {
    "keramaian": {"nama_acara": "Pentas Seni Akhir Tahun RW 05", "tanggal_acara": "2026-12-31",
                  "tempat_acara": "Lapangan RW 05 Cihapit", "perkiraan_peserta": "300"},
    "pbg": {"alamat_bangunan": "Jl. Cihapit No. 7, Bandung Wetan", "lokasi": "-6.9037, 107.6186",
            "fungsi_bangunan": "usaha", "luas_bangunan": "85", "jumlah_lantai": "2", "indeks_lokasi": "1.2"},
}
for code, data in AGED.items():
    first = next(iter(data))
    if PermitApplication.objects.filter(city=city, **{f"data__{first}": data[first]}).exists():
        continue
    permit_type = PermitType.objects.get(city=city, code=code)
    application = svc.application_create(permit_type=permit_type, applicant=warga, data=data)
    for requirement in permit_type.documents:
        upload = sample_pdf() if "pdf" in requirement.get("types", ["pdf"]) else sample_png()
        svc.application_document_add(application=application, actor=warga, key=requirement["key"], file=upload)
    days_ago = 14 if code == "keramaian" else 7
    application = svc.application_act(application=application, actor=warga, action="submit",
                                      expected_state="draft", now=now - datetime.timedelta(days=days_ago))
    if code == "keramaian":
        svc.application_act(application=application, actor=verifier, action="verify", expected_state="submitted",
                            now=now - datetime.timedelta(days=days_ago - 1))
print("deadline job:", workflow_deadlines_run())
'''


def save_png(data: bytes, lang: str, name: str) -> None:
    """Write the PNG; shrink it to a palette PNG if it is larger than MAX_BYTES."""
    from PIL import Image

    target = IMG_DIR / lang / f"{name}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    if len(data) > MAX_BYTES:
        image = Image.open(io.BytesIO(data)).convert("RGB")
        for colors in (256, 128, 64):
            buffer = io.BytesIO()
            image.quantize(colors=colors, method=Image.Quantize.MEDIANCUT).save(buffer, "PNG", optimize=True)
            data = buffer.getvalue()
            if len(data) <= MAX_BYTES:
                break
    target.write_bytes(data)
    print(f"{target.relative_to(REPO)}  {len(data) // 1024} KB")


def save(page, lang: str, name: str, full_page: bool = False) -> None:
    save_png(page.screenshot(full_page=full_page), lang, name)


def save_element(locator, lang: str, name: str, max_height: int | None = None) -> None:
    """Screenshot one element of the page; `max_height` keeps only its top part."""
    locator.scroll_into_view_if_needed()
    if max_height is None:
        save_png(locator.screenshot(), lang, name)
        return
    box = locator.bounding_box()
    scroll = locator.page.evaluate("[window.scrollX, window.scrollY]")
    clip = {"x": box["x"] + scroll[0], "y": box["y"] + scroll[1], "width": box["width"],
            "height": min(box["height"], max_height)}
    save_png(locator.page.screenshot(full_page=True, clip=clip), lang, name)


# -- sample uploads (made here, so nothing binary is kept in the repository) --------------------------
def sample_image(text: str, size=(640, 420), fmt="PNG") -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, (235, 242, 238))
    draw = ImageDraw.Draw(image)
    draw.rectangle([10, 10, size[0] - 10, size[1] - 10], outline=(15, 110, 80), width=4)
    draw.text((30, 30), text, fill=(20, 20, 20))
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def sample_pdf(text: str) -> bytes:
    return sample_image(text, (595, 842), "PDF")


def upload(name: str, data: bytes, mime: str) -> dict:
    return {"name": name, "mimeType": mime, "buffer": data}


def pdf(name: str) -> dict:
    return upload(f"{name}.pdf", sample_pdf(name.upper() + " (contoh)"), "application/pdf")


def png(name: str, text: str) -> dict:
    return upload(f"{name}.png", sample_image(text), "image/png")


class Shooter:
    def __init__(self, browser, base: str, lang: str, workdir: Path):
        self.browser, self.base, self.lang, self.workdir = browser, base.rstrip("/"), lang, workdir
        self.en = lang == "en"

    def t(self, indonesian: str, english: str) -> str:
        return english if self.en else indonesian

    def context(self, viewport=DESKTOP, phone=False):
        context = self.browser.new_context(viewport=viewport, device_scale_factor=1, is_mobile=phone,
                                           has_touch=phone, locale="en-US", accept_downloads=True)
        page = context.new_page()
        if self.en:
            # The browser says en-US, but Kota Pintar stays Indonesian until the person switches.
            page.goto(self.base + "/")
            page.select_option("#lang-select", "en")
            page.locator("#lang-select").locator("xpath=..").locator("button[type=submit]").click()
            page.wait_for_load_state()
        return context, page

    def as_user(self, username: str, viewport=DESKTOP):
        context, page = self.context(viewport)
        page.goto(f"{self.base}/accounts/login/?next=/{CITY}/permits/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        return context, page

    def go(self, page, path: str) -> None:
        page.goto(self.base + path)
        page.wait_for_load_state()

    def click(self, page, locator) -> None:
        locator.click()
        page.wait_for_load_state()

    def act(self, page, action: str, comment: str = "") -> None:
        if comment:
            page.fill("#comment", comment)
        self.click(page, page.locator(f"button[name=action][value={action}]"))

    def run(self):
        # -- the citizen applies ------------------------------------------------------------------
        context, page = self.as_user(CITIZEN)
        self.go(page, f"/{CITY}/permits/")
        save(page, self.lang, "catalogue")
        self.go(page, f"/{CITY}/permits/types/reklame/")
        save(page, self.lang, "type", full_page=True)
        self.click(page, page.locator("main form button[type=submit]"))
        application_path = re.sub(r"^https?://[^/]+", "", page.url)
        page.fill("#id_lokasi_reklame", "Jl. Braga No. 40, Sumur Bandung")
        page.fill("#id_titik", "-6.9175, 107.6091")
        page.fill("#id_luas_reklame", "6")
        page.fill("#id_lama_hari", "30")
        page.fill("#id_naskah", self.t("Pameran Kriya Braga", "Braga Craft Fair"))
        page.evaluate("window.scrollTo(0, 0)")
        save(page, self.lang, "draft")
        # A PNG named .pdf where only PDF is accepted: refused by its content.
        page.set_input_files("#doc_ktp", png("ktp", "KTP (contoh)"))
        page.set_input_files("#doc_nib", upload("nib.pdf", sample_image("NIB (foto)"), "application/pdf"))
        self.click(page, page.locator("button[name=save]"))
        save(page, self.lang, "upload-refused")
        for key in ("nib", "npwp", "persetujuan_pemilik", "desain"):
            page.set_input_files(f"#doc_{key}", pdf(key))
        page.set_input_files("#doc_foto_lokasi", png("foto_lokasi", "Foto lokasi (gelap)"))
        self.click(page, page.locator("button[name=save]"))
        page.locator("table").scroll_into_view_if_needed()
        save(page, self.lang, "draft-saved")
        self.click(page, page.locator("button[name=submit]"))
        save(page, self.lang, "submitted")
        number = page.locator("main hgroup strong").inner_text().strip()
        self.go(page, f"/{CITY}/permits/my/")
        save(page, self.lang, "my-applications")
        context.close()

        # -- the verifier returns it for a clearer photo ------------------------------------------------
        context, page = self.as_user(VERIFIER)
        self.go(page, f"/{CITY}/permits/inbox/")
        save(page, self.lang, "inbox")
        self.go(page, application_path)
        panel = page.locator("main article", has=page.locator("#comment"))
        page.locator("main details summary").click()
        page.check("input[name=return_fields][value=foto_lokasi]")
        page.fill("#comment", self.t("Foto lokasi terlalu gelap; unggah foto siang hari yang memperlihatkan "
                                     "tiang reklame.", "The site photo is too dark; upload a daylight photo "
                                     "showing the billboard pole."))
        save_element(panel, self.lang, "return")
        self.act(page, "return")
        context.close()

        # -- the citizen completes what was asked -------------------------------------------------------
        context, page = self.as_user(CITIZEN)
        self.go(page, application_path)
        save(page, self.lang, "returned", full_page=True)
        page.set_input_files("#doc_foto_lokasi", png("foto_lokasi_siang", "Foto lokasi (siang)"))
        self.click(page, page.locator("button[name=submit]"))
        context.close()

        # -- the verifier verifies; the head claims and approves ----------------------------------------
        context, page = self.as_user(VERIFIER)
        self.go(page, application_path)
        self.act(page, "verify")
        context.close()
        context, page = self.as_user(HEAD)
        self.go(page, application_path)
        panel = page.locator("main article", has=page.locator("#comment"))
        self.click(page, panel.locator("form").nth(1).locator("button"))
        panel = page.locator("main article", has=page.locator("#comment"))
        save_element(panel, self.lang, "decide")
        self.act(page, "approve")
        context.close()

        # -- the citizen pays, downloads the permit and answers the survey ------------------------------
        context, page = self.as_user(CITIZEN)
        self.go(page, application_path)
        save(page, self.lang, "skrd")
        save_element(page.locator("main ol.kp-timeline"), self.lang, "timeline")
        self.click(page, page.locator("main a[href*='/bank/']"))
        save(page, self.lang, "bank")
        self.click(page, page.locator("main form button[type=submit]"))
        save(page, self.lang, "issued")
        with page.expect_download() as download:
            page.locator("main a[download]").first.click()
        pdf_path = self.workdir / f"permit-{self.lang}.pdf"
        download.value.save_as(pdf_path)
        if not self.en:  # a permit is an Indonesian document: both guides show this one
            subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf_path),
                            str(self.workdir / "permit")], check=True)
            save_png((self.workdir / "permit.png").read_bytes(), self.lang, "permit-pdf")
        verify_path = re.sub(r"^https?://[^/]+", "", page.locator("main a[href*='/verify/']").get_attribute("href"))
        survey = page.locator("main article", has=page.locator("input[name=q1]"))
        for question, answer in enumerate([4, 3, 4, 4, 3, 4, 4, 3, 4], start=1):
            page.check(f"input[name=q{question}][value='{answer}']")
        page.fill("#id_comment", self.t("Cepat dan jelas.", "Quick and clear."))
        save_element(survey, self.lang, "survey", max_height=560)
        self.click(page, survey.locator("button[type=submit]"))
        context.close()

        # -- anyone: verification page (after scanning the QR code) and status look-up (phone) ----------
        context, page = self.context(PHONE, phone=True)
        self.go(page, verify_path)
        save(page, self.lang, "verify")
        self.go(page, f"/{CITY}/permits/status/")
        page.fill("#number", number)
        self.click(page, page.locator("main form button[type=submit]"))
        save(page, self.lang, "status")
        context.close()

        # -- officials: deemed approval, reports --------------------------------------------
        context, page = self.as_user(HEAD)
        # The aged event permit (deemed approval) is found through the API, which lists the city's
        # applications to officials.
        deemed = page.request.get(f"{self.base}/api/v1/cities/{CITY}/permits/applications/").json()
        items = deemed.get("results", deemed) if isinstance(deemed, dict) else deemed
        aged = next((a for a in items if a["data"].get("nama_acara") == "Pentas Seni Akhir Tahun RW 05"), None)
        if aged:
            self.go(page, f"/{CITY}/permits/applications/{aged['id']}/")
            save_element(page.locator("main ol.kp-timeline"), self.lang, "deemed")
        self.go(page, f"/{CITY}/permits/reports/")
        save(page, self.lang, "reports")
        save_element(page.locator("main table").first, self.lang, "reports-table")
        context.close()

        # -- permit types, defined without code (city administrator; permit administrators alike) -------
        context, page = self.as_user(CITY_ADMIN)
        self.go(page, f"/{CITY}/permits/admin/types/")
        save(page, self.lang, "type-admin")
        self.go(page, f"/{CITY}/permits/admin/types/pbg/")
        save(page, self.lang, "type-admin-form", full_page=True)
        context.close()


def aged_items(data_dir: str) -> None:
    env = {**os.environ, "KOTAPINTAR_DATA_DIR": data_dir}
    kotapintar = Path(sys.executable).with_name("kotapintar")
    result = subprocess.run([str(kotapintar), "shell", "-c", AGED_ITEMS], env=env, cwd=REPO, text=True,
                            capture_output=True)
    if result.returncode:
        raise SystemExit(f"kotapintar shell failed:\n{result.stderr}")
    print(result.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8071")
    parser.add_argument("--only", choices=["id", "en"])
    parser.add_argument("--data-dir", default=os.environ.get("KOTAPINTAR_DATA_DIR", "/tmp/kp-pdocs"),
                        help="the server's KOTAPINTAR_DATA_DIR (for the two aged applications)")
    args = parser.parse_args()
    aged_items(args.data_dir)
    with tempfile.TemporaryDirectory() as workdir, sync_playwright() as p:
        # Playwright gives the browser a fresh, temporary user data directory.
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for lang in ("id", "en"):
            if args.only and lang != args.only:
                continue
            Shooter(browser, args.base, lang, Path(workdir)).run()
        browser.close()


if __name__ == "__main__":
    main()
