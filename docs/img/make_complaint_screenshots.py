"""Re-make the screenshots of the complaints guide in docs/img/complaints/id/ and docs/img/complaints/en/.

1. Start a server with demo data in a scratch data directory:

       KOTAPINTAR_DATA_DIR=/tmp/kp-docs-c .venv/bin/kotapintar run --port 8061 &

2. Run this script from the repository root, with the same data directory:

       KOTAPINTAR_DATA_DIR=/tmp/kp-docs-c .venv/bin/python docs/img/make_complaint_screenshots.py \\
           [--base http://127.0.0.1:8061] [--only id|en]

Once per data directory it adds, through `kotapintar shell`, three Bandung reports with photos filed 4 to 8
working days ago (the queues then show overdue reports). Then, per language, it plays one report from
start to end through the pages, as the demo accounts (password kotapintar-demo): the citizen `warga`
reports a pothole on a phone (390x844) next to an open demo report (so "similar reports nearby" shows),
with a photo that carries a GPS position; someone without an account reports rubbish by address only
and confirms it from the link of the e-mail (read from the database, as the e-mail goes to the server's
console); the verifier `verifikator.lapor.bandung` verifies the pothole and assigns it to
`petugas.pupr.bandung`, who writes an internal note, starts and resolves it; the citizen sees the answer
and rates it; anyone opens the public map, the report's public page, the statistics and the service
catalogue; `admin.bandung` opens the complaint settings, a category, a service standard and creates an
Open311 key. Every run therefore adds two reports per language to the demo.

Screenshots are 1280x800 (desktop) or 390x844 (phone) PNGs, each kept under about 150 KB. Indonesian
ones use the default language; English ones switch with the language selector and the "Change" button
before signing in. Uses Debian's /usr/bin/chromium; never run `playwright install`.
"""

import argparse
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

IMG_DIR = Path(__file__).resolve().parent / "complaints"
REPO = Path(__file__).resolve().parents[2]
PASSWORD = "kotapintar-demo"
CITY = "bandung"
DESKTOP = {"width": 1280, "height": 800}
OFFICE = {"width": 1440, "height": 900}  # officials' menus are longer
PHONE = {"width": 390, "height": 844}
MAX_BYTES = 150 * 1024
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CITIZEN, VERIFIER, OFFICER, ADMIN = "warga", "verifikator.lapor.bandung", "petugas.pupr.bandung", "admin.bandung"

# Run by `kotapintar shell`: three aged reports with photos (once), then print where the open demo
# pothole report is, as JSON on the last line.
SETUP = r'''
import datetime, io, json
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw
from kotapintar.complaints.models import Complaint, ComplaintCategory
from kotapintar.complaints.services.reports import complaint_act, complaint_create
from kotapintar.core.models import City

def photo(spot):
    image = Image.new("RGB", (640, 480), (118, 118, 112))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, 640, 150], fill=(150, 190, 225))
    draw.polygon([(0, 480), (250, 150), (390, 150), (640, 480)], fill=(70, 70, 68))
    draw.line([(320, 160), (320, 480)], fill=(235, 235, 235), width=6)
    draw.ellipse(spot, fill=(40, 38, 36))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return SimpleUploadedFile("foto.jpg", out.getvalue(), content_type="image/jpeg")

users = get_user_model().objects
city = City.objects.get(slug="bandung")
categories = {c.code: c for c in ComplaintCategory.objects.filter(city=city)}
if not Complaint.objects.filter(city=city, description__startswith="Jalan amblas di depan sekolah").exists():
    now = timezone.now()
    verifier = users.get(username="verifikator.lapor.bandung")
    for username, name, code, text, dlat, dlng, days, answers, spot, verify in [
        ("budi", "Budi Santoso", "jalan-rusak", "Jalan amblas di depan sekolah, lubang makin lebar setiap hari.",
         0.0040, 0.0031, 8, {"ukuran": "sedang", "membahayakan": "ya"}, ((250, 330), (360, 380)), False),
        ("yusuf", "Yusuf Maulana", "sampah", "Tumpukan sampah di bantaran sungai, menyumbat aliran air.",
         -0.0065, 0.0080, 6, {}, ((200, 300), (460, 420)), False),
        ("dewi", "Dewi Lestari", "jalan-rusak", "Aspal mengelupas sepanjang 20 meter di jalur sepeda motor.",
         -0.0100, -0.0060, 12, {"ukuran": "besar", "membahayakan": "ya"}, ((120, 320), (540, 470)), True),
    ]:
        person, _created = users.get_or_create(username=username, defaults={"full_name": name,
                                                                          "email": f"{username}@example.id"})
        complaint = complaint_create(city=city, category=categories[code], description=text, lat=city.lat + dlat,
                                     lng=city.lng + dlng, attributes=answers, reporter=person, photos=[photo(spot)],
                                     check_limits=False, now=now - datetime.timedelta(days=days))
        if verify:
            complaint_act(complaint=complaint, action="verify", actor=verifier, expected_state="submitted",
                          now=now - datetime.timedelta(days=days - 1))
    print("aged reports added")
pothole = Complaint.objects.filter(city=city, category__code="jalan-rusak", state="submitted",
                                   description__startswith="Lubang besar").first()
print(json.dumps({"lat": pothole.lat, "lng": pothole.lng, "tracking": pothole.tracking_number}))
'''

