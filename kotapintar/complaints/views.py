"""Pages of the complaints module for citizens and the public: report a problem, follow it, the public
map and list, statistics and the public service catalogue. Every write goes through the services."""

import datetime
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kotapintar.complaints import selectors
from kotapintar.complaints.forms import InfoForm, RateForm, ReportForm, attributes_from
from kotapintar.complaints.models import Complaint, ComplaintUpdate
from kotapintar.complaints.services import reports as svc
from kotapintar.complaints.services.limits import RateLimited
from kotapintar.complaints.workflow import CLOSED_STATES, COLOURS, OFFICIALS, OPEN_STATES, REPORTER
from kotapintar.core import geo
from kotapintar.core.http import client_ip
from kotapintar.core.models import District, Document
from kotapintar.core.selectors import user_has_role, workflow_definition
from kotapintar.core.services.documents import document_path
from kotapintar.core.services.modules import map_background
from kotapintar.core.services.workflow import WorkflowConflict
from kotapintar.core.workflow import actions_for, state_label

PER_PAGE = 20
MAP_MARKERS = 500  # the newest reports matching the filters are drawn on the map
SENT_SESSION_KEY = "complaints_sent"
PUBLIC_STATES = [s for s in COLOURS if s != "unconfirmed"]


def _is_official(request) -> bool:
    return user_has_role(request.user, request.city, *OFFICIALS)


def _map_context(city) -> dict:
    """What the maps draw: tiles when the city (or installation) has a tile server, else the city's outline and
    its kecamatan on a plain background."""
    districts = [{"name": d["name"], "lat": d["lat"], "lng": d["lng"]}
                 for d in District.objects.filter(city=city).exclude(lat=None).values("name", "lat", "lng")]
    return {"map_config": {
        "lat": city.lat, "lng": city.lng, **map_background(city),
        "boundary": city.boundary, "districts": districts, "colours": MARKER_COLOURS,
    }}


MARKER_COLOURS = {"red": "#b3261e", "yellow": "#e0a800", "green": "#1e7e34", "grey": "#6c757d"}


# -- filing a report -------------------------------------------------------------------------------
def _apply_errors(form: ReportForm, exc: ValidationError, attribute_errors: dict) -> None:
    """Put the service's refusals next to the fields they concern."""
    if not hasattr(exc, "error_dict"):  # photos: the only unkeyed refusals left once the form is valid
        form.add_error("photos" if form.cleaned_data.get("photos") else None, exc.messages)
        return
    for key, errors in exc.message_dict.items():
        if key.startswith("attribute["):
            attribute_errors[key] = errors
        elif key == "location":
            form.add_error("lat", errors)
        elif key in form.fields:
            form.add_error(key, errors)
        else:
            form.add_error(None, errors)


def report_new(request, city):
    categories = list(selectors.categories_of(request.city))
    form = ReportForm(request.POST or None, request.FILES or None, categories=categories,
                      signed_in=request.user.is_authenticated,
                      initial={"category": request.GET.get("category", "")})
    attribute_errors: dict[str, list[str]] = {}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            complaint = svc.complaint_create(
                city=request.city, category=form.categories[data["category"]], description=data["description"],
                lat=data["lat"] or None, lng=data["lng"] or None, address=data["address"],
                attributes=attributes_from(request.POST, form.categories[data["category"]]),
                visibility=data["visibility"], reporter=request.user, reporter_name=data.get("name", ""),
                reporter_email=data.get("email", ""), reporter_phone=data.get("phone", ""),
                photos=data["photos"], client_ip=client_ip(request))
        except ValidationError as exc:
            _apply_errors(form, exc, attribute_errors)
        except RateLimited as exc:
            form.add_error(None, str(exc))
        else:
            request.session[SENT_SESSION_KEY] = complaint.tracking_number
            return redirect("complaints:sent", city=request.city.slug, tracking=complaint.tracking_number)
    category = form.selected_category()
    return render(request, "complaints/new.html", {
        "form": form, "category": category, "questions": _questions(category, request.POST, attribute_errors),
        "photos_dropped": bool(request.FILES), **_map_context(request.city),
    }, status=400 if form.errors or attribute_errors else 200)


def _questions(category, data, errors) -> list[dict]:
    """The category's extra questions with what was answered and the refusals, for the template."""
    if category is None:
        return []
    rows = []
    for question in category.questions:
        key = f"attribute[{question['code']}]"
        posted = data.getlist(key) if hasattr(data, "getlist") else []
        rows.append({**question, "name": key, "id": f"attr-{question['code']}",
                     "value": posted[0] if posted else "", "values_chosen": posted, "errors": errors.get(key, [])})
    return rows


