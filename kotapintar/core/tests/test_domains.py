"""Custom domains: a city proves control of a domain before it serves the city; the platform's own
hosts are reserved; another city's verified domain cannot be taken; every change is audited."""

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from kotapintar.core.models import AuditEntry, CityDomain
from kotapintar.core.services import cities
from kotapintar.core.testing import make_city, make_user

PATH = "/.well-known/kotapintar-domain-verification.txt"


@pytest.fixture
def site(settings, monkeypatch):
    """A web server on 127.0.0.1 standing in for the domains' own servers: `site[host] = text` publishes
    the verification file of `host`. The resolver seam answers its address for every name."""
    files, requests = {}, []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            host = self.headers["Host"]
            requests.append((host, self.path))
            if files.get(host, "").startswith("redirect:"):
                self.send_response(302)
                self.send_header("Location", files[host].removeprefix("redirect:"))
                self.end_headers()
                return
            body = files.get(host, "").encode() if self.path == PATH else b""
            self.send_response(200 if host in files and self.path == PATH else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.KOTAPINTAR_DOMAIN_CHECK_PORT = server.server_address[1]
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "layanan.bandung.go.id", "kotapintar.example.go.id"]
    settings.KOTAPINTAR_PLATFORM_HOSTS = ["kotapintar.example.go.id", ".platform.example"]
    settings.KOTAPINTAR_PUBLIC_URL = "https://kotapintar.example.go.id"
    monkeypatch.setattr(cities, "domain_address", lambda domain: "127.0.0.1")
    files["requests"] = requests
    yield files
    server.shutdown()
    server.server_close()


@pytest.fixture
def admins(db):
    bandung, manado = make_city("32.73", "bandung"), make_city("71.71", "manado")
    return (make_user("admin.bandung", city=bandung, roles=["city_admin"]),
            make_user("admin.manado", city=manado, roles=["city_admin"]))


def settings_page(client, user, city="bandung", **data):
    client.force_login(user)
    return client.post(f"/{city}/office/settings/", data) if data else client.get(f"/{city}/office/settings/")


def test_claimed_domain_serves_nothing_until_verified(client, admins, site):
    bandung_admin, _manado_admin = admins
    settings_page(client, bandung_admin, domain="layanan.bandung.go.id")
    item = CityDomain.objects.get(domain="layanan.bandung.go.id")
    assert item.verified_at is None
    page = settings_page(client, bandung_admin).content.decode()
    assert item.token in page and PATH in page
    client.logout()
    landing = client.get("/", HTTP_HOST="layanan.bandung.go.id")
    assert b"<h1>Kota Bandung</h1>" not in landing.content

    # Without the file, verification fails and says what to publish where.
    response = settings_page(client, bandung_admin, verify_domain=item.pk)
    item.refresh_from_db()
    assert item.verified_at is None
    assert PATH in client.get(response.url).content.decode()

    site["layanan.bandung.go.id"] = item.token + "\n"
    settings_page(client, bandung_admin, verify_domain=item.pk)
    item.refresh_from_db()
    assert item.verified_at is not None
    client.logout()
    assert b"<h1>Kota Bandung</h1>" in client.get("/", HTTP_HOST="layanan.bandung.go.id").content
    actions = list(AuditEntry.objects.filter(object_type="core.citydomain").values_list("action", flat=True))
    assert actions == ["city.domain_add", "city.domain_verify"]


def test_wrong_token_or_redirect_does_not_verify(client, admins, site):
    bandung_admin, _ = admins
    settings_page(client, bandung_admin, domain="layanan.bandung.go.id")
    item = CityDomain.objects.get()
    site["layanan.bandung.go.id"] = "someone-elses-token"
    settings_page(client, bandung_admin, verify_domain=item.pk)
    site["elsewhere.example"] = item.token
    site["layanan.bandung.go.id"] = f"redirect:http://elsewhere.example{PATH}"
    settings_page(client, bandung_admin, verify_domain=item.pk)
    item.refresh_from_db()
    assert item.verified_at is None  # the redirect was not followed
    assert site["requests"] == [("layanan.bandung.go.id", PATH)] * 2


def test_other_citys_domain_cannot_be_taken(client, admins, site):
    bandung_admin, manado_admin = admins
    # Manado claims Bandung's domain first: the claim stays pending and blocks nothing.
    settings_page(client, manado_admin, city="manado", domain="layanan.bandung.go.id")
    settings_page(client, bandung_admin, domain="layanan.bandung.go.id")
    assert CityDomain.objects.filter(domain="layanan.bandung.go.id").count() == 2
    bandung_claim = CityDomain.objects.get(domain="layanan.bandung.go.id", city__slug="bandung")
    manado_claim = CityDomain.objects.get(domain="layanan.bandung.go.id", city__slug="manado")
    site["layanan.bandung.go.id"] = bandung_claim.token  # only the real owner can publish its token
    settings_page(client, manado_admin, city="manado", verify_domain=manado_claim.pk)
    settings_page(client, bandung_admin, verify_domain=bandung_claim.pk)
    manado_claim.refresh_from_db()
    bandung_claim.refresh_from_db()
    assert manado_claim.verified_at is None and bandung_claim.verified_at is not None
    # Once verified, nobody else can claim it.
    response = settings_page(client, manado_admin, city="manado", domain="layanan.bandung.go.id")
    assert response.status_code == 200 and "domain" in response.context["domain_form"].errors
    assert b"<h1>Kota Bandung</h1>" in client.get("/", HTTP_HOST="layanan.bandung.go.id").content
    # Manado cannot remove Bandung's domain through its own settings page.
    assert settings_page(client, manado_admin, city="manado", remove_domain=bandung_claim.pk).status_code == 404
    assert CityDomain.objects.filter(pk=bandung_claim.pk).exists()


@pytest.mark.parametrize("host", ["kotapintar.example.go.id", "api.platform.example", "localhost",
                                  "app.localhost", "127.0.0.1", "10.0.0.5"])
def test_platform_hosts_are_reserved(client, admins, site, host):
    bandung_admin, _ = admins
    response = settings_page(client, bandung_admin, domain=host)
    assert response.status_code == 200 and not CityDomain.objects.exists()


def test_platform_host_keeps_serving_the_platform(client, admins, site, settings):
    """Even a row slipped in for the platform's host never routes while it is unverified."""
    CityDomain.objects.create(city=admins[0].memberships.get().city, domain="kotapintar.example.go.id", token="x")
    response = client.get("/", HTTP_HOST="kotapintar.example.go.id")
    assert b"<h1>Kota Bandung</h1>" not in response.content


def test_platform_admin_removes_a_domain_and_it_is_audited(client, admins, site):
    bandung_admin, _ = admins
    settings_page(client, bandung_admin, domain="layanan.bandung.go.id")
    item = CityDomain.objects.get()
    site["layanan.bandung.go.id"] = item.token
    settings_page(client, bandung_admin, verify_domain=item.pk)
    platform_admin = make_user("root", is_superuser=True, is_staff=True)
    assert settings_page(client, platform_admin, remove_domain=item.pk).status_code == 302
    assert not CityDomain.objects.exists()
    entry = AuditEntry.objects.get(action="city.domain_remove")
    assert entry.actor_label == "root" and entry.data == {"domain": "layanan.bandung.go.id", "verified": True}
    assert b"<h1>Kota Bandung</h1>" not in client.get("/", HTTP_HOST="layanan.bandung.go.id").content


def test_names_resolving_to_private_addresses_are_not_fetched(db):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        cities.domain_address("localhost")
