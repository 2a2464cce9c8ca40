"""Permit applications: drafts, documents, submission, officials' actions, returns for completion.

Permit workflows follow a convention on top of the core engine: the start state is `draft` (the
applicant's `submit` action leaves it), `issued` is the terminal state of a granted permit, and an
optional `awaiting_payment` state is left only by the system action `pay` when the gateway confirms
payment. Entering `submitted` the first time gives the registration number; entering
`awaiting_payment` issues the SKRD invoice; entering `issued` numbers, renders and signs the permit.
"""

import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from kotapintar.core.models import Document
from kotapintar.core.selectors import user_has_role
from kotapintar.core.services.audit import audit_record
from kotapintar.core.services.documents import document_store
from kotapintar.core.services.workflow import workflow_start, workflow_transition
from kotapintar.permits.models import PermitApplication, PermitType
from kotapintar.permits.services.fees import fee_evaluate
from kotapintar.permits.services.numbering import next_number

FILE_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "jpg": "image/jpeg", "png": "image/png"}
OFFICIAL_ROLES = ("permit_verifier", "permit_inspector", "permit_head", "permit_admin")
INDONESIA = {"lat": (-11.5, 6.5), "lng": (94.5, 141.5)}


# -- form data -----------------------------------------------------------------------------------
def _clean_value(field: dict, raw):
    kind, label = field["type"], field.get("label", field["name"])
    if kind == "text":
        value = str(raw).strip()
        if len(value) > int(field.get("max_length", 500)):
            raise ValidationError(_("%(f)s is too long.") % {"f": label})
        return value
    if kind == "number":
        try:
            value = Decimal(str(raw).replace(",", "."))
        except InvalidOperation:
            raise ValidationError(_("%(f)s must be a number.") % {"f": label}) from None
        if not value.is_finite():
            raise ValidationError(_("%(f)s must be a number.") % {"f": label})
        if "min" in field and value < Decimal(str(field["min"])):
            raise ValidationError(_("%(f)s must be at least %(n)s.") % {"f": label, "n": field["min"]})
        if "max" in field and value > Decimal(str(field["max"])):
            raise ValidationError(_("%(f)s must be at most %(n)s.") % {"f": label, "n": field["max"]})
        return str(value)
    if kind == "date":
        try:
            return datetime.date.fromisoformat(str(raw)).isoformat()
        except ValueError:
            raise ValidationError(_("%(f)s must be a date (YYYY-MM-DD).") % {"f": label}) from None
    if kind == "choice":
        if raw not in field.get("choices", []):
            raise ValidationError(_("%(f)s: choose one of the options.") % {"f": label})
        return raw
    if kind == "location":
        try:
            if isinstance(raw, dict):
                lat, lng = float(raw["lat"]), float(raw["lng"])
            else:
                lat, lng = (float(part) for part in str(raw).split(","))
        except (KeyError, TypeError, ValueError):
            raise ValidationError(_("%(f)s must be a map point (latitude, longitude).") % {"f": label}) from None
        (lat_min, lat_max), (lng_min, lng_max) = INDONESIA["lat"], INDONESIA["lng"]
        if not (lat_min <= lat <= lat_max and lng_min <= lng <= lng_max):
            raise ValidationError(_("%(f)s is outside Indonesia.") % {"f": label})
        return {"lat": round(lat, 6), "lng": round(lng, 6)}
    raise ValidationError(_("Unknown field type “%(t)s”.") % {"t": kind})


def application_data_clean(permit_type: PermitType, data: dict, *, require_all: bool) -> dict:
    """Validate the form values against the type's schema. Raises ValidationError per field.

    Drafts may be incomplete (`require_all=False`); submission needs every required field.
    """
    cleaned, errors = {}, {}
    known = {f["name"] for f in permit_type.form_schema}
    for name in set(data) - known:
        errors[name] = [_("Unknown field.")]
    for field in permit_type.form_schema:
        raw = data.get(field["name"])
        if raw in (None, "", [], {}):
            if require_all and field.get("required"):
                errors[field["name"]] = [_("This field is required.")]
            continue
        try:
            cleaned[field["name"]] = _clean_value(field, raw)
        except ValidationError as exc:
            errors[field["name"]] = exc.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


def application_fee(permit_type: PermitType, data: dict) -> Decimal | None:
    if permit_type.is_free:
        return None
    numbers = {f["name"]: data.get(f["name"]) for f in permit_type.form_schema if f["type"] == "number"}
    return fee_evaluate(permit_type.fee_formula, numbers)


