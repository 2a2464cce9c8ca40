"""API tokens: revoked by a password change or reset, expiring, scoped, listed and revoked by their
owner; the token endpoint's refusal does not tell whether a two-factor account's password was right."""

import datetime
import re

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from kotapintar.core.models import ApiToken, AuditEntry
from kotapintar.core.testing import PASSWORD, make_city, make_user
from kotapintar.core.tests.test_accounts import reset_throttle


@pytest.fixture(autouse=True)
def _clear_throttles():
    from django.core.cache import cache

    cache.clear()


def issue(username="budi", password=PASSWORD, **extra):
    return APIClient().post("/api/v1/auth/token/", {"username": username, "password": password, **extra},
                            format="json")


def api(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_token_expires(db):
    make_user("budi")
    response = issue()
    body = response.json()
    expires = datetime.datetime.fromisoformat(body["expires_at"])
    assert datetime.timedelta(days=89) < expires - timezone.now() <= datetime.timedelta(days=90)
    assert body["scope"] == "read write"
    assert api(body["token"]).get("/api/v1/me/").status_code == 200
    ApiToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert api(body["token"]).get("/api/v1/me/").status_code == 401


def test_password_change_revokes_tokens(db):
    user = make_user("budi")
    key = issue().json()["token"]
    user.set_password("kata-sandi-baru-9")
    user.save()
    assert api(key).get("/api/v1/me/").status_code == 401
    assert api(issue(password="kata-sandi-baru-9").json()["token"]).get("/api/v1/me/").status_code == 200


def test_password_reset_revokes_tokens(client, db, mailoutbox):
    make_user("budi")
    key = issue().json()["token"]
    client.post("/accounts/password-reset/", {"email": "budi@example.id"})
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mailoutbox[0].body).group(1)
    form_url = client.get(link).url
    client.post(form_url, {"new_password1": "kata-sandi-baru-9", "new_password2": "kata-sandi-baru-9"})
    assert api(key).get("/api/v1/me/").status_code == 401


def test_read_scope_cannot_write(db):
    city = make_city()
    make_user("admin", city=city, roles=["city_admin"])
    read_key = issue("admin", scope="read").json()["token"]
    assert api(read_key).get("/api/v1/cities/bandung/memberships/").status_code == 200
    department = {"code": "DPMPTSP", "name": "Dinas PM-PTSP", "short_name": "DPMPTSP"}
    response = api(read_key).post("/api/v1/cities/bandung/departments/", department, format="json")
    assert response.status_code == 403 and not city.departments.exists()
    write_key = issue("admin").json()["token"]
    assert api(write_key).post("/api/v1/cities/bandung/departments/", department, format="json").status_code == 201


def test_owner_lists_and_revokes_tokens_in_the_api(db):
    make_user("budi")
    make_user("siti")
    first, second = issue(name="laptop").json(), issue(name="server").json()
    siti = issue("siti").json()
    listed = api(first["token"]).get("/api/v1/me/tokens/").json()["results"]
    assert {t["name"] for t in listed} == {"laptop", "server"} and all("token" not in t for t in listed)
    # Somebody else's token is not found.
    assert api(first["token"]).delete(f"/api/v1/me/tokens/{siti['id']}/").status_code == 404
    assert api(first["token"]).delete(f"/api/v1/me/tokens/{second['id']}/").status_code == 204
    assert api(second["token"]).get("/api/v1/me/").status_code == 401
    assert api(siti["token"]).get("/api/v1/me/").status_code == 200
    assert AuditEntry.objects.filter(action="user.token_revoke", object_id=str(second["id"])).exists()


def test_owner_lists_and_revokes_tokens_on_the_account_page(client, db):
    user = make_user("budi")
    body = issue(name="laptop").json()
    client.force_login(user)
    page = client.get("/accounts/api-tokens/").content.decode()
    assert "laptop" in page and body["token"][:8] in page and body["token"] not in page
    make_user("siti")
    other = issue("siti").json()
    assert client.post("/accounts/api-tokens/", {"revoke": other["id"]}).status_code == 404
    assert client.post("/accounts/api-tokens/", {"revoke": body["id"]}).status_code == 302
    assert api(body["token"]).get("/api/v1/me/").status_code == 401
    assert api(other["token"]).get("/api/v1/me/").status_code == 200


def test_two_factor_refusal_does_not_reveal_the_password(db):
    user = make_user("kepala")
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    wrong_password = issue("kepala", "tebakan", otp="123456")
    right_password = issue("kepala", PASSWORD, otp="123456")
    no_code = issue("kepala", PASSWORD)
    assert wrong_password.status_code == right_password.status_code == no_code.status_code == 400
    assert wrong_password.json() == right_password.json() == no_code.json()
    reset_throttle(device)
    assert issue("kepala", PASSWORD, otp=f"{totp(device.bin_key):06d}").status_code == 200
