"""A city admin switches the Announcements module off and on again in the browser; the public
pages follow, and the audit log records both switches."""

import re

import pytest
from django.contrib.auth.forms import AuthenticationForm
from django.utils import translation
from playwright.sync_api import expect

from kotapintar.core.models import AuditEntry
from kotapintar.core.testing import PASSWORD

pytestmark = pytest.mark.browser


def login_labels():
    with translation.override("id"):
        form = AuthenticationForm()
        return str(form.fields["username"].label), str(form.fields["password"].label)


def test_city_admin_switches_announcements_off_and_on(page, live_server, bandung, screenshot, ui):
    city, admin = bandung.city, bandung.admin
    announcements = ui("Announcements")
    main = page.locator("main")

    # A visitor sees the service on the city's home page.
    page.goto(f"{live_server.url}/bandung/")
    expect(page.get_by_role("heading", level=1)).to_have_text(city.name)
    expect(main.get_by_role("link", name=announcements)).to_be_visible()
    screenshot(page, "1-city-home")

    # Sign in through the login form reached from the header.
    page.get_by_role("banner").get_by_role("link", name=ui("Sign in")).click()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/bandung/$"))
    username_label, password_label = login_labels()
    page.get_by_label(username_label).fill("admin.bandung")
    page.get_by_label(password_label).fill(PASSWORD)
    screenshot(page, "2-login")
    main.get_by_role("button", name=ui("Sign in")).click()
    expect(page).to_have_url(f"{live_server.url}/bandung/")
    expect(page.get_by_role("banner")).to_contain_text("Admin Bandung")

    # Officials' area -> Modules.
    page.get_by_role("banner").get_by_role("link", name=ui("Officials' area")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ui("Officials' area"))
    admin_menu = page.get_by_role("navigation", name=ui("Administration"))
    admin_menu.get_by_role("link", name=ui("Modules"), exact=True).click()  # not "Module settings"
    expect(page).to_have_url(f"{live_server.url}/bandung/office/modules/")
    row = page.locator("#module-announcements")
    expect(row).to_contain_text(announcements)
    expect(row.locator(".kp-badge")).to_have_text(ui("On"))
    screenshot(page, "3-modules-on")

    # Switch it off.
    row.get_by_role("button", name=f"{ui('Switch off')} {announcements}").click()
    expect(page).to_have_url(f"{live_server.url}/bandung/office/modules/")
    expect(page.get_by_role("status")).to_have_text(ui("“%(name)s” is switched off.") % {"name": announcements})
    expect(row.locator(".kp-badge")).to_have_text(ui("Off"))
    expect(row.get_by_role("button")).to_have_accessible_name(f"{ui('Switch on')} {announcements}")
    screenshot(page, "4-modules-off")

    # The public page is gone, and the city's home page and menu no longer offer it.
    response = page.goto(f"{live_server.url}/bandung/announcements/")
    assert response.status == 404
    page.goto(f"{live_server.url}/bandung/")
    expect(page.get_by_role("heading", level=1)).to_have_text(city.name)
    expect(page.get_by_role("link", name=announcements)).to_have_count(0)
    screenshot(page, "5-city-home-without-announcements")

    # Switch it back on.
    page.goto(f"{live_server.url}/bandung/office/modules/")
    row.get_by_role("button", name=f"{ui('Switch on')} {announcements}").click()
    expect(page.get_by_role("status")).to_have_text(ui("“%(name)s” is switched on.") % {"name": announcements})
    expect(row.locator(".kp-badge")).to_have_text(ui("On"))

    response = page.goto(f"{live_server.url}/bandung/announcements/")
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(announcements)
    expect(page.get_by_role("link", name=bandung.announcement.title)).to_be_visible()
    page.goto(f"{live_server.url}/bandung/")
    expect(main.get_by_role("link", name=announcements)).to_be_visible()

    # The audit log shows both switches, to the admin in the browser and in the database.
    page.goto(f"{live_server.url}/bandung/office/audit/")
    expect(page.locator("main table")).to_contain_text("module.disable")
    expect(page.locator("main table")).to_contain_text("module.enable")
    screenshot(page, "6-audit")
    entries = AuditEntry.objects.filter(city=city, action__startswith="module.").order_by("seq")
    assert [(e.action, e.actor_id, e.data) for e in entries] == [
        ("module.disable", admin.pk, {"module": "announcements"}),
        ("module.enable", admin.pk, {"module": "announcements"}),
    ]