def category_questions(request, city):
    category = next((c for c in selectors.categories_of(request.city) if c.code == request.GET.get("category")),
                    None)
    return render(request, "complaints/_questions.html", {"questions": _questions(category, {}, {})})


def report_nearby(request, city):
    """For the report form: where the pin is (kecamatan and kelurahan) and the open reports within 50 m."""
    context = {"place": None, "nearby": [], "error": ""}
    try:
        lat, lng = geo.point_parse(request.GET.get("lat"), request.GET.get("lng"))
    except ValidationError as exc:
        context["error"] = exc.messages[0] if request.GET.get("lat") else ""
        return render(request, "complaints/_nearby.html", context)
    if not geo.city_contains(request.city, lat, lng):
        context["error"] = _("This place is outside %(city)s. Report it to the city where it is.") % {
            "city": request.city.name}
        return render(request, "complaints/_nearby.html", context)
    category = next((c for c in selectors.categories_of(request.city) if c.code == request.GET.get("category")),
                    None)
    nearby = selectors.complaints_nearby(request.city, lat, lng, metres=svc.NEARBY_METRES, category=category)
    for complaint in nearby:
        complaint.state_label, complaint.colour = state_label(complaint), COLOURS.get(complaint.state)
    context.update(place=geo.locate(request.city, lat, lng), nearby=nearby, metres=svc.NEARBY_METRES)
    return render(request, "complaints/_nearby.html", context)


def report_sent(request, city, tracking):
    """The page after filing: the tracking number (only in the session that filed the report)."""
    if request.session.get(SENT_SESSION_KEY) != tracking:
        raise Http404
    complaint = selectors.complaint_by_tracking(request.city, tracking)
    if complaint is None:
        raise Http404
    return render(request, "complaints/sent.html", {"complaint": complaint,
                                                    "unconfirmed": complaint.state == "unconfirmed"})


# -- one report --------------------------------------------------------------------------------------
def _complaint_for(request, tracking: str) -> tuple[Complaint, bool, bool]:
    """The report, whether the user filed it, whether they are an official. 404 when the user may not
    see it (confidential, unconfirmed or hidden reports are the reporter's and the officials' only)."""
    complaint = selectors.complaint_by_tracking(request.city, tracking)
    if complaint is None:
        raise Http404
    is_reporter = bool(complaint.reporter_id and complaint.reporter_id == request.user.pk)
    official = _is_official(request)
    if not (complaint.is_public or is_reporter or official):
        raise Http404
    return complaint, is_reporter, official


def _report_photos(complaint: Complaint) -> list[Document]:
    """The photos filed with the report (the photos of messages are shown with the messages)."""
    of_updates = ComplaintUpdate.objects.filter(complaint=complaint).exclude(photo=None).values("photo_id")
    return list(Document.objects.filter(subject_type=ContentType.objects.get_for_model(Complaint),
                                        subject_id=complaint.pk, kind="photo")
                .exclude(pk__in=of_updates).order_by("created_at", "pk"))


def _answers(complaint: Complaint, private: bool) -> list[tuple[str, str]]:
    """The answers to the category's questions, as (question, answer). Free text is shown only to the
    reporter and officials (it may name people); choices and numbers are public."""
    rows = []
    for question in complaint.category.questions:
        value = complaint.attributes.get(question["code"])
        if value in (None, "", []) or (question["type"] in ("string", "text") and not private):
            continue
        names = {v["key"]: v["name"] for v in question.get("values", [])}
        values = value if isinstance(value, list) else [value]
        rows.append((question["label"], ", ".join(str(names.get(v, v)) for v in values)))
    return rows


def _render_detail(request, complaint, is_reporter, official, *, info_form=None, rate_form=None, status=200):
    history = list(selectors.public_updates(complaint))
    for update in history:
        update.state_label = state_label(complaint, update.state)
    actions = [a for a in actions_for(complaint, request.user) if REPORTER in a.roles] if is_reporter else []
    can_add_info = is_reporter and (complaint.state not in CLOSED_STATES or complaint.state == "resolved")
    can_rate = is_reporter and complaint.state in ("resolved", "closed") and complaint.rating is None
    supported = (request.user.is_authenticated
                 and complaint.supports.filter(user=request.user).exists())
    return render(request, "complaints/detail.html", {
        "complaint": complaint, "is_reporter": is_reporter, "official": official,
        "state": state_label(complaint), "colour": COLOURS.get(complaint.state, "grey"),
        "is_open": complaint.state in OPEN_STATES, "history": history, "photos": _report_photos(complaint),
        "answers": _answers(complaint, is_reporter or official),
        "actions": actions, "info_form": info_form or (InfoForm() if can_add_info else None),
        "rate_form": rate_form or (RateForm() if can_rate else None), "supported": supported,
        "can_support": complaint.state in OPEN_STATES and complaint.is_public and not is_reporter,
        **_map_context(request.city),
    }, status=status)


