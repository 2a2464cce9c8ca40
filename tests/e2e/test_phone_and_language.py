"""The city home page works on a phone-sized screen, and the UI language is Bahasa Indonesia by
default with English one choice away."""

import pytest
from playwright.sync_api import expect

from kotapintar.core.testing import PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True}


@pytest.fixture
def phone(new_context):
    return new_context(**PHONE).new_page()


def assert_fits_phone(page):
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 390, f"{page.url} scrolls sideways on a 390 px wide screen: scrollWidth={width}"


def assert_menu_visible(page, names, language_label):
    header = page.get_by_role("banner")
    for name in names:
        link = header.get_by_role("link", name=name)
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, f"menu link {name!r} is cut off: {box}"
    expect(header.get_by_label(language_label)).to_be_visible()


def test_city_home_fits_a_phone(phone, live_server, bandung, screenshot, ui):
    city = bandung.city
    phone.goto(f"{live_server.url}/bandung/")
    expect(phone.get_by_role("heading", level=1)).to_have_text(city.name)
    screenshot(phone, "signed-out")
    assert_fits_phone(phone)
    assert_menu_visible(phone, [ui("Announcements"), ui("Sign in")], ui("Language"))


def test_city_home_fits_a_phone_when_signed_in(phone, live_server, bandung, screenshot, ui, sign_in):
    city = bandung.city
    sign_in(phone, "admin.bandung", PASSWORD, next_path="/bandung/")
    expect(phone.get_by_role("heading", level=1)).to_have_text(city.name)
    screenshot(phone, "signed-in")
    assert_fits_phone(phone)
    assert_menu_visible(phone, [ui("Announcements"), ui("Officials' area"), "Admin Bandung"], ui("Language"))
    expect(phone.get_by_role("banner").get_by_role("button", name=ui("Sign out"))).to_be_visible()


def test_default_language_is_indonesian_and_english_can_be_chosen(new_context, live_server, bandung, screenshot, ui):
    # An English-language browser still gets Bahasa Indonesia until the person chooses otherwise.
    page = new_context(locale="en-US").new_page()
    page.goto(f"{live_server.url}/bandung/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    select = page.get_by_role("banner").get_by_label(ui("Language"))
    expect(select).to_have_value("id")

    select.select_option("en")  # choosing alone changes nothing (WCAG 3.2.2); the button applies it
    expect(page.locator("html")).to_have_attribute("lang", "id")
    with page.expect_navigation():
        page.get_by_role("banner").get_by_role("button", name=ui("Change")).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url == f"{live_server.url}/bandung/"  # back on the page where the choice was made
    expect(page.get_by_role("banner").get_by_label(ui("Language", "en"))).to_have_value("en")
    screenshot(page, "english")

    # The choice sticks on the next pages, and switching back gives Bahasa Indonesia again.
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("banner").get_by_label(ui("Language", "en")).select_option("id")
    with page.expect_navigation():
        page.get_by_role("banner").get_by_role("button", name=ui("Change", "en")).click()
    expect(page.locator("html")).to_have_attribute("lang", "id")
