from django.contrib.auth import get_user_model
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DrfValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from kotapintar.core.api.permissions import CityScopedMixin
from kotapintar.core.selectors import user_has_role
from kotapintar.core.workflow import actions_for, state_label, timeline
from kotapintar.permits.api.serializers import (
    ActionSerializer,
    ApplicationSerializer,
    AssignSerializer,
    DocumentUploadSerializer,
    HistorySerializer,
    PermitTypeSerializer,
    PermitTypeWriteSerializer,
    RevokeSerializer,
    StatusSerializer,
    SurveySerializer,
)
from kotapintar.permits.models import Permit, PermitApplication, PermitType
from kotapintar.permits.selectors import application_by_registration, permit_type_catalogue
from kotapintar.permits.services import applications as svc
from kotapintar.permits.services.issuance import permit_revoke
from kotapintar.permits.services.payments import payment_callback_process
from kotapintar.permits.services.surveys import survey_submit
from kotapintar.permits.services.types import permit_type_save

OFFICIALS = svc.OFFICIAL_ROLES


class PermitTypeViewSet(CityScopedMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
                        viewsets.ReadOnlyModelViewSet):
    """The city's permit catalogue (public). Permit administrators define types without code; every
    definition is validated (form, documents, fee formula, number format, workflow) before it is saved."""

    queryset = PermitType.objects.none()
    lookup_field = "code"
    write_roles = ("permit_admin", "city_admin")
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self):
        return PermitTypeSerializer if self.request.method in ("GET", "HEAD", "OPTIONS") else PermitTypeWriteSerializer

    def get_city_queryset(self, city):
        if self.request.method not in ("GET", "HEAD", "OPTIONS"):
            return PermitType.objects.filter(city=city)
        return permit_type_catalogue(city=city)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = permit_type_save(city=self.request.city, actor=self.request.user,
                                   code=data.pop("code"), **data)

    def perform_update(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k != "code"}
        serializer.instance = permit_type_save(city=self.request.city, actor=self.request.user,
                                   code=serializer.instance.code, instance=serializer.instance, **data)


class ApplicationViewSet(CityScopedMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
                         viewsets.ReadOnlyModelViewSet):
    """Applications: applicants see and change their own; permit officials see all of the city's."""

    serializer_class = ApplicationSerializer
    queryset = PermitApplication.objects.none()
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "post", "patch", "head", "options"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_city_queryset(self, city):
        qs = (PermitApplication.objects.filter(city=city)
              .select_related("permit_type", "applicant", "workflow", "invoice", "permit__document"))
        if user_has_role(self.request.user, city, *OFFICIALS):
            return qs.order_by("due_at", "pk")
        return qs.filter(applicant=self.request.user).order_by("-created_at")

    def perform_create(self, serializer):
        serializer.instance = svc.application_create(permit_type=serializer.validated_data["permit_type"],
                                   applicant=self.request.user, data=serializer.validated_data.get("data", {}))

    def perform_update(self, serializer):
        serializer.instance = svc.application_update(application=serializer.instance,
                                   actor=self.request.user, data=serializer.validated_data.get("data", {}))

    @extend_schema(request={"multipart/form-data": DocumentUploadSerializer}, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def documents(self, request, city, pk=None):
        """Upload one required document (checked by content and size)."""
        application = self.get_object()
        upload = DocumentUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        svc.application_document_add(application=application, actor=request.user,
             key=upload.validated_data["key"], file=upload.validated_data["file"])
        return Response(self.get_serializer(application).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, city, pk=None):
        """Submit a draft, or resubmit after completing a return."""
        application = svc.application_submit(application=self.get_object(), actor=request.user)
        return Response(self.get_serializer(application).data)

    @extend_schema(request=ActionSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def act(self, request, city, pk=None):
        """An official's action: verify, return (with return_fields), inspect, approve, reject..."""
        body = ActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        application = svc.application_act(application=self.get_object(), actor=request.user,
                           **body.validated_data)
        return Response(self.get_serializer(application).data)

    @extend_schema(request=AssignSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def claim(self, request, city, pk=None):
        """Take the item yourself, or (head of licensing) assign it with {"username": ...}."""
        body = AssignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        assignee = None
        if body.validated_data.get("username"):
            assignee = get_user_model().objects.filter(username=body.validated_data["username"]).first()
            if assignee is None:
                raise DrfValidationError({"username": ["No such account."]})
        application = svc.application_claim(application=self.get_object(), actor=request.user,
                           assignee=assignee)
        return Response(self.get_serializer(application).data)

    @extend_schema(responses=HistorySerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, city, pk=None):
        """The timeline: every action with what happened, its role, comment and time."""
        application = self.get_object()
        return Response(HistorySerializer(timeline(application), many=True).data)

    @extend_schema(responses={200: {"type": "array", "items": {"type": "string"}}})
    @action(detail=True, methods=["get"])
    def actions(self, request, city, pk=None):
        """The actions the signed-in person may take now."""
        application = self.get_object()
        return Response([a.action for a in actions_for(application, request.user)])

    @extend_schema(request=RevokeSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, city, pk=None):
        """Revoke the issued permit (head of licensing), with the reason shown on the verification page."""
        application = self.get_object()
        body = RevokeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        permit = Permit.objects.filter(application=application).first()
        if permit is None:
            raise Http404
        permit_revoke(permit=permit, actor=request.user, reason=body.validated_data["reason"])
        return Response(self.get_serializer(application).data)

    @extend_schema(request=SurveySerializer, responses=None)
    @action(detail=True, methods=["post"])
    def survey(self, request, city, pk=None):
        """The IKM satisfaction survey, once, after the application is decided."""
        body = SurveySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        survey_submit(application=self.get_object(), actor=request.user, **body.validated_data)
        return Response(status=status.HTTP_201_CREATED)


class StatusView(APIView):
    """Public status lookup by registration number: no personal data."""

    permission_classes = [AllowAny]

    @extend_schema(responses=StatusSerializer, parameters=[OpenApiParameter("number", str, required=True)])
    def get(self, request, city):
        application = application_by_registration(city=request.city, number=request.query_params.get("number", ""))
        if application is None:
            raise Http404
        return Response(StatusSerializer({
            "registration_number": application.registration_number, "permit_type": application.permit_type.name,
            "state": application.state, "state_label": state_label(application),
            "submitted_at": application.submitted_at, "due_at": application.due_at,
        }).data)


class PaymentCallbackView(APIView):
    """Callback of a payment gateway (HMAC-signed, idempotent). Authenticated by its signature."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(request=None, responses=None)
    def post(self, request, city, gateway):
        result = payment_callback_process(city=request.city, gateway_name=gateway, body=request.body,
                                          headers=request.headers)
        return Response(result.body, status=result.status)