def detail(request, city, tracking):
    return _render_detail(request, *_complaint_for(request, tracking))


def photo(request, city, tracking, token):
    """A report's photo or a message's photo, for whoever may see the report (internal notes' and
    hidden messages' photos only for officials)."""
    complaint, _reporter, official = _complaint_for(request, tracking)
    document = Document.objects.filter(token=token, subject_type=ContentType.objects.get_for_model(Complaint),
                                       subject_id=complaint.pk, kind="photo").first()
    if document is None:
        raise Http404
    update = ComplaintUpdate.objects.filter(complaint=complaint, photo=document).first()
    if update is not None and not update.is_public and not official:
        raise Http404
    response = FileResponse(open(document_path(document), "rb"), content_type=document.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


def confirm(request, city, tracking, code):
    """The link in the e-mail of a report filed without an account: GET asks, POST confirms."""
    complaint = selectors.complaint_by_tracking(request.city, tracking)
    if complaint is None:
        raise Http404
    if request.method == "POST":
        try:
            svc.complaint_confirm(complaint=complaint, code=code)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Thank you: your report is confirmed and sent to the officials."))
            return redirect("complaints:detail", city=request.city.slug, tracking=complaint.tracking_number)
    return render(request, "complaints/confirm.html", {"complaint": complaint,
                                                       "confirmed": complaint.state != "unconfirmed"})


def _reporter_only(request, tracking):
    if not request.user.is_authenticated:
        raise Http404
    complaint, is_reporter, official = _complaint_for(request, tracking)
    if not is_reporter:
        raise Http404
    return complaint, is_reporter, official


def _messages_of(exc) -> list[str]:
    return getattr(exc, "messages", None) or [str(exc) or _("This is not possible now.")]


@require_POST
def add_info(request, city, tracking):
    complaint, is_reporter, official = _reporter_only(request, tracking)
    form = InfoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            svc.complaint_add_info(complaint=complaint, actor=request.user, text=form.cleaned_data["text"],
                                   photo=form.cleaned_data["photo"])
        except (ValidationError, PermissionDenied) as exc:
            for message in _messages_of(exc):
                form.add_error("photo" if form.cleaned_data.get("photo") and not hasattr(exc, "error_dict")
                               else "text", message)
        else:
            messages.success(request, _("Added to your report."))
            return redirect("complaints:detail", city=request.city.slug, tracking=complaint.tracking_number)
    return _render_detail(request, complaint, is_reporter, official, info_form=form, status=400)


@require_POST
def reporter_act(request, city, tracking):
    complaint, is_reporter, _official = _reporter_only(request, tracking)
    action = request.POST.get("action", "")
    allowed = {a.action for a in actions_for(complaint, request.user) if REPORTER in a.roles}
    if action not in allowed:
        messages.error(request, _("This action is not possible now."))
    else:
        try:
            svc.complaint_act(complaint=complaint, action=action, actor=request.user,
                              comment=request.POST.get("comment", ""), expected_state=request.POST.get("state"))
        except (ValidationError, PermissionDenied, WorkflowConflict) as exc:
            for message in _messages_of(exc):
                messages.error(request, message)
        else:
            messages.success(request, _("Your report is reopened.") if action == "reopen"
                             else _("Your report is closed. Thank you."))
    return redirect("complaints:detail", city=request.city.slug, tracking=complaint.tracking_number)


@require_POST
def rate(request, city, tracking):
    complaint, is_reporter, official = _reporter_only(request, tracking)
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            svc.complaint_rate(complaint=complaint, actor=request.user, rating=form.cleaned_data["rating"],
                               comment=form.cleaned_data["comment"])
        except (ValidationError, PermissionDenied) as exc:
            for message in _messages_of(exc):
                form.add_error(None, message)
        else:
            messages.success(request, _("Thank you for your rating."))
            return redirect("complaints:detail", city=request.city.slug, tracking=complaint.tracking_number)
    return _render_detail(request, complaint, is_reporter, official, rate_form=form, status=400)


@require_POST
def support(request, city, tracking):
    detail_url = reverse("complaints:detail", kwargs={"city": request.city.slug, "tracking": tracking})
    if not request.user.is_authenticated:
        return redirect_to_login(detail_url)
    complaint, _reporter, _official = _complaint_for(request, tracking)
    try:
        svc.complaint_support(complaint=complaint, user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("Thank you: you support this report. You do not need to file a new one."))
    return redirect("complaints:detail", city=request.city.slug, tracking=complaint.tracking_number)


# -- finding reports ---------------------------------------------------------------------------------
def track(request, city):
    number = request.GET.get("number", "").strip().upper()
    if number:
        complaint = selectors.complaint_by_tracking(request.city, number)
        mine = complaint is not None and complaint.reporter_id is not None and complaint.reporter_id == request.user.pk
        if complaint is not None and (complaint.is_public or mine or _is_official(request)):
            return redirect("complaints:detail", city=request.city.slug, tracking=complaint.tracking_number)
    return render(request, "complaints/track.html", {"number": number, "not_found": bool(number)},
                  status=404 if number else 200)


def mine(request, city):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    reports = selectors.complaints_of(request.user).filter(city=request.city).select_related("district")
    page = Paginator(reports, PER_PAGE).get_page(request.GET.get("page"))
    for complaint in page:
        complaint.state_label, complaint.colour = state_label(complaint), COLOURS.get(complaint.state)
    return render(request, "complaints/mine.html", {"page": page})


def _day_start(value: str, zone: ZoneInfo, *, next_day: bool = False):
    try:
        day = datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    if next_day:
        day += datetime.timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)