# -- drafts and documents ------------------------------------------------------------------------
def _require_applicant(application: PermitApplication, actor) -> None:
    if application.applicant_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Only the applicant may change this application."))


def application_create(*, permit_type: PermitType, applicant, data: dict | None = None) -> PermitApplication:
    """Start a draft. The applicant can save it incomplete and come back later."""
    if not permit_type.active:
        raise ValidationError(_("This permit type is not open for applications."))
    cleaned = application_data_clean(permit_type, data or {}, require_all=False)
    application = PermitApplication(city=permit_type.city, permit_type=permit_type, applicant=applicant, data=cleaned)
    workflow_start(subject=application, workflow=permit_type.workflow)
    with transaction.atomic():
        application.save()
        audit_record(city=application.city, actor=applicant, action="permit_application.create", target=application,
                     data={"permit_type": permit_type.code})
    return application


def _editable_fields(application: PermitApplication) -> set[str] | None:
    """None: everything (draft). In `returned`: only what the official asked to complete."""
    if application.state == "draft":
        return None
    if application.state == "returned":
        return set(application.return_fields)
    raise ValidationError(_("The application can no longer be changed."))


def application_update(*, application: PermitApplication, actor, data: dict) -> PermitApplication:
    _require_applicant(application, actor)
    with transaction.atomic():
        locked = PermitApplication.objects.select_for_update().get(pk=application.pk)
        allowed = _editable_fields(locked)
        if allowed is not None:
            refused = sorted(set(data) - allowed)
            if refused:
                raise ValidationError({name: [_("Only the fields you were asked to complete can change.")]
                                       for name in refused})
        merged = {**locked.data, **data}
        locked.data = application_data_clean(locked.permit_type, merged, require_all=False)
        locked.save(update_fields=["data"])
        audit_record(city=locked.city, actor=actor, action="permit_application.update", target=locked,
                     data={"fields": sorted(data)})
    return locked


def requirements(permit_type: PermitType) -> list[dict]:
    return list(permit_type.documents)


def application_document_add(*, application: PermitApplication, actor, key: str, file) -> Document:
    """Attach a required document; it replaces an earlier upload for the same requirement."""
    _require_applicant(application, actor)
    requirement = next((r for r in requirements(application.permit_type) if r["key"] == key), None)
    if requirement is None:
        raise ValidationError({"key": [_("This document is not required for this permit.")]})
    allowed = _editable_fields(application)
    if allowed is not None and key not in allowed:
        raise ValidationError({"key": [_("Only the documents you were asked to complete can change.")]})
    types = frozenset(FILE_TYPES[t] for t in requirement.get("types", ["pdf"]))
    label = requirement.get("label", key)
    with transaction.atomic():
        try:
            document = document_store(city=application.city, uploaded_by=actor, file=file, kind=key,
                                      allowed_types=types, max_bytes=int(requirement.get("max_kb", 2048)) * 1024,
                                      subject=application)
        except ValidationError as exc:  # say which requirement was refused
            raise ValidationError({key: [f"{label}: {message}" for message in exc.messages]}) from exc
        application_documents(application).filter(kind=key).exclude(pk=document.pk).update(subject_id=None,
                                                                                             subject_type=None)
    return document


def application_documents(application: PermitApplication):
    return Document.objects.filter(subject_type=ContentType.objects.get_for_model(PermitApplication),
                                   subject_id=application.pk)


# -- submission and actions ----------------------------------------------------------------------
def _missing_documents(application: PermitApplication) -> list[str]:
    present = set(application_documents(application).values_list("kind", flat=True))
    return [r["key"] for r in requirements(application.permit_type)
            if r.get("required", True) and r["key"] not in present]


def application_submit(*, application: PermitApplication, actor) -> PermitApplication:
    """Submit a draft, or resubmit after a return. Everything required must be there."""
    _require_applicant(application, actor)
    application_data_clean(application.permit_type, application.data, require_all=True)
    missing = _missing_documents(application)
    if missing:
        labels = {r["key"]: r.get("label", r["key"]) for r in requirements(application.permit_type)}
        raise ValidationError({"documents": [_("Missing document: %(d)s") % {"d": labels[k]} for k in missing]})
    action = {"draft": "submit", "returned": "resubmit"}.get(application.state)
    if action is None:
        raise ValidationError(_("This application was already submitted."))
    return application_act(application=application, actor=actor, action=action, expected_state=application.state)


