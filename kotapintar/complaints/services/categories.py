"""Complaint categories: defined by the city (routing and extra questions), and the answers a report
gives to those questions (which are also the Open311 attributes)."""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kotapintar.complaints.models import ComplaintCategory
from kotapintar.complaints.selectors import category_cache_forget
from kotapintar.complaints.workflow import WORKFLOW_KEY, default_definition
from kotapintar.core.models import City, Department, WorkflowDefinition
from kotapintar.core.services.audit import audit_record, audit_record_many
from kotapintar.core.services.workflow import workflow_definition_create

QUESTION_TYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
LIST_TYPES = ("singlevaluelist", "multivaluelist")


def questions_validate(questions) -> list[dict]:
    """Check a category's extra questions; return them normalised."""
    if not isinstance(questions, list):
        raise ValidationError(_("The questions must be a list."))
    errors, seen, result = [], set(), []
    for number, question in enumerate(questions, 1):
        if not isinstance(question, dict):
            errors.append(_("Question %(n)d is not a question.") % {"n": number})
            continue
        code = slugify(str(question.get("code", ""))).replace("-", "_")
        label = str(question.get("label", "")).strip()
        kind = question.get("type", "string")
        if not code or not label:
            errors.append(_("Question %(n)d needs a code and a label.") % {"n": number})
        if code in seen:
            errors.append(_("Question code “%(c)s” is used twice.") % {"c": code})
        seen.add(code)
        if kind not in QUESTION_TYPES:
            errors.append(_("Question %(n)d has an unknown type “%(t)s”.") % {"n": number, "t": kind})
        values = question.get("values") or []
        if kind in LIST_TYPES and not (isinstance(values, list) and values
                                       and all(isinstance(v, dict) and v.get("key") for v in values)):
            errors.append(_("Question %(n)d needs a list of values with keys.") % {"n": number})
        item = {"code": code, "label": label, "type": kind, "required": bool(question.get("required")),
                "help": str(question.get("help", "")).strip()}
        if kind in LIST_TYPES:
            item["values"] = [{"key": str(v["key"]), "name": str(v.get("name") or v["key"])}
                              for v in values if isinstance(v, dict) and v.get("key")]
        result.append(item)
    if errors:
        raise ValidationError(errors)
    return result


def _answer(question: dict, raw):
    kind, label = question["type"], question["label"]
    if kind in ("string", "text"):
        value = str(raw).strip()
        if len(value) > (200 if kind == "string" else 2000):
            raise ValidationError(_("%(f)s is too long.") % {"f": label})
        return value
    if kind == "number":
        try:
            number = Decimal(str(raw).replace(",", "."))
        except InvalidOperation:
            raise ValidationError(_("%(f)s must be a number.") % {"f": label}) from None
        if not number.is_finite():
            raise ValidationError(_("%(f)s must be a number.") % {"f": label})
        return str(number)
    if kind == "datetime":
        try:
            return datetime.datetime.fromisoformat(str(raw)).isoformat()
        except ValueError:
            raise ValidationError(_("%(f)s must be a date and time (YYYY-MM-DDTHH:MM).") % {"f": label}) from None
    keys = {v["key"] for v in question.get("values", [])}
    if kind == "singlevaluelist":
        raw = raw[0] if isinstance(raw, list) and len(raw) == 1 else raw
        if raw not in keys:
            raise ValidationError(_("%(f)s: choose one of the options.") % {"f": label})
        return raw
    chosen = raw if isinstance(raw, list) else [raw]
    if not chosen or any(c not in keys for c in chosen):
        raise ValidationError(_("%(f)s: choose from the options.") % {"f": label})
    return list(dict.fromkeys(chosen))


