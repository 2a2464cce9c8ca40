from kotapintar.announcements.models import Announcement
from kotapintar.core.models import City


def announcement_list(*, city: City, include_drafts: bool = False):
    qs = Announcement.objects.filter(city=city)
    return qs if include_drafts else qs.filter(published=True)