def application_act(*, application: PermitApplication, actor, action: str, comment: str = "",
                    expected_state: str | None = None, return_fields: list[str] | None = None,
                    system: bool = False, now=None) -> PermitApplication:
    """Take a workflow action. A return names what the applicant must complete."""
    if action == "return":
        known = {f["name"] for f in application.permit_type.form_schema}
        known |= {r["key"] for r in requirements(application.permit_type)}
        return_fields = [f for f in (return_fields or []) if f]
        unknown = sorted(set(return_fields) - known)
        if not return_fields or unknown:
            raise ValidationError({"return_fields": [_("Name the fields or documents the applicant must complete.")]})
    with transaction.atomic():
        updated = workflow_transition(subject=application, action=action, actor=actor, comment=comment,
                                      expected_state=expected_state, system=system, now=now)
        if action == "return":
            updated.return_fields = return_fields
            updated.save(update_fields=["return_fields"])
    return updated


def application_on_enter(application: PermitApplication, transition) -> None:
    """In-transaction consequences of entering a state (registered with the workflow engine).
    Official documents are written in the city's language, whatever language the actor uses."""
    with translation.override(application.city.locale):
        _on_enter(application, transition)


def _on_enter(application: PermitApplication, transition) -> None:
    from kotapintar.permits.services.issuance import invoice_issue, permit_issue

    state, now = transition.to_state, transition.created_at
    changed = []
    if state == "submitted" and not application.registration_number:
        year = now.astimezone(ZoneInfo(application.city.timezone)).year  # the city's calendar year
        seq = next_number(city=application.city, key="registration", year=year)
        application.registration_number = f"{application.city.region_code.replace('.', '')}-{year}-{seq:06d}"
        application.submitted_at = now
        changed += ["registration_number", "submitted_at"]
    if state == "submitted":  # the fee follows the data, also after a return for completion
        application.fee_amount = application_fee(application.permit_type, application.data)
        application.return_fields = []
        changed += ["fee_amount", "return_fields"]
    if state in ("issued", "rejected", "awaiting_payment") and not application.decided_at:
        application.decided_at = now
        changed.append("decided_at")
    if changed:
        application.save(update_fields=changed)
    if state == "awaiting_payment":
        if application.fee_amount:
            invoice_issue(application=application, now=now)
        else:  # a fee that came out as zero: nothing to pay
            workflow_transition(subject=application, action="pay", actor=None, system=True, now=now,
                                comment=_("No fee due."))
    if state == "issued":
        permit_issue(application=application, now=now)


def application_notify(application: PermitApplication, transition) -> None:
    """After commit: tell the applicant what happened."""
    from kotapintar.core.services.notifications import notification_send
    from kotapintar.core.workflow import state_label

    with translation.override(application.applicant.language or application.city.locale):
        _notify(application, transition, state_label(application, transition.to_state), notification_send)


def _notify(application, transition, label, notification_send) -> None:
    notification_send(
        user=application.applicant, city=application.city,
        subject=_("Your application %(reg)s: %(state)s") % {"reg": application.registration_number or application.pk,
                                                              "state": label},
        body=_("%(type)s — status: %(state)s.\n%(comment)s") % {
            "type": application.permit_type.name, "state": label, "comment": transition.comment},
    )


def application_claim(*, application: PermitApplication, actor, assignee=None) -> PermitApplication:
    """An official takes an item (or a head assigns it to a colleague)."""
    assignee = assignee or actor
    city = application.city
    if not user_has_role(actor, city, *OFFICIAL_ROLES):
        raise PermissionDenied(_("Only permit officials may claim applications."))
    if assignee != actor and not user_has_role(actor, city, "permit_head"):
        raise PermissionDenied(_("Only the head may assign applications to others."))
    if not user_has_role(assignee, city, *OFFICIAL_ROLES):
        raise ValidationError(_("The assignee is not a permit official of this city."))
    with transaction.atomic():
        locked = PermitApplication.objects.select_for_update().get(pk=application.pk)
        locked.assigned_to = assignee
        locked.save(update_fields=["assigned_to"])
        audit_record(city=city, actor=actor, action="permit_application.assign", target=locked,
                     data={"assignee": assignee.username})
    return locked
