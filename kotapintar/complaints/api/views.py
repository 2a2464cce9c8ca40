"""The complaints REST API for the city's own apps: the same flows as the pages, each a thin call to a
service or a selector. Who sees what:

- a report's reporter and the city's complaint officials see it in full (with the reporter's contact);
- everyone else sees a public report without any personal data, and nothing of the others (404);
- the officials' list: verifiers, supervisors and administrators all of the city, officers their queue;
  a citizen's list is their own reports.
"""

import datetime
from zoneinfo import ZoneInfo

import django_filters
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DrfValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from kotapintar.complaints.api import serializers as s
from kotapintar.complaints.models import Complaint, ComplaintCategory, ServiceStandard
from kotapintar.complaints.selectors import (
    categories_of,
    complaint_by_tracking,
    complaint_stats,
    complaint_updates_for,
    complaints_nearby,
    public_complaints_filtered,
    public_updates,
    queue_for,
    service_catalogue,
)
from kotapintar.complaints.services import reports as svc
from kotapintar.complaints.services.categories import EDITABLE, category_save
from kotapintar.complaints.services.standards import FIELDS as STANDARD_FIELDS
from kotapintar.complaints.services.standards import service_standard_save
from kotapintar.complaints.workflow import COLOURS, OFFICIALS, OPEN_STATES, STATES, SUPERVISOR, VERIFIER
from kotapintar.core.api.permissions import CityScopedMixin
from kotapintar.core.http import client_ip
from kotapintar.core.models import Department
from kotapintar.core.selectors import user_has_role, user_roles

ADMINS = ("complaint_admin", "city_admin")
SEE_ALL = (VERIFIER, SUPERVISOR, *ADMINS)  # list every report of the city
STATE_CHOICES = [(state, STATES[state]) for state in COLOURS]


def _date_param(request, name: str, *, end: bool = False) -> datetime.datetime | None:
    """A date (YYYY-MM-DD, in the city's time zone; an end date counts in full) or an ISO date-time."""
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    zone = ZoneInfo(request.city.timezone)
    try:
        day = parse_date(raw)
        moment = None if day else parse_datetime(raw)
    except ValueError:
        moment = day = None
    if moment is not None:
        return moment if timezone.is_aware(moment) else moment.replace(tzinfo=zone)
    if day is None:
        raise DrfValidationError({name: [_("Give a date as YYYY-MM-DD.")]})
    if end:
        day += datetime.timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)


def _city_category(city, code: str, field: str = "category") -> ComplaintCategory:
    category = categories_of(city).filter(code=code).first()
    if category is None:
        raise ValidationError({field: [_("Choose one of this city's categories.")]})
    return category


# -- categories -----------------------------------------------------------------------------------
class CategoryViewSet(CityScopedMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
                      viewsets.ReadOnlyModelViewSet):
    """What a citizen can report, with each category's extra questions (public). Complaint and city
    administrators define categories; the code never changes (it is also the Open311 service_code)."""

    queryset = ComplaintCategory.objects.none()
    lookup_field = "code"
    write_roles = ADMINS
    pagination_class = None
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self):
        if self.request.method in ("GET", "HEAD", "OPTIONS"):
            return s.ComplaintCategorySerializer
        return s.ComplaintCategoryWriteSerializer

    def get_city_queryset(self, city):
        administrator = user_has_role(self.request.user, city, *ADMINS)
        return categories_of(city, active_only=not administrator).order_by("group", "name")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = category_save(city=self.request.city, actor=self.request.user, code=data.pop("code"),
                                            **data)

    def perform_update(self, serializer):
        category, data = serializer.instance, serializer.validated_data
        fields = {field: data.get(field, getattr(category, field)) for field in EDITABLE}
        serializer.instance = category_save(city=self.request.city, actor=self.request.user, code=category.code,
                                            instance=category, **fields)


# -- reports --------------------------------------------------------------------------------------
class ComplaintFilterSet(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=STATE_CHOICES)
    category = django_filters.CharFilter(field_name="category__code", help_text="Category code.")
    department = django_filters.CharFilter(field_name="department__code", help_text="Department code.")
    district = django_filters.CharFilter(field_name="district__code", help_text="Kecamatan code.")
    overdue = django_filters.BooleanFilter(method="filter_overdue", help_text="Open and past its deadline.")

    class Meta:
        model = Complaint
        fields = ["state", "category", "department", "district", "overdue"]

    def filter_overdue(self, queryset, name, value):
        late = {"state__in": OPEN_STATES, "due_at__lt": timezone.now()}
        return queryset.filter(**late) if value else queryset.exclude(**late)


