from rest_framework import viewsets

from kotapintar.announcements.api.serializers import AnnouncementSerializer
from kotapintar.announcements.models import Announcement
from kotapintar.announcements.selectors import announcement_list
from kotapintar.announcements.services import EDITORS, announcement_create, announcement_delete, announcement_update
from kotapintar.core.api.permissions import CityScopedMixin
from kotapintar.core.selectors import user_has_role


class AnnouncementViewSet(CityScopedMixin, viewsets.ModelViewSet):
    """Public announcements of the city; communications officers write them (drafts are theirs only)."""

    serializer_class = AnnouncementSerializer
    queryset = Announcement.objects.none()
    write_roles = EDITORS

    def get_city_queryset(self, city):
        editor = user_has_role(self.request.user, city, *EDITORS)
        return announcement_list(city=city, include_drafts=editor)

    def perform_create(self, serializer):
        serializer.instance = announcement_create(city=self.request.city, actor=self.request.user,
                                                  **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = announcement_update(announcement=serializer.instance, actor=self.request.user,
                                                  **serializer.validated_data)

    def perform_destroy(self, instance):
        announcement_delete(announcement=instance, actor=self.request.user)
