"""Re-make the screenshots of the officials' and administrators' complaint pages:
docs/img/complaints-office-<name>.png.

1. Start a server with demo data in a scratch data directory:

       KOTAPINTAR_DATA_DIR=/tmp/kp-cdocs .venv/bin/kotapintar run --port 8197 &

2. Run this script from the repository root, with the same data directory:

       KOTAPINTAR_DATA_DIR=/tmp/kp-cdocs .venv/bin/python docs/img/make_complaints_office_screenshots.py \\
           [--base http://127.0.0.1:8197] [--lang id|en]

Once per data directory it adds, through `kotapintar shell`, a few Bandung reports with photos: two filed
five working days ago (overdue in the queue), one 20 m from another (offered for merging), one with an
internal note and a public reply. Then, as the demo accounts (password kotapintar-demo), it shows the
queue and one report to the verifier `verifikator.lapor.bandung` (desktop 1280x800 and phone 390x844),
and the settings, a category with its extra questions, a service standard and the Open311 keys (one
new key) to `admin.bandung`. Each PNG is kept under about 150 KB. Uses Debian's /usr/bin/chromium;
never run `playwright install`.
"""

import argparse
import io
import os
import subprocess
from pathlib import Path

from playwright.sync_api import sync_playwright

IMG_DIR = Path(__file__).resolve().parent
REPO = Path(__file__).resolve().parents[2]
PASSWORD = "kotapintar-demo"
CITY = "bandung"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
MAX_BYTES = 150 * 1024
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VERIFIER, ADMIN = "verifikator.lapor.bandung", "admin.bandung"

EXTRA_REPORTS = r'''
import datetime, io
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw
from kotapintar.complaints.models import Complaint, ComplaintCategory
from kotapintar.complaints.services.reports import complaint_comment, complaint_create
from kotapintar.core.models import City

def photo(colour, spot):
    image = Image.new("RGB", (640, 480), (118, 118, 112))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, 640, 150], fill=(150, 190, 225))
    draw.polygon([(0, 480), (250, 150), (390, 150), (640, 480)], fill=(70, 70, 68))
    draw.line([(320, 160), (320, 480)], fill=(235, 235, 235), width=6)
    draw.ellipse(spot, fill=colour)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return SimpleUploadedFile("foto.jpg", out.getvalue(), content_type="image/jpeg")

users = get_user_model().objects
city = City.objects.get(slug="bandung")
if not Complaint.objects.filter(city=city, description__startswith="[foto]").exists():
    people = {}
    for username, name in [("budi", "Budi Santoso"), ("dewi", "Dewi Lestari"), ("yusuf", "Yusuf Maulana")]:
        people[username], _ = users.get_or_create(username=username, defaults={"full_name": name,
                                                   "email": f"{username}@example.id"})
    cats = {c.code: c for c in ComplaintCategory.objects.filter(city=city)}
    now = timezone.now()
    lat0, lng0 = city.lat, city.lng
    rows = [
        ("budi", "jalan-rusak", "[foto] Jalan amblas di depan sekolah, lubang makin lebar setiap hari.",
         0.0040, 0.0031, 8, {"ukuran": "sedang", "membahayakan": "ya"}, ((250, 330), (360, 380)), "0813-2200-1188"),
        ("dewi", "jalan-rusak", "[foto] Ada lubang dalam di jalur sepeda motor dekat sekolah.",
         0.0041, 0.0032, 1, {"ukuran": "kecil", "membahayakan": "ya"}, ((300, 360), (400, 410)), ""),
        ("yusuf", "sampah", "[foto] Tumpukan sampah di bantaran sungai, menyumbat aliran air.",
         -0.0065, 0.0080, 7, {}, ((200, 300), (460, 420)), "0857-1234-9000"),
        ("budi", "banjir", "[foto] Air setinggi 40 cm menggenang di perempatan setelah hujan sore.",
         0.0120, -0.0090, 0, {"kedalaman_cm": "40"}, ((120, 320), (540, 470)), ""),
    ]
    for username, code, text, dlat, dlng, days_ago, answers, spot, phone in rows:
        complaint = complaint_create(
            city=city, category=cats[code], description=text, lat=lat0 + dlat, lng=lng0 + dlng,
            attributes=answers, reporter=people[username], reporter_phone=phone, photos=[photo((40, 38, 36), spot)],
            address="Jl. Ir. H. Juanda" if code == "jalan-rusak" else "", check_limits=False,
            now=now - datetime.timedelta(days=days_ago))
        if days_ago == 8:
            verifier = users.get(username="verifikator.lapor.bandung")
            complaint_comment(complaint=complaint, actor=verifier, internal=True,
                              text="Lokasi di depan SDN Juanda; koordinasikan dengan Dinas PUPR untuk penambalan.")
            complaint_comment(complaint=complaint, actor=verifier, internal=False,
                              text="Terima kasih, laporan Anda sedang kami periksa.")
    print("extra reports added")
'''


