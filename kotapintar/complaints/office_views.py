"""Pages of the complaints module for officials (queue, a report's handling) and for its administrators
(categories, service standards, Open311 keys). Thin: every write is a service call; a refused POST
re-renders the page with the message and with what the official typed."""

import json

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kotapintar.complaints.models import Complaint, ComplaintCategory, ComplaintUpdate, Open311Key, ServiceStandard
from kotapintar.complaints.office_forms import (
    CategoryForm,
    Open311KeyForm,
    QuestionForm,
    QuestionFormSet,
    ServiceStandardForm,
    questions_of,
)
from kotapintar.complaints.selectors import (
    categories_of,
    complaint_by_tracking,
    complaint_deadline_flag,
    complaint_updates_for,
    complaints_nearby,
    queue_for,
)
from kotapintar.complaints.services import reports as svc
from kotapintar.complaints.services.categories import EDITABLE as CATEGORY_FIELDS
from kotapintar.complaints.services.categories import category_save
from kotapintar.complaints.services.keys import open311_key_create, open311_key_revoke
from kotapintar.complaints.services.standards import FIELDS as STANDARD_FIELDS
from kotapintar.complaints.services.standards import service_standard_save
from kotapintar.complaints.workflow import COLOURS, HANDLERS, SUPERVISOR, VERIFIER
from kotapintar.core.geo import city_geography_load
from kotapintar.core.models import Department, District, Document, Membership
from kotapintar.core.permissions import city_role_required
from kotapintar.core.selectors import user_has_role, user_roles
from kotapintar.core.services.modules import map_background
from kotapintar.core.services.workflow import WorkflowConflict
from kotapintar.core.workflow import actions_for, state_label

OFFICE_ROLES = svc.OFFICIAL_ROLES  # the handlers and the complaint administrator
ADMIN_ROLES = ("complaint_admin", "city_admin")
ROUTERS = {VERIFIER, SUPERVISOR}  # verify, route to any department or person, merge, moderate
PER_PAGE = 25
NEARBY_METRES = 100


def _nav(request) -> dict:
    roles = user_roles(request.user, request.city)
    return {"handler": bool(roles & set(HANDLERS)), "admin": bool(roles & set(ADMIN_ROLES))}


