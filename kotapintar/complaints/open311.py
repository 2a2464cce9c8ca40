"""Open311 GeoReport v2 for each city at `/<city>/open311/v2/`, with FixMyStreet's `servicerequestupdates`.

Every endpoint answers in XML (`.xml`, the required format) and JSON (`.json`); errors use the standard
body `[{"code": 400, "description": "..."}]` / `<errors><error>…`. A city's complaint categories are the
services, its reports the service requests (`service_request_id` is the tracking number). Only public
reports are listed or shown (never unconfirmed, confidential or hidden ones) and no reporter's personal
data ever leaves through this API. Reports are filed with an api_key the city issued
(`kotapintar open311 key create`); they are realtime (the tracking number comes back at once, with the
token for `tokens/{token}`).

Spec: http://wiki.open311.org/GeoReport_v2 and FixMyStreet's Open311 extensions.
"""

import datetime
import functools
import json
import re
import uuid
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt

from kotapintar.complaints.models import Complaint, ComplaintCategory, ComplaintIntake, ComplaintUpdate
from kotapintar.complaints.selectors import category_by_code, public_complaints
from kotapintar.complaints.services.keys import open311_key_find
from kotapintar.complaints.services.limits import RateLimited
from kotapintar.complaints.services.reports import complaint_create, complaint_intake
from kotapintar.complaints.workflow import CLOSED_STATES, OPEN_STATES
from kotapintar.core.http import client_ip
from kotapintar.core.models import City, Village, WorkflowDefinition
from kotapintar.core.selectors import workflow_definition
from kotapintar.core.services.documents import document_path
from kotapintar.core.workflow import states as workflow_states

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-28T00:00:00Z"  # when this API last changed
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
WINDOW = datetime.timedelta(days=90)  # default and widest period of GET requests / servicerequestupdates
LIMIT = 1000  # rows per list
ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
# XML element of one item in each list (the Spark convention maps them to JSON arrays).
ITEMS = {"services": "service", "service_requests": "request", "attributes": "attribute", "values": "value",
         "endpoints": "endpoint", "formats": "format", "errors": "error",
         "service_request_updates": "request_update"}
# Characters XML 1.0 cannot carry (a pasted control character must not break every client's parser),
# and those that need escaping: one regex search per value, the slow path only when it matches.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SPECIAL = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# -- rendering -----------------------------------------------------------------------------------
def _leaf(tag: str, value) -> str:
    if value is None or value == "":
        return f"<{tag}/>"
    if value is True or value is False:
        return f"<{tag}>{'true' if value else 'false'}</{tag}>"
    text = str(value)
    if _SPECIAL.search(text):
        text = escape(_NOT_XML.sub("", text))
    return f"<{tag}>{text}</{tag}>"


def _xml(tag: str, value, out: list) -> None:
    if isinstance(value, list):
        item = ITEMS[tag]
        out.append(f"<{tag}>")
        for entry in value:
            _xml(item, entry, out)
        out.append(f"</{tag}>")
    elif isinstance(value, dict):
        out.append(f"<{tag}>")
        for key, entry in value.items():
            if isinstance(entry, list | dict):
                _xml(key, entry, out)
            else:
                out.append(_leaf(key, entry))
        out.append(f"</{tag}>")
    else:
        out.append(_leaf(tag, value))


def render(data, fmt: str, root: str, status: int = 200) -> HttpResponse:
    """`data` (a list or dict) as the XML document `<root>` or as JSON."""
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    else:
        out = ['<?xml version="1.0" encoding="utf-8"?>']
        _xml(root, data, out)
        body = "".join(out).encode()
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


class Open311Error(Exception):
    """Answered as the standard error body with this HTTP status."""

    def __init__(self, status: int, *descriptions: str):
        super().__init__(*descriptions)
        self.status, self.descriptions = status, descriptions


