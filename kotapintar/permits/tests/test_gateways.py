"""Payment gateways are per city: each city's permits settings hold its gateway and secret, a callback
verified with one city's secret confirms only that city's invoices, transaction ids are unique per city
and gateway. The demo bank signs with a random per-installation secret (never the published default) and
is refused in production even when switched on."""

import json
import stat
import time

import pytest
from rest_framework.test import APIClient

from kotapintar.core.services.modules import module_config_set
from kotapintar.core.testing import make_city, make_user
from kotapintar.permits.models import PaymentCallback
from kotapintar.permits.services.payments import HmacGateway, demo_bank_installation_secret
from kotapintar.permits.tests.test_money import awaiting_payment

pytestmark = pytest.mark.django_db
SECRETS = {"bandung": "bandung-bjb-secret-0123456789abcdefghij", "manado": "manado-bsg-secret-0123456789abcdefghijk"}


@pytest.fixture
def cities(db):
    cities = {"bandung": make_city("32.73", "bandung"), "manado": make_city("71.71", "manado")}
    for slug, city in cities.items():
        admin = make_user(f"admin.{slug}", city=city, roles=["city_admin"])
        module_config_set(city=city, module_id="permits", actor=admin,
                          values={"gateway": "bank", "gateway_secret": SECRETS[slug]})
    return cities


def signed(invoice, secret, transaction_id="TX-1"):
    body = json.dumps({"payment_code": invoice.payment_code, "amount": str(invoice.amount),
                       "transaction_id": transaction_id}).encode()
    timestamp = str(int(time.time()))
    return body, {"X-Timestamp": timestamp, "X-Signature": HmacGateway("bank", secret).signature(timestamp, body)}


def callback(city, gateway, body, headers):
    return APIClient().post(f"/api/v1/cities/{city.slug}/permits/payments/{gateway}/callback/", data=body,
                            content_type="application/json", headers=headers)


def test_a_citys_secret_cannot_confirm_another_citys_invoice(cities):
    bandung, manado = cities["bandung"], cities["manado"]
    invoice = awaiting_payment(manado)
    body, headers = signed(invoice, SECRETS["bandung"])
    assert callback(manado, "bank", body, headers).status_code == 403
    assert callback(bandung, "bank", body, headers).status_code == 404  # not Bandung's invoice
    invoice.refresh_from_db()
    assert invoice.status == "unpaid"
    assert callback(manado, "bank", *signed(invoice, SECRETS["manado"])).status_code == 200
    invoice.refresh_from_db()
    assert invoice.status == "paid"


def test_the_same_transaction_id_may_come_in_two_cities(cities):
    invoices = {slug: awaiting_payment(city) for slug, city in cities.items()}
    for slug, city in cities.items():
        response = callback(city, "bank", *signed(invoices[slug], SECRETS[slug], transaction_id="0001"))
        assert response.status_code == 200 and response.json()["status"] == "paid"
    assert PaymentCallback.objects.filter(transaction_id="0001").count() == 2
    # A retry in one city is still recognised as that city's earlier callback.
    retry = callback(cities["manado"], "bank", *signed(invoices["manado"], SECRETS["manado"], transaction_id="0001"))
    assert retry.json()["status"] == "already processed"


def test_an_unconfigured_gateway_is_unknown(cities):
    invoice = awaiting_payment(cities["bandung"])
    assert callback(cities["bandung"], "bni", *signed(invoice, SECRETS["bandung"])).status_code == 404


def test_the_published_demo_secret_is_refused(db, settings):
    city = make_city("32.73", "bandung")
    invoice = awaiting_payment(city)
    assert callback(city, "simulated", *signed(invoice, "development-only-simulated-bank-secret")).status_code == 403
    invoice.refresh_from_db()
    assert invoice.status == "unpaid"
    # A published value written into the secret file is replaced by a random one.
    (settings.DATA_DIR / "demo-bank-secret").write_text("development-only-simulated-bank-secret\n")
    assert callback(city, "simulated", *signed(invoice, "development-only-simulated-bank-secret")).status_code == 403


def test_the_demo_secret_is_random_per_installation_and_private(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    first = demo_bank_installation_secret()
    path = tmp_path / "demo-bank-secret"
    assert len(first) == 64 and path.read_text().strip() == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert demo_bank_installation_secret() == first  # kept
    settings.DATA_DIR = tmp_path / "elsewhere"
    assert demo_bank_installation_secret() != first  # another installation, another secret


def test_the_demo_bank_is_refused_in_production_even_when_switched_on(db, settings, client):
    from kotapintar.permits.services.payments import simulated_bank_callback

    city = make_city("32.73", "bandung")
    invoice = awaiting_payment(city)
    body, headers = simulated_bank_callback(invoice)  # made while the demo bank was allowed
    settings.PRODUCTION, settings.KOTAPINTAR_DEMO_BANK = True, True
    assert callback(city, "simulated", body, headers).status_code == 404
    client.force_login(invoice.application.applicant)
    assert client.post(f"/{city.slug}/permits/bank/{invoice.payment_code}/").status_code == 404
    invoice.refresh_from_db()
    assert invoice.status == "unpaid"
