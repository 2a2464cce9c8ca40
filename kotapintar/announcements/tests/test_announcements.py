from django.urls import reverse
from rest_framework.test import APIClient

from kotapintar.announcements.models import Announcement
from kotapintar.announcements.services import announcement_create
from kotapintar.core.models import AuditEntry
from kotapintar.core.testing import Endpoint, ModuleEndpointTests, make_city, make_user, set_module


class TestAnnouncementEndpoints(ModuleEndpointTests):
    module = "announcements"
    endpoints = [
        Endpoint("announcements-api:announcement-list", public=True),
        Endpoint("announcements-api:announcement-detail", public=True, detail=True),
        Endpoint("announcements-api:announcement-list", "post", roles=("communications_officer", "city_admin"), ok=201,
                 data={"title": "Jalan ditutup", "body": "Jl. Asia Afrika ditutup hari Minggu."}),
        Endpoint("announcements-api:announcement-detail", "patch", roles=("communications_officer", "city_admin"),
                 detail=True, data={"title": "Diperbarui"}),
        Endpoint("announcements-api:announcement-detail", "delete", roles=("communications_officer", "city_admin"),
                 detail=True, ok=204),
    ]

    def make_object(self, city, endpoint):
        return announcement_create(city=city, title=f"Info {city.slug}", body="Isi", actor=None)


def test_drafts_are_hidden_from_the_public(db):
    city = make_city()
    announcement_create(city=city, title="Rahasia", body="Belum terbit", actor=None, published=False)
    response = APIClient().get(reverse("announcements-api:announcement-list", kwargs={"city": city.slug}))
    assert response.status_code == 200
    assert response.json()["count"] == 0
    officer = make_user("humas", city=city, roles=["communications_officer"])
    client = APIClient()
    client.force_authenticate(officer)
    response = client.get(reverse("announcements-api:announcement-list", kwargs={"city": city.slug}))
    assert [a["title"] for a in response.json()["results"]] == ["Rahasia"]


def test_create_writes_the_audit_log(db):
    city = make_city()
    officer = make_user("humas", city=city, roles=["communications_officer"])
    client = APIClient()
    client.force_authenticate(officer)
    response = client.post(reverse("announcements-api:announcement-list", kwargs={"city": city.slug}),
                           {"title": "Banjir", "body": "Hindari Jl. Pasteur"}, format="json")
    assert response.status_code == 201
    entry = AuditEntry.objects.filter(city=city).order_by("-seq").first()
    assert entry.action == "announcement.create"
    assert entry.actor == officer
    assert entry.object_id == str(response.json()["id"])


def test_empty_title_is_refused_and_nothing_saved(db):
    city = make_city()
    officer = make_user("humas", city=city, roles=["communications_officer"])
    client = APIClient()
    client.force_authenticate(officer)
    response = client.post(reverse("announcements-api:announcement-list", kwargs={"city": city.slug}),
                           {"title": "", "body": "x"}, format="json")
    assert response.status_code == 400
    assert "title" in response.json()
    assert not Announcement.objects.exists()


def test_switched_off_module_pages_answer_404(client, db):
    city = make_city()
    item = announcement_create(city=city, title="Halo", body="Isi", actor=None)
    assert client.get(f"/{city.slug}/announcements/").status_code == 200
    assert client.get(f"/{city.slug}/announcements/{item.pk}/").status_code == 200
    set_module(city, "announcements", False)
    assert client.get(f"/{city.slug}/announcements/").status_code == 404
    assert client.get(f"/{city.slug}/announcements/{item.pk}/").status_code == 404
    home = client.get(f"/{city.slug}/")
    assert b"/announcements/" not in home.content