def _validation_messages(exc: ValidationError) -> list[str]:
    if not hasattr(exc, "error_dict"):
        return exc.messages
    return [message if field == "__all__" else f"{field}: {message}"
            for field, messages in exc.message_dict.items() for message in messages]


def open311_view(methods=("GET", "HEAD")):
    """Check the method and render Open311Error as the standard error body. The city comes from the URL
    (core's module switch answers `unavailable` for an unknown city or a switched-off module). Clients
    authenticate with api_key only: no CSRF token."""

    def decorator(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request, city: str, fmt: str = "xml", **kwargs):
            try:
                if request.method not in methods:
                    raise Open311Error(405, _("Method %(m)s is not allowed here.") % {"m": request.method})
                return view(request, request.city, fmt, **kwargs)
            except Open311Error as exc:
                errors = [{"code": exc.status, "description": text} for text in exc.descriptions]
                return render(errors, fmt, "errors", status=exc.status)

        return wrapper

    return decorator


# -- helpers -------------------------------------------------------------------------------------
def _when(value: datetime.datetime | None, zone: ZoneInfo) -> str | None:
    return value.astimezone(zone).isoformat(timespec="seconds") if value else None


def _status(state: str) -> str:
    return "closed" if state in CLOSED_STATES else "open"


def _base_url(request, city: City) -> str:
    return request.build_absolute_uri(reverse("open311:discovery", kwargs={"city": city.slug, "fmt": "xml"})
                                      ).removesuffix("discovery.xml")


def _service_notice(workflow: WorkflowDefinition) -> str:
    """What the city promises for a report of a category with this workflow, from its SLAs."""
    days = {s.name: s.sla_days for s in workflow_states(workflow, model=Complaint)}
    if days.get("submitted") and days.get("verified"):
        return _("Reports are verified within %(v)d working days; the department answers within %(a)d working "
                 "days after that.") % {"v": days["submitted"], "a": days["verified"]}
    return ""


def _period(request, zone: ZoneInfo) -> tuple[datetime.datetime, datetime.datetime]:
    """[start, end] from start_date/end_date: the last 90 days by default, never wider than 90 days."""

    def parse(name: str):
        raw = request.GET.get(name, "").strip()
        if not raw:
            return None
        try:
            value = datetime.datetime.fromisoformat(raw.replace(" ", "+"))  # an unescaped "+" arrives as " "
        except ValueError:
            raise Open311Error(400, _("%(name)s must be a date and time in W3C format, e.g. "
                                      "2026-11-28T00:00:00Z.") % {"name": name}) from None
        return value if timezone.is_aware(value) else value.replace(tzinfo=zone)

    start, end = parse("start_date"), parse("end_date")
    if end is None:
        end = start + WINDOW if start else timezone.now()
    if start is None:
        start = end - WINDOW
    if start > end:
        raise Open311Error(400, _("start_date must be before end_date."))
    if end - start > WINDOW:
        raise Open311Error(400, _("The period may not span more than 90 days."))
    return start, end


def _commas(request, name: str) -> list[str]:
    return [part.strip() for value in request.GET.getlist(name) for part in value.split(",") if part.strip()]


# -- discovery and services ----------------------------------------------------------------------
@open311_view()
def discovery(request, city: City, fmt: str):
    keys_page = request.build_absolute_uri(reverse("complaints:admin_keys", kwargs={"city": city.slug}))
    contact = ", ".join(filter(None, [city.name, city.contact_email, city.contact_phone]))
    return render({
        "changeset": CHANGESET, "contact": contact, "key_service": keys_page,
        "endpoints": [{"specification": SPECIFICATION, "url": _base_url(request, city), "changeset": CHANGESET,
                       "type": "production", "formats": ["text/xml", "application/json"]}],
    }, fmt, "discovery")


