from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from kotapintar.core import views as core_views

city_api = "api/v1/cities/<slug:city>/"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("documents/<uuid:token>/", core_views.document_download, name="document-download"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("api/v1/", include("kotapintar.core.api.urls", namespace="core-api")),
    path(city_api, include("kotapintar.announcements.api.urls", namespace="announcements-api")),
    path(city_api, include("kotapintar.permits.api.urls", namespace="permits-api")),
    path(city_api, include("kotapintar.complaints.api.urls", namespace="complaints-api")),
    path("<slug:city>/announcements/", include("kotapintar.announcements.urls")),
    path("<slug:city>/permits/", include("kotapintar.permits.urls")),
    path("<slug:city>/complaints/", include("kotapintar.complaints.urls")),
    path("<slug:city_slug>/open311/v2/", include("kotapintar.complaints.open311_urls")),
    path("", include("kotapintar.core.urls")),
]
