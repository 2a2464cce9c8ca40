"""Re-make the screenshots of the citizens' and public complaint pages: docs/img/complaints-<page>-<phone|
desktop>.png (Bahasa Indonesia; phone 390x844, desktop 1280x800; quantised to stay near 150 KB).

1. Start a server with demo data in a scratch data directory:

       KOTAPINTAR_DATA_DIR=/tmp/kp-cdocs .venv/bin/kotapintar run --port 8093 &

2. From the repository root:  .venv/bin/python docs/img/make_complaints_public_screenshots.py [--base URL]

The demo citizen `warga` (password kotapintar-demo) fills in the report form in Bandung with "use my
location" next to the open demo pothole report (so "similar reports nearby" shows), without sending it;
the map and list, the page of the resolved demo flood report, the statistics and the service catalogue
are taken signed out. Uses Debian's /usr/bin/chromium; never run `playwright install`.
"""

import argparse
import io
import re
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

IMG_DIR = Path(__file__).resolve().parent
PASSWORD = "kotapintar-demo"
NEAR_DEMO_POTHOLE = {"latitude": -6.91666, "longitude": 107.63490}
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def shot(page, name, full_page=False):
    image = Image.open(io.BytesIO(page.screenshot(full_page=full_page))).convert("RGB")
    path = IMG_DIR / f"complaints-{name}.png"
    image.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    print(path, path.stat().st_size // 1024, "KB")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8093")
    base = parser.parse_args().base.rstrip("/")
    city = f"{base}/bandung/complaints"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        for label, viewport in VIEWPORTS.items():
            context = browser.new_context(viewport=viewport, locale="id-ID", geolocation=NEAR_DEMO_POTHOLE,
                                          permissions=["geolocation"])
            page = context.new_page()
            page.goto(f"{base}/accounts/login/?next=/bandung/complaints/new/")
            page.fill("input[name=username]", "warga")
            page.fill("input[name=password]", PASSWORD)
            with page.expect_navigation():
                page.click("main form button[type=submit]")
            page.select_option("#id_category", "jalan-rusak")
            page.wait_for_selector("[name='attribute[ukuran]']")
            page.check("[name='attribute[ukuran]'][value=besar]")
            page.fill("#id_description", "Lubang dalam di lajur kiri, dekat halte. Motor sering terperosok.")
            page.click("#kp-locate")
            page.wait_for_selector("#kp-nearby .kp-place")
            page.fill("#id_address", "Jl. Asia Afrika, depan halte")
            shot(page, f"new-{label}", full_page=True)
            context.clear_cookies()
            page.goto(f"{city}/")
            page.wait_for_timeout(500)
            shot(page, f"list-{label}", full_page=label == "phone")
            page.locator(".kp-report-list a").filter(has_text=re.compile("Banjir")).first.click()
            page.wait_for_timeout(500)
            shot(page, f"detail-{label}", full_page=True)
            page.goto(f"{city}/stats/")
            shot(page, f"stats-{label}", full_page=True)
            page.goto(f"{city}/services/")
            page.locator("details.kp-service summary").first.click()
            shot(page, f"services-{label}", full_page=label == "phone")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