@open311_view()
def services(request, city: City, fmt: str):
    categories = ComplaintCategory.objects.filter(city=city, active=True).order_by("group", "name")
    return render([{"service_code": c.code, "service_name": c.name, "description": c.description,
                    "metadata": bool(c.questions), "type": "realtime", "keywords": c.keywords, "group": c.group}
                   for c in categories], fmt, "services")


DATATYPE_HINTS = {
    "string": gettext_lazy("One line of text."), "text": gettext_lazy("Text; may have several lines."),
    "number": gettext_lazy("A number, e.g. 12.5."),
    "datetime": gettext_lazy("A date and time in ISO 8601, e.g. 2026-11-28T09:30."),
    "singlevaluelist": gettext_lazy("One key from the values."),
    "multivaluelist": gettext_lazy("One or more keys from the values."),
}


def _category(city: City, code: str) -> ComplaintCategory:
    category = category_by_code(city, code)
    if category is None:
        raise Open311Error(404, _("service_code “%(c)s” not found.") % {"c": code})
    return category


@open311_view()
def service_definition(request, city: City, fmt: str, code: str):
    category = _category(city, code)
    attributes = []
    for order, question in enumerate(category.questions, 1):
        attribute = {"variable": True, "code": question["code"], "datatype": question["type"],
                     "required": bool(question.get("required")),
                     "datatype_description": question.get("help") or str(DATATYPE_HINTS[question["type"]]),
                     "order": order, "description": question["label"]}
        if "values" in question:
            attribute["values"] = [{"key": v["key"], "name": v["name"]} for v in question["values"]]
        attributes.append(attribute)
    return render({"service_code": category.code, "attributes": attributes}, fmt, "service_definition")


# -- service requests ----------------------------------------------------------------------------
REQUEST_FIELDS = ("tracking_number", "state", "status_notes", "description", "address", "lat", "lng", "created_at",
                  "updated_at", "due_at", "photo_id", "category_id", "category__code", "category__name",
                  "department__name", "village__code")


def _requests_rows(request, city: City, queryset) -> list[dict]:
    """The public reports as Open311 requests (one query for the rows, one for the categories' notices)."""
    zone = ZoneInfo(city.timezone)
    media = request.build_absolute_uri(reverse("open311:media", kwargs={"city": city.slug,
                                                                       "tracking": "X"})).removesuffix("X")
    rows = list(queryset.values(*REQUEST_FIELDS)[:LIMIT])
    notices = {}
    if rows:
        notices = {c.pk: _service_notice(c.workflow) for c in ComplaintCategory.objects.filter(
            city=city, pk__in={r["category_id"] for r in rows}).select_related("workflow").only("workflow__definition")}
    return [{
        "service_request_id": r["tracking_number"],
        "status": _status(r["state"]),
        "status_notes": r["status_notes"],
        "service_name": r["category__name"],
        "service_code": r["category__code"],
        "description": r["description"],
        "agency_responsible": r["department__name"],
        "service_notice": notices.get(r["category_id"], ""),
        "requested_datetime": _when(r["created_at"], zone),
        "updated_datetime": _when(r["updated_at"], zone),
        "expected_datetime": _when(r["due_at"], zone) if r["state"] in OPEN_STATES else None,
        "address": r["address"],
        "address_id": r["village__code"],
        "zipcode": None,
        "lat": r["lat"],
        "long": r["lng"],
        "media_url": media + r["tracking_number"] if r["photo_id"] else None,
    } for r in rows]


