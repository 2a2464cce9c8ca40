"""Two-factor sign-in cannot be skipped: not through the Django admin's login, not with a session that
never passed the code (officials' pages, the admin, the API), not to remove the authenticator."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from kotapintar.core.testing import PASSWORD, make_city, make_user
from kotapintar.core.tests.test_accounts import reset_throttle


@pytest.fixture(autouse=True)
def _clear_throttles():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def chief(db):
    """A superuser and city administrator who switched two-factor sign-in on."""
    city = make_city()
    user = make_user("kepala", city=city, roles=["city_admin"], is_staff=True, is_superuser=True)
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    return user, device


def test_admin_login_form_sends_people_to_the_platform_login(client, chief):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    response = client.post("/admin/login/?next=/admin/", {"username": "kepala", "password": PASSWORD,
                                                         "next": "/admin/"})
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    # Nothing was opened with the password alone.
    assert client.get("/admin/").status_code == 302
    assert client.get("/bandung/office/").status_code == 302
    assert TOTPDevice.objects.filter(pk=chief[1].pk).exists()


def test_session_without_the_code_is_not_signed_in(client, chief):
    """A session opened by the password alone (any form that calls login()) counts as signed out."""
    user, device = chief
    client.force_login(user)
    assert client.get("/bandung/office/").status_code == 302
    assert client.get("/admin/").status_code == 302
    assert client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"}).status_code == 302
    assert client.get("/api/v1/me/").status_code in (401, 403)
    assert client.post("/api/v1/cities/bandung/departments/", {"code": "X", "name": "X", "short_name": "X"},
                       content_type="application/json").status_code in (401, 403)
    # The authenticator cannot be removed from such a session, even with a current code.
    reset_throttle(device)
    response = client.post("/accounts/two-factor/", {"disable": "1", "token": f"{totp(device.bin_key):06d}"})
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_after_the_code_everything_opens(client, chief):
    user, device = chief
    client.post("/accounts/login/", {"username": "kepala", "password": PASSWORD, "next": "/admin/"})
    reset_throttle(device)
    response = client.post("/accounts/login/verify/", {"token": f"{totp(device.bin_key):06d}"})
    assert response.status_code == 302 and response.url == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/bandung/office/").status_code == 200
    assert client.get("/api/v1/me/").json()["username"] == "kepala"
    reset_throttle(device)
    response = client.post("/accounts/two-factor/", {"disable": "1", "token": f"{totp(device.bin_key):06d}"})
    assert response.status_code == 302 and not TOTPDevice.objects.filter(pk=device.pk).exists()


def test_accounts_without_two_factor_are_unchanged(client, db):
    city = make_city()
    user = make_user("staf", city=city, roles=["city_admin"])
    client.force_login(user)
    assert client.get("/bandung/office/").status_code == 200
    assert APIClient().get("/api/v1/me/").status_code == 401
