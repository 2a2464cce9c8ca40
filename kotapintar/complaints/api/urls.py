from django.urls import path
from rest_framework.routers import SimpleRouter

from kotapintar.complaints.api import views

app_name = "complaints-api"

router = SimpleRouter()
router.register("categories", views.CategoryViewSet, basename="category")
router.register("reports", views.ReportViewSet, basename="report")
router.register("standards", views.ServiceStandardViewSet, basename="standard")
urlpatterns = [
    path("public/reports/", views.PublicReportListView.as_view(), name="public-report-list"),
    path("nearby/", views.NearbyView.as_view(), name="nearby"),
    path("stats/", views.StatsView.as_view(), name="stats"),
    path("services/", views.ServiceCatalogueView.as_view(), name="services"),
    *router.urls,
]