def save_png(data: bytes, name: str) -> None:
    """Write the PNG; shrink it to a palette PNG if it is larger than MAX_BYTES."""
    from PIL import Image

    target = IMG_DIR / f"complaints-office-{name}.png"
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


class Shooter:
    def __init__(self, browser, base: str, lang: str):
        self.browser, self.base, self.lang = browser, base.rstrip("/"), lang

    def as_user(self, username: str, viewport=DESKTOP):
        phone = viewport == PHONE
        context = self.browser.new_context(viewport=viewport, device_scale_factor=1, is_mobile=phone,
                                           has_touch=phone, locale="id-ID")
        page = context.new_page()
        page.goto(f"{self.base}/accounts/login/?next=/{CITY}/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        if self.lang != "id":
            page.select_option("#lang-select", self.lang)
            page.locator("#lang-select").locator("xpath=..").locator("button[type=submit]").click()
            page.wait_for_load_state()
        return context, page

    def go(self, page, path: str) -> None:
        page.goto(self.base + path)
        page.wait_for_load_state("networkidle")

    def report_with_photo(self, page) -> str:
        self.go(page, f"/{CITY}/complaints/queue/?which=verify&category=jalan-rusak")
        links = page.locator("table.kp-queue tbody a")
        return links.first.get_attribute("href")

    def run(self):
        context, page = self.as_user(VERIFIER)
        self.go(page, f"/{CITY}/complaints/queue/")
        save_png(page.screenshot(), "queue")
        report = self.report_with_photo(page)
        self.go(page, report)
        save_png(page.screenshot(), "report")
        height = page.evaluate("document.documentElement.scrollHeight")
        save_png(page.screenshot(full_page=True, clip={"x": 0, "y": 0, "width": DESKTOP["width"], "height": height}),
                 "report-full")
        page.locator("#act-comment").fill("Sudah dicek di lokasi.")
        context.close()

        context, page = self.as_user(VERIFIER, PHONE)
        self.go(page, f"/{CITY}/complaints/queue/")
        page.evaluate("window.scrollTo(0, document.querySelector('main h1').getBoundingClientRect().top"
                      " + window.scrollY - 12)")
        save_png(page.screenshot(), "queue-phone")
        self.go(page, report)
        page.locator("#act").scroll_into_view_if_needed()
        save_png(page.screenshot(), "report-phone")
        context.close()

        context, page = self.as_user(ADMIN)
        self.go(page, f"/{CITY}/complaints/admin/")
        save_png(page.screenshot(), "admin")
        self.go(page, f"/{CITY}/complaints/admin/categories/jalan-rusak/")
        page.locator("h2").first.scroll_into_view_if_needed()
        save_png(page.screenshot(), "category")
        self.go(page, f"/{CITY}/complaints/admin/standards/angkut-sampah/")
        save_png(page.screenshot(), "standard")
        self.go(page, f"/{CITY}/complaints/admin/keys/")
        page.fill("#id_name", "Aplikasi Sapa Warga (Android)")
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_load_state()
        save_png(page.screenshot(), "keys")
        context.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8197")
    parser.add_argument("--lang", default="id", choices=["id", "en"])
    args = parser.parse_args()
    kotapintar = REPO / ".venv" / "bin" / "kotapintar"
    result = subprocess.run([str(kotapintar), "shell", "-c", EXTRA_REPORTS], env=os.environ.copy(), cwd=REPO,
                            text=True, capture_output=True)
    if result.returncode:
        raise SystemExit(f"kotapintar shell failed:\n{result.stderr}")
    print(result.stdout.strip())
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        try:
            Shooter(browser, args.base, args.lang).run()
        finally:
            browser.close()


if __name__ == "__main__":
    main()
