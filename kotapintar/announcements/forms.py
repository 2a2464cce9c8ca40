from django import forms

from kotapintar.announcements.models import Announcement


class AnnouncementForm(forms.ModelForm):
    class Meta:
        model = Announcement
        fields = ["title", "body", "published"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}
