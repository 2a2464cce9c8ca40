from rest_framework.routers import SimpleRouter

from kotapintar.announcements.api.views import AnnouncementViewSet

app_name = "announcements-api"

router = SimpleRouter()
router.register("", AnnouncementViewSet, basename="announcement")
urlpatterns = router.urls