def _refusal(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return exc.messages
    return [str(exc) or _("Your role may not do this.")]


# -- the queue ---------------------------------------------------------------------------------------
@city_role_required(*HANDLERS)
def queue(request, city):
    """The official's work, soonest deadline first, with filters and pages of 25."""
    roles = user_roles(request.user, request.city)
    routes = bool(roles & ROUTERS)
    which = request.GET.get("which", "")
    which = which if which in (("verify", "mine") if routes else ("mine",)) else ""
    base = queue_for(city=request.city, user=request.user)
    tabs = [("", _("All open") if routes else _("My department and mine"), base)]
    if routes:
        tabs.insert(0, ("verify", _("To verify"), queue_for(city=request.city, user=request.user, which="verify")))
    tabs.append(("mine", _("Assigned to me"), base.filter(assigned_to=request.user)))
    items = next(qs for key, _label, qs in tabs if key == which)
    filters = {key: request.GET.get(key, "").strip() for key in ("category", "district", "department")}
    if filters["category"]:
        items = items.filter(category__code=filters["category"])
    if filters["district"]:
        items = items.filter(district__code=filters["district"])
    if filters["department"]:
        items = items.filter(department__code=filters["department"])
    page = Paginator(items, PER_PAGE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [{"complaint": c, "flag": complaint_deadline_flag(c, now), "colour": COLOURS.get(c.state, "grey"),
             "label": state_label(c)} for c in page]
    kept = request.GET.copy()
    kept.pop("page", None)
    return render(request, "complaints/office_queue.html", {
        "rows": rows, "page": page, "which": which, "filters": filters, "query": kept.urlencode(),
        "tabs": [{"key": key, "label": label, "count": qs.count()} for key, label, qs in tabs],
        "categories": categories_of(request.city, active_only=False).only("code", "name", "department"),
        "districts": District.objects.filter(city=request.city).only("code", "name"),
        "departments": Department.objects.filter(city=request.city).only("code", "name", "short_name"),
        "nav": _nav(request), "current": "queue",
    })


# -- one report -------------------------------------------------------------------------------------
def _complaint(request, tracking) -> Complaint:
    complaint = complaint_by_tracking(request.city, tracking)
    if complaint is None:
        raise Http404
    return complaint


def _answers(complaint: Complaint) -> list[tuple[str, str]]:
    """The answers to the category's extra questions, with the questions' labels and the options' names."""
    questions = {q["code"]: q for q in complaint.category.questions}
    rows = []
    for code, value in complaint.attributes.items():
        question = questions.get(code, {"label": code})
        names = {v["key"]: v["name"] for v in question.get("values", [])}
        shown = ", ".join(names.get(v, v) for v in value) if isinstance(value, list) else names.get(value, value)
        rows.append((question["label"], shown))
    return rows


def _assignees(city):
    """People of the city who hold a handler role, once each, with their roles."""
    people = {}
    for membership in (Membership.objects.filter(city=city, role__in=HANDLERS)
                       .select_related("user", "department").order_by("user__full_name", "user__username")):
        person = people.setdefault(membership.user_id, {"user": membership.user, "roles": []})
        person["roles"].append(membership.department.short_name or membership.department.name
                               if membership.department else membership.role.removeprefix("complaint_"))
    return list(people.values())


def _map(complaint: Complaint, nearby: list) -> dict:
    """What the report's map draws (the same background as the public maps)."""
    return {
        "lat": complaint.lat, "lng": complaint.lng, "label": complaint.tracking_number, "radius": NEARBY_METRES,
        "nearby": [{"lat": n.lat, "lng": n.lng, "label": n.tracking_number} for n in nearby],
        **map_background(complaint.city),
        "boundary": complaint.city.boundary,
        "districts": list(District.objects.filter(city=complaint.city).exclude(lat=None).values("name", "lat", "lng")),
    }


def _detail(request, complaint: Complaint, *, typed: dict | None = None, status: int = 200):
    user, city = request.user, request.city
    roles = user_roles(user, city)
    routes = bool(roles & ROUTERS)
    available = actions_for(complaint, user)
    updates = list(complaint_updates_for(complaint, user))
    for update in updates:
        update.state_label = state_label(complaint, update.state)
    photos = Document.objects.filter(subject_type=ContentType.objects.get_for_model(Complaint),
                                     subject_id=complaint.pk).order_by("created_at")
    nearby = [c for c in complaints_nearby(city, complaint.lat, complaint.lng, metres=NEARBY_METRES)
              if c.pk != complaint.pk] if complaint.state not in svc.CLOSED_STATES else []
    return render(request, "complaints/office_detail.html", {
        "complaint": complaint, "state_label": state_label(complaint),
        "colour": COLOURS.get(complaint.state, "grey"), "flag": complaint_deadline_flag(complaint),
        "answers": _answers(complaint), "updates": updates, "photos": photos, "nearby": nearby,
        "nearby_metres": NEARBY_METRES, "map": _map(complaint, nearby),
        "actions": [a for a in available if a.action != "mark_duplicate"],
        "can_merge": routes and any(a.action == "mark_duplicate" for a in available),
        "can_moderate": routes, "routes": routes,
        "can_assign": bool(roles & set(HANDLERS)) and complaint.state not in svc.CLOSED_STATES,
        "departments": Department.objects.filter(city=city) if routes else [],
        "assignees": _assignees(city) if routes else [],
        "duplicates": complaint.duplicates.only("tracking_number", "state"),
        "typed": typed or {}, "nav": _nav(request),
    }, status=status)


@city_role_required(*OFFICE_ROLES)
def office_detail(request, city, tracking):
    return _detail(request, _complaint(request, tracking))


def _refused(request, tracking: str, exc: Exception, typed: dict):
    """Show why a POST was refused on the freshly loaded report, keeping what was typed."""
    status = 409 if isinstance(exc, WorkflowConflict) else 403 if isinstance(exc, PermissionDenied) else 400
    if isinstance(exc, WorkflowConflict):
        messages.error(request, _("Someone else already moved this report. Here it is as it is now; your text is "
                                  "kept below. Check it and act again if still needed."))
    else:
        for message in _refusal(exc):
            messages.error(request, message)
    return _detail(request, _complaint(request, tracking), typed=typed, status=status)


def _done(request, complaint: Complaint, message: str):
    messages.success(request, message)
    return redirect("complaints:office_detail", city=request.city.slug, tracking=complaint.tracking_number)


@city_role_required(*OFFICE_ROLES)
@require_POST
def office_act(request, city, tracking):
    complaint = _complaint(request, tracking)
    comment = request.POST.get("comment", "")
    try:
        svc.complaint_act(complaint=complaint, action=request.POST.get("action", ""), actor=request.user,
                          comment=comment, expected_state=request.POST.get("expected_state") or None)
    except (WorkflowConflict, PermissionDenied, ValidationError) as exc:
        return _refused(request, tracking, exc, {"comment": comment})
    return _done(request, complaint, _("Done: the reporter is told."))


@city_role_required(*OFFICE_ROLES)
@require_POST
def office_assign(request, city, tracking):
    complaint = _complaint(request, tracking)
    department = assignee = None
    try:
        if request.POST.get("department"):
            department = Department.objects.filter(city=request.city, pk=request.POST["department"]).first()
            if department is None:
                raise ValidationError(_("Choose a department of this city."))
        if request.POST.get("assignee"):
            assignee = (get_user_model().objects.filter(pk=request.POST["assignee"], memberships__city=request.city)
                        .first())
            if assignee is None:
                raise ValidationError(_("This person does not handle reports in this city."))
        if department is None and assignee is None:
            raise ValidationError(_("Choose a department or a person."))
        svc.complaint_assign(complaint=complaint, actor=request.user, department=department, assignee=assignee)
    except (PermissionDenied, ValidationError) as exc:
        return _refused(request, tracking, exc, {})
    return _done(request, complaint, _("Assignment saved."))


@city_role_required(*OFFICE_ROLES)
@require_POST
def office_comment(request, city, tracking):
    complaint = _complaint(request, tracking)
    text, internal = request.POST.get("text", ""), request.POST.get("kind") == "note"
    try:
        svc.complaint_comment(complaint=complaint, actor=request.user, text=text, internal=internal,
                              photo=request.FILES.get("photo"))
    except (PermissionDenied, ValidationError) as exc:
        return _refused(request, tracking, exc, {"text": text, "kind": "note" if internal else "reply"})
    return _done(request, complaint, _("Internal note saved.") if internal
                 else _("Reply published; the reporter is told."))


@city_role_required(*OFFICE_ROLES)
@require_POST
def office_merge(request, city, tracking):
    complaint = _complaint(request, tracking)
    number = request.POST.get("into", "").strip()
    try:
        into = complaint_by_tracking(request.city, number) if number else None
        if into is None:
            raise ValidationError(_("No report of this city has the number “%(n)s”.") % {"n": number}
                                  if number else _("Give the tracking number of the original report."))
        svc.complaint_merge(complaint=complaint, into=into, actor=request.user)
    except (PermissionDenied, ValidationError) as exc:
        return _refused(request, tracking, exc, {"into": number})
    return _done(request, complaint, _("Merged: this report is now a duplicate of %(n)s.")
                 % {"n": into.tracking_number})


@city_role_required(*OFFICE_ROLES)
@require_POST
def office_moderate(request, city, tracking):
    complaint = _complaint(request, tracking)
    update = None
    if request.POST.get("update"):
        update = get_object_or_404(ComplaintUpdate, complaint=complaint, pk=request.POST["update"])
    hidden, reason = request.POST.get("hidden") == "1", request.POST.get("reason", "")
    try:
        svc.complaint_moderate(complaint=complaint, actor=request.user, hidden=hidden, reason=reason, update=update)
    except (PermissionDenied, ValidationError) as exc:
        return _refused(request, tracking, exc, {"reason": reason, "target": str(update.pk) if update else "report"})
    if update is not None:
        message = _("The message is hidden from the public.") if hidden else _("The message is public again.")
    else:
        message = _("The report is hidden from the public.") if hidden else _("The report is public again.")
    return _done(request, complaint, message)


# -- administration ----------------------------------------------------------------------------------
GEOJSON_MAX_BYTES = 10 * 1024 * 1024


def _geojson(upload):
    if upload is None:
        return None
    if upload.size > GEOJSON_MAX_BYTES:
        raise ValidationError(_("The file is larger than 10 MB."))
    try:
        return json.loads(upload.read().decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ValidationError(_("“%(name)s” is not a GeoJSON file.") % {"name": upload.name}) from None


def _geography_upload(request):
    """The city administrator loads the official city boundary and/or the kecamatan boundaries, which
    decide which reports are inside the city and in which kecamatan."""
    if not user_has_role(request.user, request.city, "city_admin"):
        raise PermissionDenied
    try:
        boundary, districts = _geojson(request.FILES.get("boundary")), _geojson(request.FILES.get("districts"))
        if boundary is None and districts is None:
            raise ValidationError(_("Choose a GeoJSON file."))
        counts = city_geography_load(city=request.city, actor=request.user, boundary=boundary, districts=districts)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return False
    messages.success(request, _("Map data loaded: city boundary %(b)s, %(n)d kecamatan.")
                     % {"b": _("yes") if counts["boundary"] else _("no"), "n": counts["districts"]})
    return True


@city_role_required(*ADMIN_ROLES)
def admin_home(request, city):
    if request.method == "POST":
        if _geography_upload(request):
            return redirect("complaints:admin", city=request.city.slug)
    return render(request, "complaints/admin_home.html", {
        "categories": categories_of(request.city, active_only=False),
        "standards": ServiceStandard.objects.filter(city=request.city).select_related("department"),
        "keys": Open311Key.objects.filter(city=request.city, revoked_at=None).count(),
        "discovery": f"/{request.city.slug}/open311/v2/discovery.json", "nav": _nav(request), "current": "admin",
        "can_load_geography": user_has_role(request.user, request.city, "city_admin"),
        "districts_with_boundary": District.objects.filter(city=request.city).exclude(boundary=None).count(),
    }, status=400 if request.method == "POST" else 200)


def _service_errors(form, exc: ValidationError) -> list[str]:
    """Put a service's field errors on the form's fields; return the others."""
    if not hasattr(exc, "error_dict"):
        return exc.messages
    other = []
    for field, errors in exc.message_dict.items():
        if field in form.fields and field in form.cleaned_data:
            form.add_error(field, errors)
        else:
            other += errors
    return other


@city_role_required(*ADMIN_ROLES)
def admin_category(request, city, code=None):
    """Create or change a category and its extra questions; nothing is saved while anything is wrong."""
    instance = get_object_or_404(ComplaintCategory, city=request.city, code=code) if code else None
    initial = ({name: getattr(instance, name) for name in CATEGORY_FIELDS if name != "questions"}
               | {"code": instance.code}) if instance else None
    data = request.POST.copy() if request.method == "POST" else None
    adding_row = data is not None and "add_row" in data
    if adding_row:
        data["questions-TOTAL_FORMS"] = str(int(data.get("questions-TOTAL_FORMS") or 0) + 1)
    form = CategoryForm(data, initial=initial, city=request.city, editing=bool(instance))
    questions = QuestionFormSet(data, prefix="questions",
                                initial=[QuestionForm.initial_of(q) for q in instance.questions] if instance else None)
    question_errors = []
    if data is not None and not adding_row and form.is_valid() and questions.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "code"}
        try:
            saved = category_save(city=request.city, actor=request.user, code=code or form.cleaned_data["code"],
                                  instance=instance, questions=questions_of(questions), **fields)
        except ValidationError as exc:
            question_errors = _service_errors(form, exc)
        else:
            messages.success(request, _("Category “%(name)s” saved.") % {"name": saved.name})
            return redirect("complaints:admin", city=request.city.slug)
    failed = data is not None and not adding_row
    return render(request, "complaints/admin_category.html", {
        "form": form, "questions": questions, "question_errors": question_errors, "instance": instance,
        "nav": _nav(request), "current": "admin",
    }, status=400 if failed else 200)


@city_role_required(*ADMIN_ROLES)
def admin_standard(request, city, code=None):
    instance = get_object_or_404(ServiceStandard, city=request.city, code=code) if code else None
    initial = ({name: getattr(instance, name) for name in STANDARD_FIELDS}
               | {"code": instance.code, "department": instance.department_id}) if instance else None
    form = ServiceStandardForm(request.POST or None, initial=initial, city=request.city, editing=bool(instance))
    other_errors = []
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k not in ("code", "department")}
        try:
            saved = service_standard_save(city=request.city, actor=request.user, instance=instance,
                                          code=code or form.cleaned_data["code"],
                                          department=form.cleaned_data["department"], **fields)
        except ValidationError as exc:
            other_errors = _service_errors(form, exc)
        else:
            messages.success(request, _("Service standard “%(name)s” saved.") % {"name": saved.name})
            return redirect("complaints:admin", city=request.city.slug)
    return render(request, "complaints/admin_standard.html", {
        "form": form, "instance": instance, "other_errors": other_errors, "nav": _nav(request), "current": "admin",
    }, status=400 if request.method == "POST" else 200)


@never_cache
@city_role_required(*ADMIN_ROLES)
def admin_keys(request, city):
    """Open311 api_keys: a new key is shown on this response only (it is stored as a hash)."""
    form = Open311KeyForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            record, new_key = open311_key_create(city=request.city, name=form.cleaned_data["name"], actor=request.user)
        except ValidationError as exc:
            for message in _service_errors(form, exc):
                form.add_error(None, message)
        else:
            form = Open311KeyForm()
            new_key = {"record": record, "key": new_key}
    return render(request, "complaints/admin_keys.html", {
        "form": form, "new_key": new_key,
        "keys": Open311Key.objects.filter(city=request.city).select_related("created_by"),
        "discovery": f"/{request.city.slug}/open311/v2/discovery.json", "nav": _nav(request), "current": "keys",
    }, status=400 if form.errors else 200)


@city_role_required(*ADMIN_ROLES)
@require_POST
def admin_key_revoke(request, city, pk):
    key = get_object_or_404(Open311Key, city=request.city, pk=pk)
    open311_key_revoke(key=key, actor=request.user)
    messages.success(request, _("Key “%(name)s” revoked: clients using it are refused from now on.")
                     % {"name": key.name})
    return redirect("complaints:admin_keys", city=request.city.slug)
