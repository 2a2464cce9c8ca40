from rest_framework import serializers

from kotapintar.announcements.models import Announcement


class AnnouncementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Announcement
        fields = ["id", "title", "body", "published", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]
