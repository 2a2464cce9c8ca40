"""Working-day calendar per city: Monday-Friday minus Indonesia's national holidays (from the
`holidays` package) and the city's own days off, counted in the city's time zone."""

import datetime
from bisect import bisect_right
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from kotapintar.core.models import City, CityDayOff
from kotapintar.core.services.audit import audit_record

# A city's own days off are read for every deadline (each report filed, each workflow step) and change a
# few times a year: they are cached like cities (kotapintar.core.selectors), and forgotten when one changes.
DAYS_OFF_SECONDS = 60


@lru_cache(maxsize=64)
def national_holidays(year: int) -> dict[datetime.date, str]:
    return dict(holidays.country_holidays("ID", years=year, language="id"))


def city_days_off(city: City) -> dict[datetime.date, str]:
    """All of the city's own days off. Cached only when read outside a transaction, so that a day off
    added in a transaction that is then rolled back is never cached."""
    key = f"kp:daysoff:{city.pk}"
    found = cache.get(key)
    if found is None:
        found = dict(CityDayOff.objects.filter(city=city).values_list("date", "name"))
        if not connection.in_atomic_block:
            cache.set(key, found, DAYS_OFF_SECONDS)
    return found


@receiver([post_save, post_delete], sender=CityDayOff, dispatch_uid="kp_days_off_cache")
def _days_off_changed(sender, instance, **kwargs) -> None:
    key = f"kp:daysoff:{instance.city_id}"
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def days_off(city: City, start: datetime.date, end: datetime.date) -> dict[datetime.date, str]:
    """National holidays and city days off between start and end (inclusive)."""
    result = {}
    for year in range(start.year, end.year + 1):
        result.update({d: n for d, n in national_holidays(year).items() if start <= d <= end})
    result.update({d: n for d, n in city_days_off(city).items() if start <= d <= end})
    return result


def is_working_day(city: City, day: datetime.date, off: dict | None = None) -> bool:
    off = days_off(city, day, day) if off is None else off
    return day.weekday() < 5 and day not in off


def add_working_days(city: City, start: datetime.datetime, days: int) -> datetime.datetime:
    """The instant `days` working days after `start`: the end of that working day in the city.

    A submission at any time on day D with an SLA of N days is due at 23:59:59 of the N-th working
    day after D, in the city's time zone.
    """
    tz = ZoneInfo(city.timezone)
    day = start.astimezone(tz).date()
    off = days_off(city, day, day + datetime.timedelta(days=days * 3 + 30))
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(city, day, off):
            remaining -= 1
    return datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=tz)


def working_day_counter(city: City, first: datetime.date, last: datetime.date):
    """`count(a, b)` = working days after day a up to and including day b (negative when b is before
    a), for days within first..last, with one look-up of the city's days off: for counting many
    intervals at once (reports)."""
    off = days_off(city, first, last)
    days, day = [], first
    while day <= last:
        if is_working_day(city, day, off):
            days.append(day)
        day += datetime.timedelta(days=1)
    return lambda a, b: bisect_right(days, b) - bisect_right(days, a)


def working_days_between(city: City, start: datetime.datetime, end: datetime.datetime) -> int:
    """Working days after the day of `start` up to and including the day of `end` (city time).

    Negative when end is before start. Same day gives 0.
    """
    tz = ZoneInfo(city.timezone)
    a, b = start.astimezone(tz).date(), end.astimezone(tz).date()
    return working_day_counter(city, min(a, b), max(a, b))(a, b)


def city_day_off_add(*, city: City, date: datetime.date, name: str, actor) -> CityDayOff:
    with transaction.atomic():
        day_off, _ = CityDayOff.objects.update_or_create(city=city, date=date, defaults={"name": name})
        audit_record(city=city, actor=actor, action="calendar.day_off_add", target=day_off,
                     data={"date": date.isoformat(), "name": name})
    return day_off


def city_day_off_remove(*, city: City, date: datetime.date, actor) -> None:
    with transaction.atomic():
        deleted, _ = CityDayOff.objects.filter(city=city, date=date).delete()
        if deleted:
            audit_record(city=city, actor=actor, action="calendar.day_off_remove", data={"date": date.isoformat()})