CONFIRM_CODE = r'''
from kotapintar.complaints.models import Complaint
print(Complaint.objects.get(city__slug="bandung", tracking_number="{tracking}").confirm_code)
'''


def shell(code: str) -> str:
    kotapintar = Path(sys.executable).with_name("kotapintar")
    result = subprocess.run([str(kotapintar), "shell", "-c", code], env=os.environ.copy(), cwd=REPO, text=True,
                            capture_output=True)
    if result.returncode:
        raise SystemExit(f"kotapintar shell failed:\n{result.stderr}")
    return result.stdout.strip()


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
    if full_page:  # the page's height, the viewport's width
        height = page.evaluate("document.documentElement.scrollHeight")
        clip = {"x": 0, "y": 0, "width": page.viewport_size["width"], "height": height}
        save_png(page.screenshot(full_page=True, clip=clip), lang, name)
    else:
        save_png(page.screenshot(), lang, name)


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


def scroll_to(page, selector: str, margin: int = 8) -> None:
    page.evaluate("([s, m]) => { const e = document.querySelector(s); "
                  "window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - m); }", [selector, margin])
    page.wait_for_timeout(300)


def photo_with_gps() -> dict:
    """A JPEG 'taken by a phone': a road with a hole, with the camera's GPS position and make in EXIF."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (800, 600), (118, 118, 112))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, 800, 190], fill=(150, 190, 225))
    draw.polygon([(0, 600), (310, 190), (490, 190), (800, 600)], fill=(70, 70, 68))
    draw.ellipse((300, 400, 470, 470), fill=(35, 33, 31))
    exif = Image.Exif()
    exif[0x010F] = "KameraMerk"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "S", (6.0, 55.0, 3.0), "E", (107.0, 37.0, 8.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=80)
    return {"name": "IMG_20261128_0712.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


class Shooter:
    def __init__(self, browser, base: str, lang: str, pothole: dict):
        self.browser, self.base, self.lang, self.pothole = browser, base.rstrip("/"), lang, pothole
        self.en = lang == "en"

    def t(self, indonesian: str, english: str) -> str:
        return english if self.en else indonesian

    def context(self, viewport=DESKTOP, **extra):
        phone = viewport == PHONE
        context = self.browser.new_context(viewport=viewport, device_scale_factor=1, is_mobile=phone,
                                           has_touch=phone, locale="en-US", **extra)
        page = context.new_page()
        if self.en:
            # The browser says en-US, but Kota Pintar stays Indonesian until the person switches.
            page.goto(self.base + "/")
            page.select_option("#lang-select", "en")
            page.locator("#lang-select").locator("xpath=..").locator("button[type=submit]").click()
            page.wait_for_load_state()
        return context, page

    def as_user(self, username: str, viewport=DESKTOP, **extra):
        context, page = self.context(viewport, **extra)
        page.goto(f"{self.base}/accounts/login/?next=/{CITY}/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        return context, page

    def go(self, page, path: str) -> None:
        page.goto(self.base + path)
        page.wait_for_load_state("networkidle")

    def click(self, page, locator) -> None:
        locator.click()
        page.wait_for_load_state("networkidle")

    def run(self):
        city = f"/{CITY}/complaints"
        # -- the citizen reports a pothole on a phone, 15 m from an open report ------------------------
        here = {"latitude": self.pothole["lat"] + 0.00012, "longitude": self.pothole["lng"] + 0.00006}
        context, page = self.as_user(CITIZEN, PHONE, geolocation=here, permissions=["geolocation"])
        self.go(page, f"{city}/new/")
        save(page, self.lang, "new-start")
        page.select_option("#id_category", "jalan-rusak")
        page.wait_for_selector("[name='attribute[ukuran]']")
        page.check("input[name='attribute[ukuran]'][value=sedang]")
        page.check("input[name='attribute[membahayakan]'][value=ya]")
        page.fill("#id_description", self.t("Lubang dalam di lajur kiri dekat halte, motor sering terperosok.",
                                            "A deep pothole in the left lane near the bus stop; motorbikes fall in."))
        scroll_to(page, "#id_category", 60)
        save(page, self.lang, "new-what")
        self.click(page, page.locator("#kp-locate"))
        page.wait_for_selector("#kp-nearby .kp-place")
        page.wait_for_timeout(500)
        page.fill("#id_address", "Jl. Ahmad Yani, depan halte")
        scroll_to(page, "#kp-nearby")
        save(page, self.lang, "new-nearby")
        scroll_to(page, "fieldset.kp-step:nth-of-type(2) legend")
        save(page, self.lang, "new-where")
        page.set_input_files("#id_photos", photo_with_gps())
        scroll_to(page, "fieldset.kp-step:nth-of-type(3) legend")
        save(page, self.lang, "new-privacy")
        self.click(page, page.locator("#kp-report-form > button[type=submit]"))
        save(page, self.lang, "sent")
        tracking = page.locator(".kp-tracking").inner_text().strip()
        report = f"{city}/r/{tracking}/"
        self.go(page, report)
        save(page, self.lang, "my-report")
        self.go(page, f"{city}/mine/")
        save(page, self.lang, "mine")
        context.close()

        # -- someone without an account reports rubbish by address, then confirms by e-mail -------------
        context, page = self.context(PHONE)
        self.go(page, f"{city}/new/")
        page.select_option("#id_category", "sampah")
        page.fill("#id_description", self.t("Sampah rumah tangga menumpuk di pinggir jalan sejak tiga hari.",
                                            "Household rubbish piled up at the roadside for three days."))
        page.fill("#id_address", "Gang Sukamaju, Kelurahan Cihapit")
        page.check("input[name=visibility][value=anonymous]")
        page.fill("#id_name", "Agus")
        page.fill("#id_email", "agus.warga@example.id")
        scroll_to(page, "fieldset.kp-step:nth-of-type(4) legend")
        save(page, self.lang, "new-contact")
        self.click(page, page.locator("#kp-report-form > button[type=submit]"))
        save(page, self.lang, "sent-unconfirmed")
        unconfirmed = page.locator(".kp-tracking").inner_text().strip()
        code = shell(CONFIRM_CODE.replace("{tracking}", unconfirmed)).splitlines()[-1]
        self.go(page, f"{city}/r/{unconfirmed}/confirm/{code}/")
        save(page, self.lang, "confirm")
        self.click(page, page.locator("main form button[type=submit]"))
        context.close()

        # -- the verifier: queue, the report, verify and assign ------------------------------------------
        context, page = self.as_user(VERIFIER, OFFICE)
        self.go(page, f"{city}/queue/")
        save(page, self.lang, "queue")
        self.go(page, f"{city}/office/{tracking}/")
        save(page, self.lang, "office-report")
        save_element(page.locator("#merge"), self.lang, "office-merge")
        self.click(page, page.locator("#act button[name=action][value=verify]"))
        asep = page.locator("#assign-person option", has_text="Asep").first.get_attribute("value")
        page.select_option("#assign-person", asep)
        save_element(page.locator("#assign"), self.lang, "office-assign")
        self.click(page, page.locator("#assign button[type=submit]"))
        context.close()

        # -- the officer of Dinas PUPR: note, start, resolve ----------------------------------------------
        context, page = self.as_user(OFFICER, OFFICE)
        self.go(page, f"{city}/queue/")
        save(page, self.lang, "queue-officer")
        self.go(page, f"{city}/office/{tracking}/")
        page.check("#comment input[name=kind][value=note]")
        page.fill("#reply-text", self.t("Dijadwalkan tambal sulam Kamis pagi, regu 3.",
                                        "Patching scheduled Thursday morning, crew 3."))
        self.click(page, page.locator("#comment button[type=submit]"))
        self.click(page, page.locator("#act button[name=action][value=start]"))
        page.fill("#act-comment", self.t("Lubang sudah ditambal dengan aspal hotmix. Terima kasih atas laporannya.",
                                         "The pothole is patched with hot-mix asphalt. Thank you for reporting."))
        save_element(page.locator("#act"), self.lang, "office-resolve")
        self.click(page, page.locator("#act button[name=action][value=resolve]"))
        save_element(page.locator(".kp-area-main"), self.lang, "office-history", max_height=900)
        context.close()

        # -- the citizen sees the answer, and rates it -----------------------------------------------------
        context, page = self.as_user(CITIZEN, PHONE)
        self.go(page, report)
        scroll_to(page, "#kp-your-part")
        save(page, self.lang, "your-part")
        page.check("input[name=rating][value='5']")
        page.fill("#id_comment", self.t("Cepat, terima kasih.", "Quick, thank you."))
        self.click(page, page.locator("main form[action$='/rate/'] button[type=submit]"))
        context.close()

        # -- anyone: map and list, the report's public page, statistics, services ------------------------
        context, page = self.context(DESKTOP)
        self.go(page, f"{city}/")
        page.locator("main details summary").first.click()
        page.wait_for_timeout(600)
        save(page, self.lang, "list")
        self.go(page, report)
        save(page, self.lang, "public-report", full_page=True)
        self.go(page, f"{city}/stats/")
        save(page, self.lang, "stats", full_page=True)
        self.go(page, f"{city}/services/")
        page.locator("details.kp-service summary", has_text="sampah").first.click()
        scroll_to(page, "main h1")
        save(page, self.lang, "services")
        context.close()

        # -- the administrator: settings, a category, a service standard, an Open311 key -----------------
        context, page = self.as_user(ADMIN, OFFICE)
        self.go(page, f"{city}/admin/")
        save(page, self.lang, "admin")
        self.go(page, f"{city}/admin/categories/jalan-rusak/")
        save(page, self.lang, "admin-category", full_page=True)
        self.go(page, f"{city}/admin/standards/angkut-sampah/")
        save(page, self.lang, "admin-standard", full_page=True)
        self.go(page, f"{city}/admin/keys/")
        page.fill("#id_name", self.t("Aplikasi Sapa Warga (Android)", "Sapa Warga app (Android)"))
        self.click(page, page.locator("main form button[type=submit]").first)
        save(page, self.lang, "admin-keys")
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8061")
    parser.add_argument("--only", choices=["id", "en"])
    args = parser.parse_args()
    if not os.environ.get("KOTAPINTAR_DATA_DIR"):
        raise SystemExit("Set KOTAPINTAR_DATA_DIR to the server's data directory.")
    pothole = json.loads(shell(SETUP).splitlines()[-1])
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for lang in ("id", "en"):
            if args.only and lang != args.only:
                continue
            Shooter(browser, args.base, lang, pothole).run()
        browser.close()


if __name__ == "__main__":
    main()
