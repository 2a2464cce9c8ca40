"""Open311 GeoReport v2 at /<city>/open311/v2/ (see open311.py). Every resource ends in .xml or .json."""

from django.urls import path, re_path

from kotapintar.complaints import open311

app_name = "open311"
FMT = r"\.(?P<fmt>xml|json)$"

urlpatterns = [
    re_path(r"^discovery" + FMT, open311.discovery, name="discovery"),
    re_path(r"^services" + FMT, open311.services, name="services"),
    re_path(r"^services/(?P<code>[^/]+)" + FMT, open311.service_definition, name="service"),
    re_path(r"^requests" + FMT, open311.requests_, name="requests"),
    re_path(r"^requests/(?P<tracking>[^/]+)" + FMT, open311.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[^/]+)" + FMT, open311.token_detail, name="token"),
    re_path(r"^servicerequestupdates" + FMT, open311.request_updates, name="updates"),
    path("media/<str:tracking>", open311.media, name="media"),
    path("media/<str:tracking>/<int:update>", open311.media, name="update-media"),
    re_path(r"^(?P<rest>.*)$", open311.not_found),
]
