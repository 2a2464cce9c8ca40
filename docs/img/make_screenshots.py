"""Re-make the screenshots of the guides in docs/img/id/ (Bahasa Indonesia) and docs/img/en/ (English).

1. Start a server with demo data in a scratch data directory:

       KOTAPINTAR_DATA_DIR=/tmp/kp-docs .venv/bin/kotapintar run --port 8051 &

2. Run this script from the repository root:

       .venv/bin/python docs/img/make_screenshots.py [--base http://127.0.0.1:8051] [--only id|en]

It signs in with the demo accounts (password kotapintar-demo), clicks through the pages and saves
1280x800 (desktop) or 390x844 (phone) PNGs, each kept under about 150 KB. Indonesian screenshots use
the default language; English ones switch with the language selector and the "Change" button.
It switches two-factor sign-in on for `humas.medan` to show the code step, and off again at the end.
Uses Debian's /usr/bin/chromium; never run `playwright install`.
"""

import argparse
import base64
import hashlib
import hmac
import io
import struct
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

IMG_DIR = Path(__file__).resolve().parent
PASSWORD = "kotapintar-demo"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
MAX_BYTES = 150 * 1024
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TOTP_USER = "humas.medan"


def totp(secret_b32: str, at: float | None = None) -> str:
    """RFC 6238 code (SHA-1, 30 s, 6 digits), as an authenticator app would show it."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    counter = int((at or time.time()) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


_last_counter = [0]


def fresh_totp(secret_b32: str) -> str:
    """A code from a 30-second window not used yet: django-otp refuses a code twice."""
    while int(time.time() // 30) <= _last_counter[0]:
        time.sleep(1)
    _last_counter[0] = int(time.time() // 30)
    return totp(secret_b32)


def save(page, lang: str, name: str, full_page: bool = False) -> None:
    """Screenshot the page; shrink to a palette PNG if it is larger than MAX_BYTES."""
    from PIL import Image

    target = IMG_DIR / lang / f"{name}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    data = page.screenshot(full_page=full_page)
    if len(data) > MAX_BYTES:
        image = Image.open(io.BytesIO(data)).convert("RGB")
        for colors in (256, 128, 64):
            buffer = io.BytesIO()
            image.quantize(colors=colors, method=Image.Quantize.MEDIANCUT).save(buffer, "PNG", optimize=True)
            data = buffer.getvalue()
            if len(data) <= MAX_BYTES:
                break
    target.write_bytes(data)
    print(f"{target.relative_to(IMG_DIR.parent.parent)}  {len(data) // 1024} KB")


class Shooter:
    def __init__(self, browser, base: str, lang: str):
        self.browser, self.base, self.lang = browser, base.rstrip("/"), lang

    def context(self, viewport=DESKTOP, phone=False):
        context = self.browser.new_context(viewport=viewport, device_scale_factor=1, is_mobile=phone,
                                           has_touch=phone, locale="en-US")
        page = context.new_page()
        if self.lang == "en":
            # The browser says en-US, but Kota Pintar stays Indonesian until the person switches.
            page.goto(self.base + "/")
            page.select_option("#lang-select", "en")
            page.locator("#lang-select").locator("xpath=..").locator("button[type=submit]").click()
            page.wait_for_load_state()
        return context, page

    def login(self, page, username: str, next_path: str = "/") -> None:
        page.goto(f"{self.base}/accounts/login/?next={next_path}")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()

    def go(self, page, path: str) -> None:
        page.goto(self.base + path)
        page.wait_for_load_state()

    # -- citizens (phone) -------------------------------------------------------------------------
    def citizens(self):
        context, page = self.context(PHONE, phone=True)
        self.go(page, "/")
        save(page, self.lang, "citizen-landing")
        self.go(page, "/bandung/")
        save(page, self.lang, "citizen-city-home")
        self.go(page, "/bandung/announcements/")
        save(page, self.lang, "citizen-announcements")
        self.go(page, "/accounts/register/")
        save(page, self.lang, "citizen-register", full_page=True)
        self.login(page, "warga", "/accounts/profile/")
        save(page, self.lang, "citizen-profile")
        context.close()

    # -- officials (desktop) ----------------------------------------------------------------------
    def officials(self):
        context, page = self.context()
        self.go(page, "/accounts/login/?next=/bandung/office/")
        page.fill("#id_username", "admin.bandung")
        save(page, self.lang, "login")
        page.fill("#id_password", PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        save(page, self.lang, "office-dashboard")
        # A city day off, so that the working-days page shows one (added once, through the form).
        self.go(page, "/bandung/office/calendar/")
        christmas_eve = f"{time.localtime().tm_year}-12-24"
        if not page.locator(f"input[name=remove][value='{christmas_eve}']").count():
            page.fill("#id_date", christmas_eve)
            page.fill("#id_name", "Cuti bersama Natal")
            page.locator("main form:has(#id_date) button[type=submit]").click()
            page.wait_for_load_state()
        for name, path, full in [("office-settings", "settings", True), ("office-modules", "modules", False),
                                 ("office-members", "members", True), ("office-calendar", "calendar", False),
                                 ("office-audit", "audit", False)]:
            self.go(page, f"/bandung/office/{path}/")
            save(page, self.lang, name, full_page=full)
        self.go(page, "/accounts/two-factor/")
        save(page, self.lang, "two-factor-setup")
        context.close()

        # Two-factor sign-in: switch it on for TOTP_USER, then show the code step of the sign-in.
        context, page = self.context()
        self.login(page, TOTP_USER, "/accounts/two-factor/")
        if "/login/verify/" in page.url:
            raise SystemExit(f"{TOTP_USER} still has two-factor sign-in on (an earlier run stopped half-way): "
                             "delete its TOTP device as superadmin in /admin/ and run again.")
        secret = page.locator("main code").first.inner_text().strip()
        page.fill("#id_token", fresh_totp(secret))
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        context.close()
        context, page = self.context()
        self.login(page, TOTP_USER, "/medan/office/")
        save(page, self.lang, "login-verify")
        page.fill("#id_token", fresh_totp(secret))
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        # Switch it off again so that the script can run again.
        self.go(page, "/accounts/two-factor/")
        page.fill("#id_token", fresh_totp(secret))
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        context.close()

        # Communications officer: announcements.
        context, page = self.context()
        self.login(page, "humas.bandung", "/bandung/announcements/")
        save(page, self.lang, "announcements-editor")
        self.go(page, "/bandung/announcements/new/")
        page.fill("#id_title", "Jadwal layanan akhir tahun" if self.lang == "id" else "Year-end service hours")
        page.fill("#id_body", "Kantor pelayanan tutup pada 24 dan 26 Desember (cuti bersama)."
                  if self.lang == "id" else "Service offices are closed on 24 and 26 December (cuti bersama).")
        save(page, self.lang, "announcements-new")
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8051")
    parser.add_argument("--only", choices=["id", "en"])
    args = parser.parse_args()
    with sync_playwright() as p:
        # Playwright gives the browser a fresh, temporary user data directory.
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for lang in ("id", "en"):
            if args.only and lang != args.only:
                continue
            shooter = Shooter(browser, args.base, lang)
            shooter.citizens()
            shooter.officials()
        browser.close()


if __name__ == "__main__":
    main()
