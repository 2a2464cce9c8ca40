"""The officials' area pages: who may open them and what they do."""

import pytest

from kotapintar.core.models import AuditEntry, Membership
from kotapintar.core.selectors import city_active_module_ids
from kotapintar.core.testing import make_city, make_user

PAGES = ["office/modules/", "office/members/", "office/audit/", "office/calendar/", "office/settings/"]


@pytest.fixture
def city(db):
    return make_city("32.73", "bandung")


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_login(client, city, page):
    response = client.get(f"/bandung/{page}")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("page", PAGES)
def test_official_without_admin_role_is_refused(client, city, page):
    client.force_login(make_user("humas", city=city, roles=["communications_officer"]))
    assert client.get(f"/bandung/{page}").status_code == 403


@pytest.mark.parametrize("page", PAGES)
def test_admin_of_another_city_is_refused(client, city, page):
    manado = make_city("71.71", "manado")
    client.force_login(make_user("admin.manado", city=manado, roles=["city_admin"]))
    assert client.get(f"/bandung/{page}").status_code == 403


@pytest.mark.parametrize("page", PAGES)
def test_city_admin_sees_page(client, city, page):
    client.force_login(make_user("admin", city=city, roles=["city_admin"]))
    assert client.get(f"/bandung/{page}").status_code == 200


def test_citizen_has_no_officials_area(client, city):
    client.force_login(make_user("warga"))
    assert client.get("/bandung/office/").status_code == 403


def test_admin_switches_module_off_and_on(client, city):
    client.force_login(make_user("admin", city=city, roles=["city_admin"]))
    response = client.post("/bandung/office/modules/announcements/", {"enabled": "0"}, follow=True)
    assert response.status_code == 200
    assert "announcements" not in city_active_module_ids(city)
    assert client.get("/bandung/announcements/").status_code == 404
    client.post("/bandung/office/modules/announcements/", {"enabled": "1"})
    assert client.get("/bandung/announcements/").status_code == 200


def test_admin_grants_and_removes_a_role(client, city):
    client.force_login(make_user("admin", city=city, roles=["city_admin"]))
    make_user("budi")
    response = client.post("/bandung/office/members/", {"username": "budi", "role": "official"})
    assert response.status_code == 302
    membership = Membership.objects.get(user__username="budi", city=city)
    client.post(f"/bandung/office/members/{membership.pk}/remove/")
    assert not Membership.objects.filter(user__username="budi").exists()
    entries = AuditEntry.objects.filter(city=city, action__startswith="membership")
    actions = list(entries.values_list("action", flat=True))
    assert actions[-2:] == ["membership.create", "membership.delete"]


def test_granting_to_unknown_user_shows_error_and_saves_nothing(client, city):
    client.force_login(make_user("admin", city=city, roles=["city_admin"]))
    response = client.post("/bandung/office/members/", {"username": "nobody", "role": "official"})
    assert response.status_code == 200
    assert Membership.objects.filter(city=city).count() == 1


def test_membership_of_another_city_cannot_be_removed(client, city):
    manado = make_city("71.71", "manado")
    foreign = Membership.objects.create(user=make_user("x"), city=manado, role="official")
    client.force_login(make_user("admin", city=city, roles=["city_admin"]))
    assert client.post(f"/bandung/office/members/{foreign.pk}/remove/").status_code == 404
    assert Membership.objects.filter(pk=foreign.pk).exists()


def test_admin_changes_branding_and_logo(client, city):
    import io

    from PIL import Image

    client.force_login(make_user("admin", city=city, roles=["city_admin"]))
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "logo.png"
    data = {"name": "Kota Bandung", "timezone": "Asia/Jakarta", "primary_color": "#123456",
            "secondary_color": "#abcdef", "contact_email": "", "contact_phone": "022-123", "address": "",
            "website": "", "logo_upload": buffer}
    response = client.post("/bandung/office/settings/", data)
    assert response.status_code == 302
    city.refresh_from_db()
    assert city.primary_color == "#123456" and city.logo
    home = client.get("/bandung/").content.decode()
    assert "--kp-primary: #123456" in home and "/bandung/logo/" in home
    assert client.get("/bandung/logo/")["Content-Type"] == "image/png"
    assert AuditEntry.objects.filter(city=city, action="city.logo_set").exists()


def test_fake_logo_is_refused_and_nothing_changes(client, city):
    import io

    client.force_login(make_user("admin", city=city, roles=["city_admin"]))
    fake = io.BytesIO(b"<?php echo 'hi'; ?>")
    fake.name = "logo.png"
    data = {"name": "Kota Lain", "timezone": "Asia/Jakarta", "primary_color": "#123456",
            "secondary_color": "#abcdef", "logo_upload": fake}
    response = client.post("/bandung/office/settings/", data)
    assert response.status_code == 200
    assert response.context["form"].errors["logo_upload"]
    city.refresh_from_db()
    assert city.name == "Kota Bandung" and not city.logo


def test_bad_colour_is_refused(client, city):
    client.force_login(make_user("admin", city=city, roles=["city_admin"]))
    response = client.post("/bandung/office/settings/", {"name": "Kota Bandung", "timezone": "Asia/Jakarta",
                                                         "primary_color": "green", "secondary_color": "#abcdef"})
    assert response.status_code == 200 and "primary_color" in response.context["form"].errors


def test_custom_domain_added_from_settings(client, city):
    client.force_login(make_user("admin", city=city, roles=["city_admin"]))
    assert client.post("/bandung/office/settings/", {"domain": "layanan.bandung.go.id"}).status_code == 302
    assert city.domains.get().domain == "layanan.bandung.go.id"
    response = client.post("/bandung/office/settings/", {"domain": "not a domain"})
    assert response.status_code == 200 and city.domains.count() == 1
