"""What every module switched on in a city provides, collected without a request or a signed-in user:
the city's indicators for a period (the command-centre wall, the cross-city benchmarks), its map layers
and its public service catalogue. Each module's provider is declared in its manifest
(kotapintar.core.modules.Module); core never imports a module."""

import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from kotapintar.core import modules
from kotapintar.core.models import City
from kotapintar.core.providers import CatalogueEntry, Indicator, MapLayer, Period
from kotapintar.core.selectors import module_is_active


def _active(city: City, kind: str):
    return [(module, provider) for module, provider in modules.providers(kind) if module_is_active(city, module.id)]


def month_period(city: City, day: datetime.date | None = None) -> Period:
    """The calendar month of `day` (today in the city's time zone when None)."""
    day = day or timezone.now().astimezone(ZoneInfo(city.timezone)).date()
    start = day.replace(day=1)
    end = (start + datetime.timedelta(days=32)).replace(day=1)
    return Period(start, end, start.strftime("%Y-%m"))


def period_bounds(city: City, period: Period) -> tuple[datetime.datetime, datetime.datetime]:
    """[first instant, first instant after) of the period in the city's time zone, as aware datetimes."""
    tz = ZoneInfo(city.timezone)
    return (datetime.datetime.combine(period.start, datetime.time.min, tzinfo=tz),
            datetime.datetime.combine(period.end, datetime.time.min, tzinfo=tz))


def city_indicators(city: City, period: Period) -> list[Indicator]:
    return [indicator for _module, provide in _active(city, "indicators") for indicator in provide(city, period)]


def city_map_layers(city: City) -> list[MapLayer]:
    return [layer for _module, provide in _active(city, "map_layers") for layer in provide(city)]


def catalogue_entries(city: City, language: str = "id") -> list[CatalogueEntry]:
    """The public service catalogue: every module's entries, by name."""
    entries = [entry for _module, provide in _active(city, "catalogue") for entry in provide(city, language)]
    return sorted(entries, key=lambda e: e.name.lower())
