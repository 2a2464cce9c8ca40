import json
import subprocess
import sys

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from kotapintar.core.models import City, ModuleActivation
from kotapintar.core.testing import make_city


def test_healthz_reports_database(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "database": "ok"}


def test_healthz_reports_broken_broker(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    from kotapintar.config.celery import app

    app.conf.broker_url = settings.CELERY_BROKER_URL
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = None
    assert response.status_code == 503
    assert json.loads(response.content)["broker"].startswith("error")


def test_openapi_schema_and_offline_swagger(client, db):
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = json.loads(schema.content)["paths"]
    assert "/api/v1/cities/" in paths and "/api/v1/cities/{city}/announcements/" in paths
    docs = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs and "cdn" not in docs.lower()


@pytest.mark.django_db(transaction=True)  # flush truncates tables: not inside a test transaction
def test_demo_loads_nine_cities_and_reset_restores_them(capsys):
    call_command("demo")
    assert City.objects.count() == 9
    out = capsys.readouterr().out
    assert "admin.bandung" in out and "warga" in out
    makassar = City.objects.get(slug="makassar")
    assert makassar.departments.count() >= 10 and makassar.timezone == "Asia/Makassar"
    call_command("demo")  # again: nothing duplicated
    assert City.objects.count() == 9
    City.objects.get(slug="bandung").departments.filter(code__in=["BAPPEDA", "BPKAD", "DISDIK", "DINKES"]).delete()
    assert City.objects.get(slug="bandung").departments.count() == 10
    ModuleActivation.objects.filter(module_id="announcements").update(enabled=False)
    call_command("demo", "--reset")
    assert City.objects.count() == 9
    assert City.objects.get(slug="bandung").departments.count() == 14
    assert not ModuleActivation.objects.filter(enabled=False).exists()


def test_cli_help_lists_platform_commands():
    out = subprocess.run([sys.executable, "-m", "kotapintar.cli", "--help"], capture_output=True, text=True,
                         check=True).stdout
    for command in ("run", "demo", "city create", "audit verify"):
        assert command in out


def test_city_home_shows_branding_and_active_modules(client, db):
    city = make_city("32.73", "bandung")
    city.primary_color = "#0b6e4f"
    city.save()
    page = client.get("/bandung/").content.decode()
    assert "--kp-primary: #0b6e4f" in page
    assert "/bandung/announcements/" in page
    assert '<html lang="id">' in page


def test_language_switch_to_english(client, db):
    make_city("32.73", "bandung")
    client.post("/i18n/setlang/", {"language": "en", "next": "/bandung/"})
    assert '<html lang="en">' in client.get("/bandung/").content.decode()


def test_api_lists_districts_with_villages(db):
    make_city("71.71", "manado")
    data = APIClient().get("/api/v1/cities/manado/districts/?page_size=50").json()
    wenang = next(d for d in data["results"] if d["name"] == "Wenang")
    assert len(wenang["villages"]) > 5


def test_production_settings_pass_check_deploy(tmp_path):
    import os

    secret = "x" * 20 + "-production-secret-key-0123456789abcdef"
    env = {**os.environ, "KOTAPINTAR_PRODUCTION": "1", "SECRET_KEY": secret,
           "ALLOWED_HOSTS": "kota.example.id", "KOTAPINTAR_DATA_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "kotapintar.config.settings"}
    result = subprocess.run([sys.executable, "-m", "kotapintar.cli", "check", "--deploy", "--fail-level", "WARNING"],
                            capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key(tmp_path):
    import os

    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(KOTAPINTAR_PRODUCTION="1", KOTAPINTAR_DATA_DIR=str(tmp_path),
               DJANGO_SETTINGS_MODULE="kotapintar.config.settings")
    result = subprocess.run([sys.executable, "-m", "kotapintar.cli", "check"], capture_output=True, text=True, env=env)
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr
