"""What the announcements module provides to the platform (declared in apps.py): one indicator. It has
no map layers, no public services and no configuration another city could adopt."""

from django.utils.translation import gettext_lazy

from kotapintar.announcements.selectors import announcement_list
from kotapintar.core.indicators import period_bounds
from kotapintar.core.models import City
from kotapintar.core.providers import Indicator, Period


def indicators(city: City, period: Period) -> list[Indicator]:
    start, end = period_bounds(city, period)
    published = announcement_list(city=city).filter(created_at__gte=start, created_at__lt=end).count()
    return [Indicator("announcements.published", gettext_lazy("Announcements published"), published, "count",
                      period, "neither")]
