from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from kotapintar.core import modules
from kotapintar.core import views as core_views


def module_urlpatterns() -> list:
    """Every registered module's URLs, mounted by core from its manifest: pages at `/<city>/<id>/`
    (namespace `<id>`), API at `/api/v1/cities/<city>/<id>/` (namespace `<id>-api`) and extra mounts at
    `/<city>/<prefix>` (their own namespace). CityModuleMiddleware switches all of them by namespace."""
    patterns = []
    for module in modules.REGISTRY.values():
        if module.api_urls:
            patterns.append(path(f"api/v1/cities/<slug:city>/{module.id}/",
                                 include((module.api_urls, f"{module.id}-api"))))
        if module.urls:
            patterns.append(path(f"<slug:city>/{module.id}/", include((module.urls, module.id))))
        for mount in module.mounts:
            patterns.append(path(f"<slug:city>/{mount.prefix}", include((mount.urls, mount.namespace))))
    return patterns


urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("documents/<uuid:token>/", core_views.document_download, name="document-download"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("api/v1/", include("kotapintar.core.api.urls", namespace="core-api")),
    *module_urlpatterns(),
    path("", include("kotapintar.core.urls")),
]
