from django.urls import path
from rest_framework.routers import SimpleRouter

from kotapintar.permits import reports
from kotapintar.permits.api import views

app_name = "permits-api"

router = SimpleRouter()
router.register("types", views.PermitTypeViewSet, basename="permit-type")
router.register("applications", views.ApplicationViewSet, basename="application")
urlpatterns = [
    path("status/", views.StatusView.as_view(), name="status"),
    path("reports/", reports.PermitReportView.as_view(), name="reports"),
    path("payments/<slug:gateway>/callback/", views.PaymentCallbackView.as_view(), name="payment-callback"),
    *router.urls,
]