@open311_view(methods=("GET", "HEAD", "POST"))
def requests_(request, city: City, fmt: str):
    if request.method == "POST":
        return _request_create(request, city, fmt)
    queryset = public_complaints(city)
    ids = _commas(request, "service_request_id")
    if ids:  # overrides every other argument
        queryset = queryset.filter(tracking_number__in=[i.upper() for i in ids[:LIMIT]])
    else:
        start, end = _period(request, ZoneInfo(city.timezone))
        queryset = queryset.filter(created_at__gte=start, created_at__lte=end)
        codes = _commas(request, "service_code")
        if codes:
            queryset = queryset.filter(category__code__in=codes)
        statuses = set(_commas(request, "status"))
        if statuses - {"open", "closed"}:
            raise Open311Error(400, _("status must be open or closed."))
        if statuses == {"open"}:
            queryset = queryset.filter(state__in=OPEN_STATES)
        elif statuses == {"closed"}:
            queryset = queryset.filter(state__in=CLOSED_STATES)
    return render(_requests_rows(request, city, queryset.order_by("-created_at")), fmt, "service_requests")


@open311_view()
def request_detail(request, city: City, fmt: str, tracking: str):
    rows = _requests_rows(request, city, public_complaints(city).filter(tracking_number=tracking.strip().upper()))
    if not rows:
        raise Open311Error(404, _("service_request_id “%(id)s” not found.") % {"id": tracking})
    return render(rows, fmt, "service_requests")


@open311_view()
def token_detail(request, city: City, fmt: str, token: str):
    try:
        token = uuid.UUID(token)
    except ValueError:
        token = None
    tracking = token and Complaint.objects.filter(city=city, token=token).values_list("tracking_number",
                                                                                      flat=True).first()
    if tracking:
        return render([{"service_request_id": tracking, "token": str(token)}], fmt, "service_requests")
    if token and ComplaintIntake.objects.filter(city=city, token=token).exists():  # not filed yet: ask again
        return render([{"service_request_id": None, "token": str(token)}], fmt, "service_requests")
    raise Open311Error(404, _("token not found."))


def _location(request, city: City) -> dict:
    """lat/long, else address_string (placed at the kelurahan or kecamatan it names), else address_id
    (a kelurahan's Kemendagri code, e.g. 32.73.01.1001)."""
    post = request.POST
    lat, lng = post.get("lat", "").strip(), post.get("long", "").strip()
    address, address_id = post.get("address_string", "").strip(), post.get("address_id", "").strip()
    if bool(lat) != bool(lng):
        raise Open311Error(400, _("lat and long must be sent together."))
    if lat or address:
        return {"lat": lat or None, "lng": lng or None, "address": address}
    if address_id:
        village = (Village.objects.filter(city=city, code=address_id).exclude(lat=None)
                   .select_related("district").first())
        if village is None:
            raise Open311Error(400, _("address_id “%(a)s” is not a kelurahan code of %(city)s.")
                               % {"a": address_id, "city": city.name})
        return {"lat": village.lat, "lng": village.lng, "address": "", "village": village}
    raise Open311Error(400, _("A location is required: lat and long, address_string or address_id."))


def _attributes(request) -> dict:
    answers = {}
    for key in request.POST:
        match = ATTRIBUTE.match(key)
        if match:
            values = request.POST.getlist(key)
            answers[match.group(1)] = values if match.group(2) or len(values) > 1 else values[0]
    return answers


def _request_create(request, city: City, fmt: str):
    post = request.POST
    api_key = open311_key_find(city, (post.get("api_key") or request.GET.get("api_key", "")).strip())
    if api_key is None:
        raise Open311Error(403, _("Invalid api_key received -- can't proceed with create_request."))
    code = post.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, _("service_code was not provided."))
    category = _category(city, code)
    location = _location(request, city)
    name = " ".join(filter(None, [post.get("first_name", "").strip(), post.get("last_name", "").strip()]))
    photos = request.FILES.getlist("media")
    fields = dict(
        city=city, category=category, description=post.get("description", ""), **location,
        attributes=_attributes(request), reporter_name=name, reporter_email=post.get("email", ""),
        reporter_phone=post.get("phone", ""), device_id=post.get("device_id", "").strip(),
        source=Complaint.Source.OPEN311, api_key=api_key, client_ip=client_ip(request),
    )
    try:
        if _queued() and not photos:
            intake = complaint_intake(**fields)
            answer = {"token": str(intake.token)}
        else:
            complaint = complaint_create(**fields, photos=photos)
            answer = {"service_request_id": complaint.tracking_number, "token": str(complaint.token)}
    except ValidationError as exc:
        raise Open311Error(400, *_validation_messages(exc)) from None
    except RateLimited as exc:
        raise Open311Error(429, str(exc)) from None
    return render([{**answer, "service_notice": _service_notice(workflow_definition(category.workflow_id)),
                    "account_id": post.get("account_id", "").strip() or None}], fmt, "service_requests")


