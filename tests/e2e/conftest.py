"""End-to-end browser tests: Playwright for Python (sync API) driving Debian's Chromium against
pytest-django's `live_server`.

- Chromium comes from the root conftest's `chromium_path` fixture: skipped locally, failed in CI
  when it is missing. `playwright install` is never needed (nor possible here).
- One Chromium per test module (launched by the module's first test, closed after its last); every
  test gets new, isolated browser contexts (own cookies and storage).
- Playwright's sync API keeps an asyncio event loop running in the test thread, so Django's
  async-safety check would refuse the ORM calls of the test itself (creating data, flushing the
  database). Nothing runs Django code concurrently with that loop, so DJANGO_ALLOW_ASYNC_UNSAFE is
  set, for the e2e modules only: the loop and the variable live exactly as long as a module's
  browser, and the rest of the suite keeps the check.
- This folder is deliberately not a Python package (no __init__.py) and its helpers are fixtures,
  not importable modules: pytest's default "prepend" import mode names a test package after its
  topmost directory with an __init__.py, and app test folders such as kotapintar/core/tests can end
  up as a top-level package called `tests` too; a second `tests` package here would collide.
"""

import os
import re
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.utils import translation

from kotapintar.announcements.services import announcement_create
from kotapintar.core.testing import make_city, make_user

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000
SHOTS_DIR = Path(os.environ.get("E2E_SHOTS_DIR", Path(tempfile.gettempdir()) / "e2e-shots"))


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: end-to-end test driving Chromium (tests/e2e)")


class _BrowserSession:
    """Starts Playwright and Chromium on first use, stops them on close()."""

    def __init__(self):
        self._playwright = None
        self._browser = None

    def get(self, executable_path: str):
        if self._browser is None:
            from playwright.sync_api import sync_playwright

            self._playwright = sync_playwright().start()
            # `launch` runs Chromium on a fresh temporary user-data directory that Playwright creates
            # and deletes again (it refuses a --user-data-dir argument); every test then works in
            # its own incognito-like contexts.
            self._browser = self._playwright.chromium.launch(
                executable_path=executable_path, headless=True, args=CHROMIUM_ARGS,
            )
        return self._browser

    def close(self):
        if self._browser is not None:
            self._browser.close()
        if self._playwright is not None:
            self._playwright.stop()


@pytest.fixture(scope="module", autouse=True)
def _allow_async_unsafe():
    # Module scope: set up before, and torn down after, every database fixture of the module's tests.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def _browser_session(_allow_async_unsafe):
    session = _BrowserSession()
    yield session
    session.close()


@pytest.fixture
def browser(_browser_session, chromium_path):
    return _browser_session.get(chromium_path)


@pytest.fixture
def new_context(browser):
    """new_context(**options) opens a fresh browser context (closed after the test).

    Defaults: a 1280x900 desktop with an Indonesian browser locale."""
    opened = []

    def make(**options):
        options = {"viewport": {"width": 1280, "height": 900}, "locale": "id-ID", **options}
        ctx = browser.new_context(**options)
        ctx.set_default_timeout(TIMEOUT_MS)
        opened.append(ctx)
        return ctx

    yield make
    for ctx in opened:
        ctx.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


def _save_shot(page, filename: str) -> Path:
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    path = SHOTS_DIR / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', filename)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def screenshot(request):
    """screenshot(page, "name") saves /tmp/e2e-shots/<test>-<name>.png (handy while developing)."""

    def take(page, name: str):
        return _save_shot(page, f"{request.node.name}-{name}")

    return take


@pytest.fixture
def shots_dir() -> Path:
    """The folder of the screenshots (created), for tests that save other pictures next to them."""
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    return SHOTS_DIR


@pytest.fixture
def named_screenshot():
    """named_screenshot(page, "permits-bandung-1-catalogue") saves /tmp/e2e-shots/<that name>.png: for
    tests that choose their own file names (e.g. one series per city of a parametrized test)."""
    return _save_shot


@pytest.fixture
def bandung(transactional_db):
    """Kota Bandung with a city admin (password kotapintar.core.testing.PASSWORD) and one published
    announcement. Transactional: the live server's thread must see the rows."""
    city = make_city("32.73", "bandung")
    admin = make_user("admin.bandung", city=city, roles=["city_admin"], full_name="Admin Bandung")
    announcement = announcement_create(
        city=city, actor=admin, title="Pelayanan KTP keliling di Kecamatan Coblong",
        body="Perekaman KTP-el keliling setiap Sabtu pukul 08.00–12.00 WIB.",
    )
    return SimpleNamespace(city=city, admin=admin, announcement=announcement)


def _ui(msgid: str, language: str = "id") -> str:
    with translation.override(language):
        return translation.gettext(msgid)


@pytest.fixture
def ui():
    """ui(msgid, language="id"): what the UI shows for `msgid`, from the app's own catalogue.

    Tests assert the words a person sees in the default language (Bahasa Indonesia) and keep
    passing as translations are added."""
    return _ui


@pytest.fixture
def sign_in(live_server):
    """sign_in(page, username, password, next_path="/"): through the login form, as a person would."""

    def do(page, username: str, password: str, next_path: str = "/"):
        page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
        page.locator("input[name=username]").fill(username)
        page.locator("input[name=password]").fill(password)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        assert "/accounts/login/" not in page.url, f"signing in as {username} failed"

    return do
