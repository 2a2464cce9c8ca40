from django.urls import path
from rest_framework.routers import SimpleRouter

from kotapintar.complaints.api import views

app_name = "complaints-api"

router = SimpleRouter()
router.register("complaints/categories", views.CategoryViewSet, basename="category")
router.register("complaints/reports", views.ReportViewSet, basename="report")
router.register("complaints/standards", views.ServiceStandardViewSet, basename="standard")
urlpatterns = [
    path("complaints/public/reports/", views.PublicReportListView.as_view(), name="public-report-list"),
    path("complaints/nearby/", views.NearbyView.as_view(), name="nearby"),
    path("complaints/stats/", views.StatsView.as_view(), name="stats"),
    path("complaints/services/", views.ServiceCatalogueView.as_view(), name="services"),
    *router.urls,
]
