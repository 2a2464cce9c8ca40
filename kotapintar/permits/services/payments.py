"""Payment of SKRD invoices through a bank gateway callback.

A gateway signs each callback: `X-Signature = hex(HMAC-SHA256(secret, timestamp + "." + body))`
with `X-Timestamp` (Unix seconds). A callback is accepted once per gateway transaction id; the same
callback again (a retry) is answered with the earlier result and changes nothing. The simulated bank
of the demo and tests builds callbacks exactly as a real gateway adapter would receive them.
"""

import hashlib
import hmac
import json
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
from kotapintar.core.services.workflow import workflow_transition
from kotapintar.permits.models import Invoice, PaymentCallback

MAX_CLOCK_SKEW = 300


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


def gateways() -> dict[str, HmacGateway]:
    return {name: HmacGateway(name, secret) for name, secret in settings.KOTAPINTAR_PAYMENT_SECRETS.items()}


def simulated_bank_callback(invoice: Invoice, *, amount: Decimal | None = None,
                            transaction_id: str | None = None) -> tuple[bytes, dict]:
    """The callback the simulated bank sends when the applicant pays: (body, headers)."""
    body = json.dumps({
        "payment_code": invoice.payment_code, "amount": str(amount if amount is not None else invoice.amount),
        "transaction_id": transaction_id or f"SIM-{secrets.token_hex(8)}", "paid_at": timezone.now().isoformat(),
    }).encode()
    timestamp = str(int(time.time()))
    return body, {"X-Timestamp": timestamp, "X-Signature": gateways()["simulated"].signature(timestamp, body)}


def payment_callback_process(*, city: City, gateway_name: str, body: bytes, headers) -> CallbackResult:
    """Check and apply one gateway callback. Every refusal changes nothing."""
    gateway = gateways().get(gateway_name)
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
        earlier = PaymentCallback.objects.filter(transaction_id=transaction_id).first()
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
        PaymentCallback.objects.create(city=city, invoice=invoice, transaction_id=transaction_id, amount=amount,
                                       payload=payload)
        invoice.status, invoice.paid_at = Invoice.Status.PAID, timezone.now()
        invoice.save(update_fields=["status", "paid_at"])
        audit_record(city=city, actor=f"gateway:{gateway_name}", action="payment.confirm", target=invoice,
                     data={"amount": str(amount), "transaction_id": transaction_id})
        with translation.override(city.locale):
            workflow_transition(subject=invoice.application, action="pay", actor=None, system=True,
                                expected_state="awaiting_payment", comment=_("Payment received."))
    return CallbackResult(200, {"status": "paid", "invoice": invoice.number})
