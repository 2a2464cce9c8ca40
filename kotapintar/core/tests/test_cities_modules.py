import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from kotapintar.core import modules
from kotapintar.core.models import AuditEntry, City, CityDomain, ModuleActivation
from kotapintar.core.selectors import city_active_module_ids
from kotapintar.core.services.cities import city_create
from kotapintar.core.services.modules import module_set_enabled
from kotapintar.core.testing import make_city, make_user


def test_city_create_command_makes_manado_with_its_districts(db, capsys):
    call_command("city", "create", "--code", "71.71")
    city = City.objects.get(region_code="71.71")
    assert (city.slug, city.name, city.timezone, city.province_name) == (
        "manado", "Kota Manado", "Asia/Makassar", "Sulawesi Utara")
    assert city.districts.count() == 11
    assert city.villages.count() == 87
    assert city.districts.filter(name="Wenang").exists()
    assert "Created Kota Manado" in capsys.readouterr().out
    assert AuditEntry.objects.filter(city=city, action="city.create").exists()


def test_palangkaraya_gets_its_own_wib_zone(db):
    assert city_create(region_code="62.71").timezone == "Asia/Pontianak"


@pytest.mark.parametrize("code", ["99.99", "32.04x", "", "32"])
def test_unknown_region_code_is_refused(db, code):
    with pytest.raises(ValidationError):
        city_create(region_code=code)
    assert not City.objects.exists()


def test_command_reports_a_bad_code(db):
    with pytest.raises(CommandError, match="not a Kemendagri"):
        call_command("city", "create", "--code", "99.99")


def test_same_city_twice_is_refused(db):
    city_create(region_code="71.71")
    with pytest.raises(ValidationError, match="already exists"):
        city_create(region_code="71.71", slug="manado2")


@pytest.fixture
def fake_modules():
    """Two modules where `dashboard` needs `sensors`, registered for this test only."""
    saved = dict(modules.REGISTRY)
    modules.register(modules.Module(id="sensors", name="Sensors", version="1", default_on=False))
    modules.register(modules.Module(id="dashboard", name="Dashboard", version="1", dependencies=("sensors",),
                                    default_on=False))
    yield
    modules.REGISTRY.clear()
    modules.REGISTRY.update(saved)


def test_dependencies_are_enforced(db, fake_modules):
    city = make_city()
    with pytest.raises(ValidationError, match="Switch on Sensors first"):
        module_set_enabled(city=city, module_id="dashboard", enabled=True, actor=None)
    module_set_enabled(city=city, module_id="sensors", enabled=True, actor=None)
    module_set_enabled(city=city, module_id="dashboard", enabled=True, actor=None)
    with pytest.raises(ValidationError, match="Switch off Dashboard first"):
        module_set_enabled(city=city, module_id="sensors", enabled=False, actor=None)
    assert {"sensors", "dashboard"} <= city_active_module_ids(city)


def test_core_cannot_be_switched_off(db):
    with pytest.raises(ValidationError):
        module_set_enabled(city=make_city(), module_id="core", enabled=False, actor=None)


def test_switching_is_audited_and_scoped_to_one_city(db):
    bandung, manado = make_city("32.73", "bandung"), make_city("71.71", "manado")
    module_set_enabled(city=bandung, module_id="announcements", enabled=False, actor=None)
    assert "announcements" not in city_active_module_ids(bandung)
    assert "announcements" in city_active_module_ids(manado)
    assert AuditEntry.objects.filter(city=bandung, action="module.disable").count() == 1


def test_api_switch_reports_missing_dependency(db, fake_modules):
    city = make_city()
    admin = make_user("admin", city=city, roles=["city_admin"])
    client = APIClient()
    client.force_authenticate(admin)
    url = reverse("core-api:module-detail", kwargs={"city": city.slug, "module_id": "dashboard"})
    response = client.patch(url, {"enabled": True}, format="json")
    assert response.status_code == 400
    assert "Sensors" in str(response.json())
    assert not ModuleActivation.objects.filter(city=city, module_id="dashboard", enabled=True).exists()


def test_unknown_city_is_404(client, db):
    assert client.get("/atlantis/").status_code == 404
    assert client.get("/api/v1/cities/atlantis/departments/").status_code == 404


def test_public_city_list(db):
    make_city("32.73", "bandung")
    response = APIClient().get("/api/v1/cities/")
    assert response.status_code == 200
    assert [c["slug"] for c in response.json()["results"]] == ["bandung"]


def test_custom_domain_serves_its_city(client, db, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "smartcity.manadokota.go.id"]
    city = make_city("71.71", "manado")
    CityDomain.objects.create(city=city, domain="smartcity.manadokota.go.id", token="t", verified_at=timezone.now())
    response = client.get("/", HTTP_HOST="smartcity.manadokota.go.id")
    assert response.status_code == 200
    assert b"<h1>Kota Manado</h1>" in response.content
    assert client.get("/announcements/", HTTP_HOST="smartcity.manadokota.go.id").status_code == 200
    assert client.get("/healthz", HTTP_HOST="smartcity.manadokota.go.id").status_code == 200


def test_city_geo_command_loads_official_boundaries(db, tmp_path):
    import json

    from django.core.management import CommandError, call_command

    from kotapintar.core import geo
    from kotapintar.core.models import AuditEntry, City

    city = make_city("71.71", "manado")
    square = {"type": "Polygon", "coordinates": [[[124.80, 1.40], [124.90, 1.40], [124.90, 1.55], [124.80, 1.55],
                                                  [124.80, 1.40]]]}
    (tmp_path / "city.geojson").write_text(json.dumps({"type": "Feature", "geometry": square}))
    tuminting = {"type": "Polygon", "coordinates": [[[124.83, 1.50], [124.86, 1.50], [124.86, 1.53], [124.83, 1.53],
                                                     [124.83, 1.50]]]}
    (tmp_path / "kec.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Tuminting"}, "geometry": tuminting}]}))
    call_command("city", "geo", "--city", "manado", "--boundary", str(tmp_path / "city.geojson"),
                 "--districts", str(tmp_path / "kec.geojson"))
    city = City.objects.get(pk=city.pk)
    assert city.boundary == square and geo.city_contains(city, 1.45, 124.85)
    assert not geo.city_contains(city, 1.45, 124.95)  # 5 km east of the new boundary
    assert geo.locate(city, 1.515, 124.845).district.name == "Tuminting"
    assert AuditEntry.objects.filter(action="city.geography_load").exists()
    (tmp_path / "bad.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Coblong"}, "geometry": tuminting}]}))
    with pytest.raises(CommandError, match="Coblong"):
        call_command("city", "geo", "--city", "manado", "--districts", str(tmp_path / "bad.geojson"))
