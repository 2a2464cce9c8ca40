"""Fees, numbering, payments under concurrency, and the IKM survey."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from kotapintar.core.testing import make_city, make_user
from kotapintar.permits.demo import fill_application, install_standard_types
from kotapintar.permits.models import Invoice, PaymentCallback, Permit, SatisfactionSurvey
from kotapintar.permits.services.applications import application_act, application_submit
from kotapintar.permits.services.fees import fee_evaluate, fee_formula_validate
from kotapintar.permits.services.numbering import next_number
from kotapintar.permits.services.payments import payment_callback_process, simulated_bank_callback
from kotapintar.permits.services.surveys import ikm, survey_submit


class TestFees:
    def test_exact_rupiah(self):
        assert fee_evaluate("luas_bangunan * indeks_lokasi * 10000", {"luas_bangunan": "120.5",
                                                                      "indeks_lokasi": "1.1"}) == Decimal("1325500.00")
        assert fee_evaluate("luas * 0.1", {"luas": "0.3"}) == Decimal("0.03")  # no binary float error

    @pytest.mark.parametrize("formula", ["__import__('os').system('id')", "luas *", "open('x')", "unknown * 2",
                                         "luas ** 999999999"])
    def test_unsafe_or_broken_formulas_are_refused(self, formula):
        with pytest.raises(ValidationError):
            fee_formula_validate(formula, ["luas"])

    def test_negative_fee_is_refused(self):
        with pytest.raises(ValidationError, match="negative"):
            fee_evaluate("luas - 10", {"luas": "1"})


def test_numbers_are_gap_free_when_issuing_fails(db):
    city = make_city()
    assert next_number(city=city, key="permit", year=2026) == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        next_number(city=city, key="permit", year=2026)
        raise RuntimeError("rendering failed")
    assert next_number(city=city, key="permit", year=2026) == 2
    assert next_number(city=city, key="permit", year=2027) == 1
    assert next_number(city=make_city("71.71", "manado"), key="permit", year=2026) == 1


def awaiting_payment(city):
    types = install_standard_types(city)
    applicant = make_user(f"w{Invoice.objects.count()}")
    verifier = make_user(f"v{Invoice.objects.count()}", city=city, roles=["permit_verifier"])
    head = make_user(f"h{Invoice.objects.count()}", city=city, roles=["permit_head"])
    application = application_submit(application=fill_application(types["reklame"], applicant), actor=applicant)
    application = application_act(application=application, actor=verifier, action="verify")
    application_act(application=application, actor=head, action="approve")
    return Invoice.objects.get(application=application)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_transaction", [True, False], ids=["retries", "different-transactions"])
def test_ten_concurrent_callbacks_make_one_payment(same_transaction):
    if connection.vendor != "postgresql":
        pytest.skip("runs on PostgreSQL only: SQLite ignores select_for_update")
    city = make_city()
    invoice = awaiting_payment(city)
    callbacks = [simulated_bank_callback(invoice, transaction_id="TX-1" if same_transaction else f"TX-{i}")
                 for i in range(10)]
    statuses, barrier = [], threading.Barrier(10)

    def send(body, headers):
        barrier.wait()
        try:
            statuses.append(payment_callback_process(city=city, gateway_name="simulated", body=body,
                                                     headers=headers).status)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=callback) for callback in callbacks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses.count(200) == (10 if same_transaction else 1)
    assert statuses.count(409) == (0 if same_transaction else 9)
    assert PaymentCallback.objects.filter(invoice=invoice).count() == 1
    assert Permit.objects.filter(application=invoice.application).count() == 1


def test_ikm_formula_and_grades():
    class S:
        def __init__(self, answers):
            self.answers = answers

    assert ikm([S([4] * 9)])["score"] == Decimal("100.00")
    result = ikm([S([3] * 9), S([4] * 9)])
    assert result["score"] == Decimal("87.50") and result["grade"] == "B"
    assert ikm([S([1] * 9)])["grade"] == "D"
    assert ikm([]) is None


def test_survey_once_after_decision(db):
    city = make_city()
    types = install_standard_types(city)
    applicant = make_user("warga")
    application = application_submit(application=fill_application(types["sip"], applicant), actor=applicant)
    with pytest.raises(ValidationError, match="decided"):
        survey_submit(application=application, actor=applicant, answers=[4] * 9)
    verifier = make_user("v", city=city, roles=["permit_verifier"])
    head = make_user("h", city=city, roles=["permit_head"])
    application = application_act(application=application, actor=verifier, action="verify")
    application = application_act(application=application, actor=head, action="approve")
    with pytest.raises(ValidationError, match="1 to 4"):
        survey_submit(application=application, actor=applicant, answers=[5] * 9)
    survey_submit(application=application, actor=applicant, answers=[4, 4, 3, 4, 4, 3, 4, 4, 3])
    with pytest.raises(ValidationError, match="already"):
        survey_submit(application=application, actor=applicant, answers=[4] * 9)
    assert SatisfactionSurvey.objects.count() == 1


def test_demo_bank_is_off_in_production_and_only_for_the_applicant(db, client, settings):
    city = make_city()
    invoice = awaiting_payment(city)
    url = f"/{city.slug}/permits/bank/{invoice.payment_code}/"
    assert client.post(url).status_code == 302 and client.post(url)["Location"].startswith("/accounts/login/")
    client.force_login(make_user("stranger"))
    assert client.post(url).status_code == 404
    settings.KOTAPINTAR_DEMO_BANK = False
    client.force_login(invoice.application.applicant)
    assert client.post(url).status_code == 404
    invoice.refresh_from_db()
    assert invoice.status == "unpaid"
    settings.KOTAPINTAR_DEMO_BANK = True
    assert client.post(url).status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == "paid"


def test_production_refuses_the_demo_bank_even_when_switched_on(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "KOTAPINTAR_PRODUCTION": "1", "SECRET_KEY": "s" * 60, "KOTAPINTAR_DATA_DIR": str(tmp_path),
           "KOTAPINTAR_DEMO_BANK": "1", "DJANGO_SETTINGS_MODULE": "kotapintar.config.settings"}
    code = "from kotapintar.permits.services.payments import demo_bank_enabled; print(demo_bank_enabled())"
    out = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"], env=env,
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_fee_follows_the_data_after_a_return(db):
    from kotapintar.permits.demo import sample_pdf
    from kotapintar.permits.services.applications import application_document_add, application_update

    city = make_city()
    types = install_standard_types(city)
    applicant = make_user("warga")
    verifier = make_user("v", city=city, roles=["permit_verifier"])
    application = application_submit(application=fill_application(types["pbg"], applicant), actor=applicant)
    assert application.fee_amount == Decimal("1800000.00")
    application = application_act(application=application, actor=verifier, action="return", comment="luas salah",
                                  return_fields=["luas_bangunan"])
    application = application_update(application=application, actor=applicant, data={"luas_bangunan": "300"})
    with pytest.raises(ValidationError):
        application_document_add(application=application, actor=applicant, key="ktp", file=sample_pdf())
    application = application_submit(application=application, actor=applicant)
    assert application.fee_amount == Decimal("4500000.00")


def test_official_texts_use_the_city_language_whatever_the_actor_uses(db):
    from django.utils import translation

    city = make_city()
    invoice = awaiting_payment(city)
    with translation.override("en"):
        body, headers = simulated_bank_callback(invoice)
        payment_callback_process(city=city, gateway_name="simulated", body=body, headers=headers)
    from kotapintar.core.services.workflow import workflow_history

    assert workflow_history(invoice.application).last().comment == "Pembayaran telah diterima."


def test_head_revokes_a_permit_and_the_verification_page_says_so(db, client):
    from django.urls import reverse
    from rest_framework.test import APIClient

    city = make_city()
    invoice = awaiting_payment(city)
    body, headers = simulated_bank_callback(invoice)
    payment_callback_process(city=city, gateway_name="simulated", body=body, headers=headers)
    permit = Permit.objects.get(application=invoice.application)
    url = reverse("permits-api:application-revoke", kwargs={"city": city.slug, "pk": invoice.application_id})
    api = APIClient()
    api.force_authenticate(make_user("verif", city=city, roles=["permit_verifier"]))
    assert api.post(url, {"reason": "x"}, format="json").status_code in (403, 404)
    api.force_authenticate(make_user("kepala", city=city, roles=["permit_head"]))
    assert api.post(url, {"reason": ""}, format="json").status_code == 400
    assert api.post(url, {"reason": "Reklame dipasang di luar titik yang diizinkan"}, format="json").status_code == 200
    assert api.post(url, {"reason": "lagi"}, format="json").status_code == 400
    page = client.get(f"/{city.slug}/permits/verify/{permit.verification_token}/").content.decode()
    assert "Reklame dipasang di luar titik yang diizinkan" in page