def report_list(request, city):
    zone = ZoneInfo(request.city.timezone)
    get = request.GET
    filters = {"category": get.get("category", ""), "state": get.get("state", ""),
               "district": get.get("district", ""), "start": _day_start(get.get("from"), zone),
               "end": _day_start(get.get("to"), zone, next_day=True)}
    if filters["state"] not in ("", "open", "closed", *PUBLIC_STATES):
        filters["state"] = ""
    reports = selectors.public_complaints_filtered(request.city, **filters)
    page = Paginator(reports, PER_PAGE).get_page(get.get("page"))
    for complaint in page:
        complaint.state_label, complaint.colour = state_label(complaint), COLOURS.get(complaint.state)
    markers = [{"t": r["tracking_number"], "lat": r["lat"], "lng": r["lng"], "c": COLOURS.get(r["state"], "grey"),
                "s": state_label(workflow_definition(r["workflow_id"]), r["state"], model=Complaint),
                "k": r["category__name"],
                "u": reverse("complaints:detail", kwargs={"city": request.city.slug, "tracking": r["tracking_number"]})}
               for r in reports.values("tracking_number", "lat", "lng", "state", "workflow_id",
                                  "category__name")[:MAP_MARKERS]]
    query = get.copy()
    query.pop("page", None)
    return render(request, "complaints/list.html", {
        "page": page, "markers": markers, "query": query.urlencode(), "filters": get,
        "categories": selectors.categories_of(request.city, active_only=False).order_by("group", "name"),
        "districts": District.objects.filter(city=request.city).order_by("name").only("code", "name"),
        "states": [(s, state_label(Complaint, s)) for s in PUBLIC_STATES], **_map_context(request.city),
    })


def stats(request, city):
    zone = ZoneInfo(request.city.timezone)
    today = timezone.now().astimezone(zone).date()
    default_start = today.replace(month=1, day=1)
    start = _day_start(request.GET.get("from"), zone) or _day_start(default_start.isoformat(), zone)
    end = _day_start(request.GET.get("to"), zone, next_day=True) or _day_start(today.isoformat(), zone,
                                                                               next_day=True)
    if end <= start:
        messages.error(request, _("The end of the period must be after its start."))
        start, end = _day_start(default_start.isoformat(), zone), _day_start(today.isoformat(), zone, next_day=True)
    result = selectors.complaint_stats(request.city, start=start, end=end)
    top = max((row["n"] for row in result.per_category), default=0)
    for row in result.per_category:
        row["pct"] = round(100 * row["n"] / top) if top else 0
    per_state = [{"state": s, "label": state_label(Complaint, s), "n": result.per_state[s], "colour": COLOURS.get(s)}
                 for s in PUBLIC_STATES if result.per_state.get(s)]
    return render(request, "complaints/stats.html", {
        "stats": result, "per_state": per_state, "start": start.date(),
        "end": (end - datetime.timedelta(days=1)).date(),
    })


def services(request, city):
    channel = _("The “Report a problem” page of this website")
    if request.city.contact_phone:
        channel += f" · {request.city.contact_phone}"
    entries = selectors.service_catalogue(request.city, complaint_channel=channel, language=request.LANGUAGE_CODE)
    return render(request, "complaints/services.html", {"entries": entries})