def _queued() -> bool:
    """Reports without photos are queued for a worker (answered with a token only) when tasks run on
    workers; without a broker, or with KOTAPINTAR_OPEN311_QUEUE=false, they are filed at once."""
    return settings.KOTAPINTAR_OPEN311_QUEUE and not settings.CELERY_TASK_ALWAYS_EAGER


# -- FixMyStreet extension: public updates ---------------------------------------------------------
@open311_view()
def request_updates(request, city: City, fmt: str):
    zone = ZoneInfo(city.timezone)
    start, end = _period(request, zone)
    media = request.build_absolute_uri(reverse("open311:media", kwargs={"city": city.slug,
                                                                       "tracking": "X"})).removesuffix("X")
    updates = (ComplaintUpdate.objects.filter(city=city, created_at__gte=start, created_at__lte=end, hidden=False,
                                              complaint__hidden=False)
               .exclude(kind=ComplaintUpdate.Kind.NOTE).exclude(state="unconfirmed")
               .exclude(complaint__state="unconfirmed")
               .exclude(complaint__visibility=Complaint.Visibility.CONFIDENTIAL)
               .order_by("created_at", "id")
               .values("id", "state", "text", "created_at", "photo_id", "complaint__tracking_number")[:LIMIT])
    return render([{
        "update_id": str(u["id"]),
        "service_request_id": u["complaint__tracking_number"],
        "status": _status(u["state"]),
        "updated_datetime": _when(u["created_at"], zone),
        "description": u["text"],
        "media_url": f"{media}{u['complaint__tracking_number']}/{u['id']}" if u["photo_id"] else None,
    } for u in updates], fmt, "service_request_updates")


# -- photos of public reports ----------------------------------------------------------------------
@csrf_exempt
def media(request, city: str, tracking: str, update: int | None = None):
    """A public report's photo (or the photo of one of its public updates), for `media_url`. Anything
    else (unknown, confidential, hidden, unconfirmed, another city's) is not found."""
    if request.method not in ("GET", "HEAD"):
        return render([{"code": 404, "description": _("Not found.")}], "xml", "errors", status=404)
    complaint = public_complaints(request.city).filter(tracking_number=tracking.upper()).only("id", "photo").first()
    document = None
    if complaint is not None and update is None:
        document = complaint.photo
    elif complaint is not None:
        found = (ComplaintUpdate.objects.filter(pk=update, complaint=complaint, hidden=False)
                 .exclude(kind=ComplaintUpdate.Kind.NOTE).select_related("photo").first())
        document = found and found.photo
    path = document_path(document) if document is not None and document.kind == "photo" else None
    if path is None or not path.exists():
        return render([{"code": 404, "description": _("Not found.")}], "xml", "errors", status=404)
    response = FileResponse(open(path, "rb"), content_type=document.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=300"
    return response


@csrf_exempt
def unavailable(request, message: str):
    """An unknown city or a switched-off complaints module (answered by core's module switch)."""
    fmt = "json" if request.path_info.endswith(".json") else "xml"
    return render([{"code": 404, "description": message}], fmt, "errors", status=404)


def not_found(request, city: str, rest: str = ""):
    fmt = "json" if rest.endswith(".json") else "xml"
    return render([{"code": 404, "description": _("There is no such Open311 resource.")}], fmt, "errors",
                  status=404)
