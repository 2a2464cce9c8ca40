"""Invoices (SKRD) and issued permits: numbered, rendered, PAdES-signed, publicly verifiable."""

import datetime
import secrets
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kotapintar.core.formatting import mask_nik
from kotapintar.core.models import Membership
from kotapintar.core.services.audit import audit_record
from kotapintar.core.services.calendar import add_working_days
from kotapintar.core.services.documents import document_store
from kotapintar.permits.models import Invoice, Permit, PermitApplication
from kotapintar.permits.services.numbering import next_number

INVOICE_DUE_WORKING_DAYS = 10


def invoice_issue(*, application: PermitApplication, now) -> Invoice:
    """Issue the SKRD with a payment code the applicant pays at the bank."""
    city = application.city
    year = now.astimezone(ZoneInfo(city.timezone)).year
    seq = next_number(city=city, key="skrd", year=year)
    invoice = Invoice.objects.create(
        city=city, application=application,
        number=f"SKRD/{seq:05d}/{application.permit_type.department.short_name}/{year}",
        payment_code=f"{city.region_code.replace('.', '')}{secrets.randbelow(10**12):012d}",
        amount=application.fee_amount, issued_at=now, due_at=add_working_days(city, now, INVOICE_DUE_WORKING_DAYS),
    )
    audit_record(city=city, actor="system", action="invoice.issue", target=invoice,
                 data={"application": application.registration_number, "amount": str(invoice.amount),
                       "payment_code": invoice.payment_code})
    return invoice


def _signer(application: PermitApplication) -> tuple[str, str]:
    head = (Membership.objects.filter(city=application.city, role="permit_head").select_related("user", "department")
            .order_by("pk").first())
    department = application.permit_type.department
    if head:
        return head.user.display_name, _("Head of %(dept)s") % {"dept": department.short_name}
    return _("Head of %(dept)s") % {"dept": department.short_name}, department.name


def verification_url(permit: Permit) -> str:
    path = reverse("permits:verify", kwargs={"city": permit.city.slug, "token": permit.verification_token})
    return settings.KOTAPINTAR_PUBLIC_URL.rstrip("/") + path


def render_certificate_text(application: PermitApplication) -> str:
    template = application.permit_type.certificate_template or _(
        "This permit is granted to the holder named above for the subject described, "
        "subject to the applicable regulations of the city.")
    values = {key: (f"{value['lat']}, {value['lng']}" if isinstance(value, dict) else value)
              for key, value in application.data.items()}
    try:
        return template.format(**values, holder=application.applicant.display_name)
    except (KeyError, IndexError, ValueError):
        return template


def permit_issue(*, application: PermitApplication, now) -> Permit:
    """Number the permit (gap-free per city and year), render and sign its PDF, keep it as a document."""
    from kotapintar.permits.pdf import PermitDocument, render_permit_pdf
    from kotapintar.permits.signing import sign_pdf

    city, permit_type = application.city, application.permit_type
    local = now.astimezone(ZoneInfo(city.timezone))
    seq = next_number(city=city, key="permit", year=local.year)
    number = permit_type.number_format.format(seq=f"{seq:04d}", year=local.year, month=f"{local.month:02d}",
                                              code=permit_type.department.short_name.replace(" ", ""))
    signer_name, signer_title = _signer(application)
    valid_until = (local.date() + datetime.timedelta(days=permit_type.validity_days)
                   if permit_type.validity_days else None)
    permit = Permit.objects.create(
        city=city, application=application, number=number, year=local.year, sequence=seq, issued_at=now,
        valid_until=valid_until, holder_name=application.applicant.display_name, signer_name=signer_name,
    )
    labels = {f["name"]: f.get("label", f["name"]) for f in permit_type.form_schema}
    fields = [(labels.get(k, k), f"{v['lat']}, {v['lng']}" if isinstance(v, dict) else str(v))
              for k, v in application.data.items()]
    pdf = render_permit_pdf(PermitDocument(
        city_name=city.name, province_name=city.province_name, department_name=permit_type.department.name,
        city_color=city.primary_color, title=permit_type.name, number=number, holder_name=permit.holder_name,
        holder_id_masked=mask_nik(application.applicant.nik) or "-", fields=fields,
        body=render_certificate_text(application), issued_at=now, timezone=city.timezone, valid_until=valid_until,
        fee=application.fee_amount or None, verification_url=verification_url(permit), signer_name=signer_name,
        signer_title=signer_title,
    ))
    signed = sign_pdf(pdf, city=city, signer_name=signer_name, reason=f"{permit_type.name} {number}",
                      location=city.name)
    upload = ContentFile(signed, name=f"{number.replace('/', '-')}.pdf")
    permit.document = document_store(city=city, uploaded_by=None, file=upload, kind="permit", subject=permit,
                                     max_bytes=20 * 1024 * 1024)
    permit.save(update_fields=["document"])
    audit_record(city=city, actor="system", action="permit.issue", target=permit,
                 data={"number": number, "application": application.registration_number,
                       "sha256": permit.document.sha256})
    return permit


def permit_status(permit: Permit, today: datetime.date | None = None) -> str:
    """valid, expired or revoked, as the public verification page shows it."""
    if permit.revoked_at:
        return "revoked"
    today = today or timezone.localdate(timezone=ZoneInfo(permit.city.timezone))
    if permit.valid_until and permit.valid_until < today:
        return "expired"
    return "valid"


def permit_revoke(*, permit: Permit, actor, reason: str) -> Permit:
    """The head of licensing revokes an issued permit; the verification page then says so."""
    from django.core.exceptions import PermissionDenied, ValidationError

    from kotapintar.core.selectors import user_has_role

    if not user_has_role(actor, permit.city, "permit_head"):
        raise PermissionDenied(_("Only the head of licensing may revoke a permit."))
    if permit.revoked_at:
        raise ValidationError(_("This permit is already revoked."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for revoking.")]})
    with transaction.atomic():
        permit.revoked_at, permit.revoke_reason = timezone.now(), reason.strip()
        permit.save(update_fields=["revoked_at", "revoke_reason"])
        audit_record(city=permit.city, actor=actor, action="permit.revoke", target=permit, data={"reason": reason})
    return permit