def attributes_clean(category: ComplaintCategory, attributes: dict | None) -> dict:
    """Validate a report's answers to its category's questions. Raises ValidationError per question
    (keyed `attribute[code]`, the Open311 name)."""
    attributes = attributes or {}
    if not isinstance(attributes, dict):
        raise ValidationError(_("The answers to the category's questions are not readable."))
    questions = {q["code"]: q for q in category.questions}
    cleaned, errors = {}, {}
    for code in set(attributes) - set(questions):
        errors[f"attribute[{code}]"] = [_("This category has no question “%(c)s”.") % {"c": code}]
    for code, question in questions.items():
        raw = attributes.get(code)
        if raw in (None, "", []):
            if question.get("required"):
                errors[f"attribute[{code}]"] = [_("%(f)s is required.") % {"f": question["label"]}]
            continue
        try:
            cleaned[code] = _answer(question, raw)
        except ValidationError as exc:
            errors[f"attribute[{code}]"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


def complaint_workflow(city: City) -> WorkflowDefinition:
    """The city's latest complaint workflow, created from the default on first use."""
    latest = WorkflowDefinition.objects.filter(city=city, key=WORKFLOW_KEY).order_by("-version").first()
    return latest or workflow_definition_create(city=city, key=WORKFLOW_KEY, name="Pengaduan masyarakat",
                                                definition=default_definition(), actor=None)


EDITABLE = ("name", "description", "group", "keywords", "department", "questions", "active")


def category_save(*, city: City, actor, code: str, name: str, department: Department, description: str = "",
                  group: str = "", keywords: str = "", questions=None, active: bool = True,
                  instance: ComplaintCategory | None = None) -> ComplaintCategory:
    """Create or change a category. Its code is its Open311 service_code and never changes."""
    if department.city_id != city.pk:
        raise ValidationError({"department": [_("Choose a department of this city.")]})
    questions = questions_validate(questions or [])
    with transaction.atomic():
        category = instance or ComplaintCategory(city=city, code=code, workflow=complaint_workflow(city))
        if instance is None and ComplaintCategory.objects.filter(city=city, code=code).exists():
            raise ValidationError({"code": [_("A category with this code already exists.")]})
        for field, value in {"name": name, "description": description, "group": group, "keywords": keywords,
                             "department": department, "questions": questions, "active": active}.items():
            setattr(category, field, value)
        category.full_clean()
        category.save()
        audit_record(city=city, actor=actor, action="complaint_category.save", target=category,
                     data={"code": category.code, "department": department.code, "active": active,
                           "questions": [q["code"] for q in questions]})
    return category


def categories_save(*, city: City, actor, categories: list[dict]) -> list[ComplaintCategory]:
    """Create or change many categories at once (a configuration import). Each dict holds what
    category_save takes (code, name, department, description, group, keywords, questions, active) and is
    checked the same way; then one insert, one update and one append to the audit log, whatever their
    number. All or nothing."""
    codes = [spec["code"] for spec in categories]
    if len(set(codes)) != len(codes):
        raise ValidationError({"code": [_("A category with this code already exists.")]})
    existing = {c.code: c for c in ComplaintCategory.objects.filter(city=city, code__in=codes)}
    workflow = complaint_workflow(city) if len(existing) < len(codes) else None
    new, changed = [], []
    for spec in categories:
        fields = {name: spec[name] for name in EDITABLE if name in spec}
        if fields["department"].city_id != city.pk:
            raise ValidationError({"department": [_("Choose a department of this city.")]})
        fields["questions"] = questions_validate(fields.get("questions") or [])
        category = existing.get(spec["code"]) or ComplaintCategory(city=city, code=spec["code"], workflow=workflow)
        for name, value in fields.items():
            setattr(category, name, value)
        category.full_clean(exclude=["city", "department", "workflow"], validate_unique=False,
                            validate_constraints=False)  # checked above, without a query per category
        (changed if category.pk else new).append(category)
    with transaction.atomic():
        ComplaintCategory.objects.bulk_create(new)
        ComplaintCategory.objects.bulk_update(changed, EDITABLE)
        audit_record_many(city=city, records=[
            (actor, "complaint_category.save", category,
             {"code": category.code, "department": category.department.code, "active": category.active,
              "questions": [q["code"] for q in category.questions]}) for category in new + changed])
    category_cache_forget(city, codes)
    return new + changed
