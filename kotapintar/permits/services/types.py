"""Permit types defined by city administrators, validated before they are saved."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kotapintar.core.models import City, Department, WorkflowDefinition
from kotapintar.core.services.audit import audit_record
from kotapintar.core.workflow import states as workflow_states
from kotapintar.permits.models import PermitApplication, PermitType
from kotapintar.permits.services.fees import fee_formula_validate

FIELD_TYPES = {"text", "number", "date", "choice", "location"}
DOCUMENT_TYPES = {"pdf", "jpeg", "jpg", "png"}
NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
EDITABLE = ("name", "description", "department", "workflow", "form_schema", "documents", "fee_formula",
            "fee_description", "sla_days", "validity_days", "number_format", "certificate_template", "active")


def permit_type_errors(*, form_schema, documents, fee_formula: str, number_format: str,
                       workflow: WorkflowDefinition) -> list[str]:
    errors = []
    names = []
    for field in form_schema if isinstance(form_schema, list) else []:
        name = field.get("name", "") if isinstance(field, dict) else ""
        if not NAME.match(name):
            errors.append(_("Field name “%(n)s”: use lower-case letters, digits and _.") % {"n": name})
            continue
        names.append(name)
        if field.get("type") not in FIELD_TYPES:
            errors.append(_("Field “%(n)s” has an unknown type.") % {"n": name})
        if field.get("type") == "choice" and not field.get("choices"):
            errors.append(_("Choice field “%(n)s” needs choices.") % {"n": name})
    if not isinstance(form_schema, list):
        errors.append(_("The form must be a list of fields."))
    keys = []
    for doc in documents if isinstance(documents, list) else []:
        key = doc.get("key", "") if isinstance(doc, dict) else ""
        if not NAME.match(key):
            errors.append(_("Document key “%(n)s”: use lower-case letters, digits and _.") % {"n": key})
            continue
        keys.append(key)
        if not set(doc.get("types", ["pdf"])) <= DOCUMENT_TYPES:
            errors.append(_("Document “%(n)s”: allowed types are pdf, jpeg, png.") % {"n": key})
    if not isinstance(documents, list):
        errors.append(_("The documents must be a list."))
    duplicates = {n for n in names + keys if (names + keys).count(n) > 1}
    errors += [_("“%(n)s” is defined twice.") % {"n": n} for n in sorted(duplicates)]
    numbers = [f["name"] for f in form_schema if isinstance(f, dict) and f.get("type") == "number"] \
        if isinstance(form_schema, list) else []
    try:
        fee_formula_validate(fee_formula, numbers)
    except ValidationError as exc:
        errors += exc.messages
    if "{seq}" not in number_format:
        errors.append(_("The number format must contain {seq}."))
    else:
        try:
            number_format.format(seq="0001", year=2026, month="01", code="X")
        except (KeyError, IndexError, ValueError):
            errors.append(_("The number format may only use {seq}, {year}, {month} and {code}."))
    states = {s.name: s for s in workflow_states(workflow, model=PermitApplication)}
    if not states.get("draft") or not states["draft"].start:
        errors.append(_("A permit workflow must start in the state “draft”."))
    if not (states.get("issued") and states["issued"].terminal):
        errors.append(_("A permit workflow must end in the terminal state “issued”."))
    if fee_formula.strip() and "awaiting_payment" not in states:
        errors.append(_("A permit with a fee needs the state “awaiting_payment”."))
    return errors


def permit_type_save(*, city: City, actor, code: str, instance: PermitType | None = None, **fields) -> PermitType:
    """Create or change a permit type; everything is validated first and nothing is saved on error."""
    permit_type = instance or PermitType(city=city, code=code)
    for key, value in fields.items():
        if key not in EDITABLE:
            raise ValidationError(_("Unknown setting “%(k)s”.") % {"k": key})
        setattr(permit_type, key, value)
    department: Department = permit_type.department
    if department.city_id != city.pk or permit_type.workflow.city_id != city.pk:
        raise ValidationError(_("The department and workflow must belong to this city."))
    errors = permit_type_errors(form_schema=permit_type.form_schema, documents=permit_type.documents,
                                fee_formula=permit_type.fee_formula, number_format=permit_type.number_format,
                                workflow=permit_type.workflow)
    if errors:
        raise ValidationError(errors)
    permit_type.full_clean()
    with transaction.atomic():
        permit_type.save()
        audit_record(city=city, actor=actor, action="permit_type.create" if instance is None else "permit_type.update",
                     target=permit_type, data={"code": permit_type.code, "fields": sorted(fields)})
    return permit_type
