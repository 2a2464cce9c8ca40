from django.urls import include, path
from rest_framework.routers import SimpleRouter

from kotapintar.core.api import views

app_name = "core-api"

router = SimpleRouter()
router.register("cities", views.CityViewSet, basename="city")
router.register("me/tokens", views.ApiTokenViewSet, basename="token-own")
city_router = SimpleRouter()
city_router.register("modules", views.ModuleViewSet, basename="module")
city_router.register("departments", views.DepartmentViewSet, basename="department")
city_router.register("districts", views.DistrictViewSet, basename="district")
city_router.register("memberships", views.MembershipViewSet, basename="membership")
city_router.register("audit", views.AuditEntryViewSet, basename="audit")
city_router.register("days-off", views.CityDayOffViewSet, basename="day-off")
city_router.register("workflows", views.WorkflowDefinitionViewSet, basename="workflow")

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("cities/<slug:city>/", include(city_router.urls)),
    *router.urls,
]