class ReportViewSet(CityScopedMixin, viewsets.GenericViewSet):
    """Reports. Anyone files one (without an account: with an e-mail address, confirmed by the link sent
    there); the reporter follows, adds information, closes or reopens and rates it; officials verify,
    assign, reply, resolve, merge duplicates and moderate."""

    queryset = Complaint.objects.none()
    serializer_class = s.ComplaintSerializer
    filterset_class = ComplaintFilterSet
    lookup_field = "tracking_number"
    lookup_url_kwarg = "tracking"
    lookup_value_regex = r"[A-Za-z0-9-]+"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_permissions(self):
        public = self.action in ("create", "retrieve", "confirm") or (
            self.action == "comments" and self.request.method == "GET")
        return [AllowAny()] if public else [IsAuthenticated()]

    def get_city_queryset(self, city):
        user = self.request.user
        qs = (Complaint.objects.filter(city=city)
              .select_related("category", "department", "district", "assigned_to").order_by("-created_at", "-pk"))
        if self.request.query_params.get("mine") in ("1", "true"):
            return qs.filter(reporter=user)
        roles = user_roles(user, city)
        if roles & set(SEE_ALL):
            return qs
        if "complaint_officer" in roles:
            return queue_for(city=city, user=user)
        return qs.filter(reporter=user)

    def get_object(self):
        complaint = complaint_by_tracking(self.request.city, self.kwargs[self.lookup_url_kwarg])
        if complaint is None:
            raise Http404
        return complaint

    def _full_view(self, complaint) -> bool:
        user = self.request.user
        own = complaint.reporter_id is not None and complaint.reporter_id == user.pk
        return own or user_has_role(user, complaint.city, *OFFICIALS)

    def _visible_object(self):
        """The report if the caller may see it (in full or, for a public report, the public view)."""
        complaint = self.get_object()
        if not self._full_view(complaint) and not complaint.is_public:
            raise Http404
        return complaint

    def _report(self, complaint, code=status.HTTP_200_OK) -> Response:
        complaint = complaint_by_tracking(self.request.city, complaint.tracking_number)
        if self._full_view(complaint):
            return Response(s.ComplaintSerializer(complaint, context={"request": self.request}).data, status=code)
        if not complaint.is_public:
            return Response(s.ComplaintReceiptSerializer(complaint).data, status=code)
        return Response(s.ComplaintPublicDetailSerializer(complaint).data, status=code)

    @extend_schema(parameters=[OpenApiParameter("mine", bool, description="Only the reports I filed.")],
                   responses=s.ComplaintListSerializer(many=True))
    def list(self, request, city):
        """Officials: the city's reports (officers: their queue); citizens: their own. Not for anonymous."""
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(s.ComplaintListSerializer(page, many=True).data)

    @extend_schema(request={"application/json": s.ComplaintCreateSerializer,
                            "multipart/form-data": s.ComplaintCreateSerializer},
                   responses={201: s.ComplaintSerializer, 429: OpenApiTypes.OBJECT})
    def create(self, request, city):
        """File a report. Signed in: submitted at once. Without an account: `email` is required, the report
        stays unconfirmed until the link sent there is opened. Too many reports from one source: 429."""
        body = s.ComplaintCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        complaint = svc.complaint_create(
            city=request.city, category=_city_category(request.city, data["category"]),
            description=data["description"], lat=data.get("lat"), lng=data.get("lng"), address=data["address"],
            attributes=data["attributes"], visibility=data["visibility"], reporter=request.user,
            reporter_name=data["name"], reporter_email=data["email"], reporter_phone=data["phone"],
            device_id=data["device_id"], photos=data["photos"], source=Complaint.Source.API,
            client_ip=client_ip(request))
        if not complaint.reporter_id:  # no account: the filer gets the number, not a way to read it back
            return Response(s.ComplaintReceiptSerializer(complaint).data, status=status.HTTP_201_CREATED)
        return self._report(complaint, status.HTTP_201_CREATED)

    @extend_schema(responses=s.ComplaintSerializer)
    def retrieve(self, request, city, tracking):
        """The reporter and officials: the full report. Others: the public view of a public report (no
        personal data: fields `reporter`, `attributes`, `actions`... absent), or 404."""
        return self._report(self._visible_object())

    @extend_schema(request=s.ComplaintActionSerializer, responses=s.ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def act(self, request, city, tracking):
        """A workflow action: verify, reject, forward, start, resolve (officials); close, reopen (the
        reporter). 400: impossible action or missing comment; 403: not your role; 409: moved meanwhile."""
        body = s.ComplaintActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        complaint = svc.complaint_act(complaint=self.get_object(), actor=request.user, **body.validated_data)
        return self._report(complaint)

    @extend_schema(request=s.ComplaintAssignSerializer, responses=s.ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, city, tracking):
        """Route to a department (by code) and/or a person (by username)."""
        complaint = self.get_object()
        body = s.ComplaintAssignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        department = assignee = None
        if body.validated_data["department"]:
            department = Department.objects.filter(city=request.city, code=body.validated_data["department"]).first()
            if department is None:
                raise ValidationError({"department": [_("Choose a department of this city.")]})
        if body.validated_data["username"]:
            assignee = get_user_model().objects.filter(username=body.validated_data["username"]).first()
            if assignee is None:
                raise ValidationError({"username": [_("No such account.")]})
        complaint = svc.complaint_assign(complaint=complaint, actor=request.user, department=department,
                                         assignee=assignee)
        return self._report(complaint)

    @extend_schema(methods=["GET"], responses=s.ComplaintUpdateSerializer(many=True))
    @extend_schema(methods=["POST"], request={"application/json": s.ComplaintCommentSerializer,
                                              "multipart/form-data": s.ComplaintCommentSerializer},
                   responses={201: s.ComplaintUpdateSerializer})
    @action(detail=True, methods=["get", "post"])
    def comments(self, request, city, tracking):
        """GET: the report's messages as the caller may see them (the public: replies, status changes and
        the reporter's additions, without authors). POST (officials): a public reply or an internal note."""
        if request.method == "GET":
            complaint = self._visible_object()
            if user_has_role(request.user, complaint.city, *OFFICIALS):
                updates = complaint_updates_for(complaint, request.user)
            else:
                updates = public_updates(complaint).select_related("author")
            full = self._full_view(complaint)
            serializer = s.ComplaintUpdateSerializer if full else s.ComplaintUpdatePublicSerializer
            return Response(serializer(updates, many=True, context={"complaint": complaint}).data)
        complaint = self.get_object()
        body = s.ComplaintCommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        update = svc.complaint_comment(complaint=complaint, actor=request.user, **body.validated_data)
        return Response(s.ComplaintUpdateSerializer(update, context={"complaint": complaint}).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request={"application/json": s.ComplaintInfoSerializer,
                            "multipart/form-data": s.ComplaintInfoSerializer},
                   responses={201: s.ComplaintUpdateSerializer})
    @action(detail=True, methods=["post"])
    def info(self, request, city, tracking):
        """The reporter adds information and/or a photo."""
        complaint = self.get_object()
        body = s.ComplaintInfoSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        update = svc.complaint_add_info(complaint=complaint, actor=request.user, **body.validated_data)
        return Response(s.ComplaintUpdateSerializer(update, context={"complaint": complaint}).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ComplaintMergeSerializer, responses=s.ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request, city, tracking):
        """Close this report as a duplicate of another (verifiers, supervisors)."""
        complaint = self.get_object()
        body = s.ComplaintMergeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        into = complaint_by_tracking(request.city, body.validated_data["into"])
        if into is None:
            raise ValidationError({"into": [_("No report with this number in this city.")]})
        return self._report(svc.complaint_merge(complaint=complaint, into=into, actor=request.user))

    @extend_schema(request=s.ComplaintModerateSerializer, responses=s.ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def moderate(self, request, city, tracking):
        """Hide (or show again) the report or one of its messages from the public, with a reason."""
        complaint = self.get_object()
        body = s.ComplaintModerateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        update = None
        if "update" in data:
            update = complaint.updates.filter(pk=data.pop("update")).first()
            if update is None:
                raise ValidationError({"update": [_("This report has no such message.")]})
        svc.complaint_moderate(complaint=complaint, actor=request.user, update=update, **data)
        return self._report(complaint)

    @extend_schema(request=None, responses=s.ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def support(self, request, city, tracking):
        """"Me too": back an open public report instead of filing a duplicate (signed in)."""
        complaint = self._visible_object()
        return self._report(svc.complaint_support(complaint=complaint, user=request.user))

    @extend_schema(request=s.ComplaintRateSerializer, responses=s.ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def rate(self, request, city, tracking):
        """The reporter rates the handling (1–5) once the report is resolved."""
        complaint = self.get_object()
        body = s.ComplaintRateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._report(svc.complaint_rate(complaint=complaint, actor=request.user, **body.validated_data))

    @extend_schema(request=s.ComplaintConfirmSerializer, responses=s.ComplaintReceiptSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, city, tracking):
        """Confirm a report filed without an account, with the code of the e-mailed link (403 if wrong)."""
        complaint = self.get_object()
        body = s.ComplaintConfirmSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        complaint = svc.complaint_confirm(complaint=complaint, code=body.validated_data["code"])
        return Response(s.ComplaintReceiptSerializer(complaint).data)


# -- public ---------------------------------------------------------------------------------------
class PublicReportListView(generics.ListAPIView):
    """The public list (and map data) of the city's reports: no personal data, newest first."""

    permission_classes = [AllowAny]
    serializer_class = s.ComplaintPublicListSerializer
    filter_backends = []

    @extend_schema(parameters=[
        OpenApiParameter("category", str, description="Category code."),
        OpenApiParameter("state", str, description="A state, or `open` / `closed`."),
        OpenApiParameter("district", str, description="Kecamatan code."),
        OpenApiParameter("start", OpenApiTypes.DATE, description="Filed on or after (YYYY-MM-DD)."),
        OpenApiParameter("end", OpenApiTypes.DATE, description="Filed on or before (YYYY-MM-DD)."),
    ])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = self.request.query_params
        state = params.get("state", "").strip()
        if state and state not in COLOURS and state not in ("open", "closed"):
            raise DrfValidationError({"state": [_("Unknown state.")]})
        return public_complaints_filtered(
            self.request.city, category=params.get("category", "").strip(), state=state,
            district=params.get("district", "").strip(), start=_date_param(self.request, "start"),
            end=_date_param(self.request, "end", end=True))


class NearbyView(APIView):
    """Open public reports within 50 m of a point, nearest first: support one instead of filing a
    duplicate."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[OpenApiParameter("lat", float, required=True),
                               OpenApiParameter("lng", float, required=True),
                               OpenApiParameter("category", str, description="Category code.")],
                   responses=s.ComplaintNearbySerializer(many=True))
    def get(self, request, city):
        from kotapintar.core import geo

        lat, lng = geo.point_parse(request.query_params.get("lat"), request.query_params.get("lng"))
        code = request.query_params.get("category", "").strip()
        category = _city_category(request.city, code) if code else None
        found = complaints_nearby(request.city, lat, lng, metres=svc.NEARBY_METRES, category=category)
        return Response(s.ComplaintNearbySerializer(found, many=True).data)


class StatsView(APIView):
    """Public statistics of the reports filed in a period (default: the last 365 days)."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[OpenApiParameter("start", OpenApiTypes.DATE),
                               OpenApiParameter("end", OpenApiTypes.DATE)],
                   responses=s.ComplaintStatsSerializer)
    def get(self, request, city):
        end = _date_param(request, "end", end=True) or timezone.now()
        start = _date_param(request, "start") or end - datetime.timedelta(days=365)
        if start >= end:
            raise DrfValidationError({"start": [_("The start must be before the end.")]})
        stats = complaint_stats(request.city, start=start, end=end)
        return Response(s.ComplaintStatsSerializer({"start": start, "end": end, **vars(stats)}).data)


class ServiceCatalogueView(APIView):
    """The city's public service standards (standar pelayanan): the entries of every module switched on
    (its own service standards, the permit types of the permits module, ...)."""

    permission_classes = [AllowAny]

    @extend_schema(responses=s.ServiceCatalogueEntrySerializer(many=True))
    def get(self, request, city):
        channel = svc.public_url(reverse("complaints:new", kwargs={"city": request.city.slug}))
        entries = service_catalogue(request.city, complaint_channel=channel, language=request.LANGUAGE_CODE)
        return Response(s.ServiceCatalogueEntrySerializer(entries, many=True).data)


class ServiceStandardViewSet(CityScopedMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
                            viewsets.ReadOnlyModelViewSet):
    """The city's service standards as its administrators keep them (published or not). Unpublish with
    `active: false`; the public reads them through services/."""

    queryset = ServiceStandard.objects.none()
    serializer_class = s.ServiceStandardSerializer
    lookup_field = "code"
    read_roles = ADMINS
    write_roles = ADMINS
    pagination_class = None
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_city_queryset(self, city):
        return ServiceStandard.objects.filter(city=city).select_related("department")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = service_standard_save(city=self.request.city, actor=self.request.user,
                                                    code=data.pop("code"), **data)

    def perform_update(self, serializer):
        standard, data = serializer.instance, dict(serializer.validated_data)
        fields = {field: data[field] for field in STANDARD_FIELDS if field in data}
        serializer.instance = service_standard_save(
            city=self.request.city, actor=self.request.user, code=standard.code, instance=standard,
            department=data.get("department", standard.department), **fields)

