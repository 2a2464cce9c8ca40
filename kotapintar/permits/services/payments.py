"""Payment of SKRD invoices through a bank gateway callback.

A gateway signs each callback: `X-Signature = hex(HMAC-SHA256(secret, timestamp + "." + body))`
with `X-Timestamp` (Unix seconds). A callback is accepted once per gateway transaction id; the same
callback again (a retry) is answered with the earlier result and changes nothing.

Gateways are per city: a city's permits settings name its gateway and hold the secret it signs with, so
a callback verified with one city's secret can only confirm that city's invoices. The simulated bank of
the demo and of training builds callbacks exactly as a real gateway adapter would receive them; it works
only outside production, and signs with a per-city secret derived from a random secret made for this
installation on first use (DATA_DIR/demo-bank-secret), never with a secret published in the source code.
"""

import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kotapintar.core.models import City
from kotapintar.core.services.audit import audit_record
from kotapintar.core.services.events import event_emit
from kotapintar.core.services.modules import module_config_get
from kotapintar.core.services.workflow import workflow_transition
from kotapintar.permits.models import Invoice, PaymentCallback

MAX_CLOCK_SKEW = 300
SIMULATED = "simulated"
# Secrets that were published (in this source code's history) and are therefore never accepted.
PUBLISHED_SECRETS = frozenset({"development-only-simulated-bank-secret"})


@dataclass
class CallbackResult:
    status: int
    body: dict


class HmacGateway:
    """A bank gateway that signs its callbacks with a shared secret."""

    def __init__(self, name: str, secret: str):
        self.name, self.secret = name, secret.encode()

    def signature(self, timestamp: str, body: bytes) -> str:
        return hmac.new(self.secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()

    def signature_ok(self, body: bytes, headers) -> tuple[bool, str]:
        timestamp, signature = headers.get("X-Timestamp", ""), headers.get("X-Signature", "")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > MAX_CLOCK_SKEW:
            return False, "stale or missing timestamp"
        if not hmac.compare_digest(self.signature(timestamp, body), signature):
            return False, "invalid signature"
        return True, ""


def demo_bank_enabled() -> bool:
    """The simulated bank can mark any bill as paid: never in production, even if switched on there."""
    return settings.KOTAPINTAR_DEMO_BANK and not settings.PRODUCTION


def demo_bank_installation_secret() -> str:
    """This installation's random demo-bank secret, made on first use and kept in the data directory
    (readable by the platform's user only). A missing, short or published value is replaced."""
    path = settings.DATA_DIR / "demo-bank-secret"
    try:
        secret = path.read_text().strip()
    except FileNotFoundError:
        secret = ""
    if len(secret) < 32 or secret in PUBLISHED_SECRETS:
        secret = secrets.token_hex(32)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.{secrets.token_hex(8)}.tmp")  # one per process and thread
        with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
            out.write(secret + "\n")
        try:  # another process may have made one meanwhile: the first one stays
            os.link(temporary, path)
        except FileExistsError:
            secret = path.read_text().strip()
        finally:
            temporary.unlink()
    return secret


def gateways(city: City) -> dict[str, HmacGateway]:
    """The gateways that may confirm this city's invoices, with the city's own secrets."""
    config = module_config_get(city, "permits")
    found = {}
    if config["gateway"] and config["gateway_secret"] and config["gateway_secret"] not in PUBLISHED_SECRETS:
        found[config["gateway"]] = HmacGateway(config["gateway"], config["gateway_secret"])
    if demo_bank_enabled():
        city_secret = hmac.new(demo_bank_installation_secret().encode(), f"{SIMULATED}:{city.pk}".encode(),
                               hashlib.sha256).hexdigest()
        found[SIMULATED] = HmacGateway(SIMULATED, city_secret)
    return found


def simulated_bank_callback(invoice: Invoice, *, amount: Decimal | None = None,
                            transaction_id: str | None = None) -> tuple[bytes, dict]:
    """The callback the simulated bank sends when the applicant pays: (body, headers)."""
    body = json.dumps({
        "payment_code": invoice.payment_code, "amount": str(amount if amount is not None else invoice.amount),
        "transaction_id": transaction_id or f"SIM-{secrets.token_hex(8)}", "paid_at": timezone.now().isoformat(),
    }).encode()
    timestamp = str(int(time.time()))
    return body, {"X-Timestamp": timestamp,
                  "X-Signature": gateways(invoice.city)[SIMULATED].signature(timestamp, body)}


def payment_callback_process(*, city: City, gateway_name: str, body: bytes, headers) -> CallbackResult:
    """Check and apply one gateway callback. Every refusal changes nothing."""
    gateway = gateways(city).get(gateway_name)
    if gateway is None:
        return CallbackResult(404, {"error": "unknown gateway"})
    ok, reason = gateway.signature_ok(body, headers)
    if not ok:
        return CallbackResult(403, {"error": reason})
    try:
        payload = json.loads(body)
        code, transaction_id = str(payload["payment_code"]), str(payload["transaction_id"])
        amount = Decimal(str(payload["amount"]))
    except (ValueError, KeyError, TypeError, InvalidOperation):
        return CallbackResult(400, {"error": "malformed callback"})
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().filter(city=city, payment_code=code).first()
        if invoice is None:
            return CallbackResult(404, {"error": "unknown payment code"})
        earlier = PaymentCallback.objects.filter(city=city, gateway=gateway_name, transaction_id=transaction_id).first()
        if earlier is not None:
            if earlier.invoice_id != invoice.pk:
                return CallbackResult(409, {"error": "transaction belongs to another invoice"})
            return CallbackResult(200, {"status": "already processed", "invoice": invoice.number})
        if amount != invoice.amount:
            audit_record(city=city, actor=f"gateway:{gateway_name}", action="payment.refused", target=invoice,
                         data={"reason": "amount mismatch", "amount": str(amount), "transaction_id": transaction_id})
            return CallbackResult(422, {"error": "amount does not match the invoice"})
        if invoice.status == Invoice.Status.PAID:
            return CallbackResult(409, {"error": "invoice already paid"})
        PaymentCallback.objects.create(city=city, gateway=gateway_name, invoice=invoice, transaction_id=transaction_id,
                                       amount=amount, payload=payload)
        invoice.status, invoice.paid_at = Invoice.Status.PAID, timezone.now()
        invoice.save(update_fields=["status", "paid_at"])
        audit_record(city=city, actor=f"gateway:{gateway_name}", action="payment.confirm", target=invoice,
                     data={"amount": str(amount), "transaction_id": transaction_id})
        event_emit(city, "permits.invoice.paid", invoice, {"gateway": gateway_name, "amount": str(amount)})
        with translation.override(city.locale):
            workflow_transition(subject=invoice.application, action="pay", actor=None, system=True,
                                expected_state="awaiting_payment", comment=_("Payment received."))
    return CallbackResult(200, {"status": "paid", "invoice": invoice.number})
