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


def test_announcements_published_in_a_period(db):
    import datetime

    from kotapintar.core import modules
    from kotapintar.core.providers import Period

    city = make_city()
    announcement_create(city=city, title="Terbit", body="Isi", actor=None)
    announcement_create(city=city, title="Lama", body="Isi", actor=None)
    announcement_create(city=city, title="Draf", body="Isi", actor=None, published=False)
    Announcement.objects.filter(title="Lama").update(created_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC))
    provide = dict((m.id, p) for m, p in modules.providers("indicators"))["announcements"]
    today = datetime.date.today()
    [indicator] = provide(city, Period(today - datetime.timedelta(days=30), today + datetime.timedelta(days=2)))
    assert (indicator.id, indicator.value, indicator.unit) == ("announcements.published", 1, "count")
    assert modules.get("announcements").catalogue is modules.NONE
