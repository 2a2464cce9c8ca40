import re

import pytest
from django.contrib.auth import get_user_model
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from kotapintar.core.models import AuditEntry
from kotapintar.core.testing import PASSWORD, make_city, make_user

User = get_user_model()


@pytest.fixture(autouse=True)
def _clear_throttles():
    from django.core.cache import cache

    cache.clear()


def login(client, username, password=PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password, **extra})


def test_login_and_logout(client, db):
    make_user("budi")
    response = login(client, "budi")
    assert response.status_code == 302
    assert client.get("/accounts/profile/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/accounts/profile/").status_code == 302


def test_wrong_password_shows_error(client, db):
    make_user("budi")
    response = login(client, "budi", "wrong")
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated


def test_repeated_failures_lock_the_account(client, db):
    make_user("budi")
    for _ in range(5):
        login(client, "budi", "wrong")
    response = login(client, "budi")  # even the right password is refused now
    assert response.status_code == 429
    assert not response.wsgi_request.user.is_authenticated


def test_register_with_valid_nik(client, db):
    response = client.post("/accounts/register/", {
        "username": "siti", "full_name": "Siti Rahma", "email": "siti@example.id", "nik": "3273014506900002",
        "phone": "081234567890", "password1": "rahasia-yang-panjang-1", "password2": "rahasia-yang-panjang-1",
    })
    assert response.status_code == 302
    user = User.objects.get(username="siti")
    assert user.nik == "3273014506900002"
    assert AuditEntry.objects.filter(action="user.register", object_id=str(user.pk)).exists()
    profile = client.get("/accounts/profile/").content.decode()
    assert "327301********02" in profile and "3273014506900002" not in profile


def test_register_with_invalid_nik_saves_nothing(client, db):
    response = client.post("/accounts/register/", {
        "username": "siti", "full_name": "Siti", "email": "siti@example.id", "nik": "3273013206900002",
        "password1": "rahasia-yang-panjang-1", "password2": "rahasia-yang-panjang-1",
    })
    assert response.status_code == 200
    assert "nik" in response.context["form"].errors
    assert not User.objects.filter(username="siti").exists()


def test_password_reset_by_email(client, db, mailoutbox):
    make_user("budi")
    client.post("/accounts/password-reset/", {"email": "budi@example.id"})
    assert len(mailoutbox) == 1
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mailoutbox[0].body).group(1)
    form_url = client.get(link).url  # Django redirects to the set-password form
    response = client.post(form_url, {"new_password1": "kata-sandi-baru-9", "new_password2": "kata-sandi-baru-9"})
    assert response.status_code == 302
    client.logout()
    assert login(client, "budi", "kata-sandi-baru-9").status_code == 302


def reset_throttle(device):
    """django-otp slows down retries after a wrong code; the test does not wait for it."""
    device.refresh_from_db()
    device.throttle_reset()
    device.last_t = -1
    device.save()


def test_two_factor_setup_and_login(client, db):
    city = make_city()
    make_user("admin", city=city, roles=["city_admin"])
    login(client, "admin")
    page = client.get("/accounts/two-factor/")
    assert b"<svg" in page.content
    device = TOTPDevice.objects.get(user__username="admin")
    response = client.post("/accounts/two-factor/", {"token": "000000" if totp(device.bin_key) != 0 else "111111"})
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    reset_throttle(device)
    response = client.post("/accounts/two-factor/", {"token": f"{totp(device.bin_key):06d}"})
    assert response.status_code == 302
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    client.post("/accounts/logout/")

    # Password alone is not enough any more.
    response = login(client, "admin", next="/bandung/office/")
    assert response.status_code == 302 and response.url == "/accounts/login/verify/"
    assert client.get("/bandung/office/").status_code == 302  # still signed out
    response = client.post("/accounts/login/verify/", {"token": "12345x"})
    assert response.status_code == 200
    reset_throttle(device)
    response = client.post("/accounts/login/verify/", {"token": f"{totp(device.bin_key):06d}"})
    assert response.status_code == 302 and response.url == "/bandung/office/"
    assert client.get("/bandung/office/").status_code == 200


def test_api_token_and_me_masks_nik(db):
    make_user("budi", nik="3273014506900002")
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": "budi", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/v1/me/").json()
    assert me["username"] == "budi" and me["nik"] == "327301********02"


def test_api_token_wrong_password(db):
    make_user("budi")
    response = APIClient().post("/api/v1/auth/token/", {"username": "budi", "password": "x"}, format="json")
    assert response.status_code == 400
    assert "token" not in response.json()


def test_anonymous_me_is_refused(db):
    assert APIClient().get("/api/v1/me/").status_code == 401


def test_api_token_needs_the_code_when_two_factor_is_on(db):
    user = make_user("kepala")
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": "kepala", "password": PASSWORD}, format="json")
    assert response.status_code == 400 and "token" not in response.json()
    reset_throttle(device)
    response = client.post("/api/v1/auth/token/", {"username": "kepala", "password": PASSWORD,
                                                   "otp": f"{totp(device.bin_key):06d}"}, format="json")
    assert response.status_code == 200 and response.json()["token"]


def test_registration_does_not_reveal_a_registered_nik(client, db, mailoutbox, django_capture_on_commit_callbacks):
    """An attacker registering with somebody's NIK gets the very answer a fresh NIK gets; the NIK's
    owner is told by e-mail and the NIK stays theirs."""
    owner = make_user("pemilik", nik="3273014506900002")

    def register(username, nik):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/accounts/register/", {
                "username": username, "full_name": "Penguji", "email": f"{username}@example.id", "nik": nik,
                "password1": "rahasia-yang-panjang-1", "password2": "rahasia-yang-panjang-1"})
        client.logout()
        return response

    fresh, taken = register("penguji1", "3273014506900003"), register("penguji2", "3273014506900002")
    assert (fresh.status_code, fresh.url) == (taken.status_code, taken.url) == (302, "/")
    assert fresh.cookies.keys() == taken.cookies.keys()
    owner.refresh_from_db()
    assert owner.nik == "3273014506900002"
    assert User.objects.get(username="penguji2").nik is None
    assert {m.to[0] for m in mailoutbox} == {"pemilik@example.id", "penguji2@example.id"}
