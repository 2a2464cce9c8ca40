import datetime
from zoneinfo import ZoneInfo

import pytest

from kotapintar.core.services.calendar import (
    add_working_days,
    city_day_off_add,
    is_working_day,
    national_holidays,
    working_days_between,
)
from kotapintar.core.testing import make_city

WIB, WITA = ZoneInfo("Asia/Jakarta"), ZoneInfo("Asia/Makassar")


@pytest.fixture
def bandung(db):
    return make_city("32.73", "bandung")


@pytest.fixture
def manado(db):
    return make_city("71.71", "manado")


def test_national_holidays_come_from_the_holidays_package():
    days = national_holidays(2026)
    assert datetime.date(2026, 8, 17) in days  # Hari Kemerdekaan
    assert datetime.date(2026, 12, 25) in days  # Hari Raya Natal


def test_weekends_and_holidays_are_not_working_days(bandung):
    assert is_working_day(bandung, datetime.date(2026, 12, 24))  # Thursday
    assert not is_working_day(bandung, datetime.date(2026, 12, 25))  # Christmas, Friday
    assert not is_working_day(bandung, datetime.date(2026, 12, 26))  # Saturday


def test_add_working_days_skips_weekend_and_holiday(bandung):
    start = datetime.datetime(2026, 12, 23, 14, 0, tzinfo=WIB)  # Wednesday
    # Thu 24 (1), Fri 25 Christmas, Sat, Sun, Mon 28 (2), Tue 29 (3)
    assert add_working_days(bandung, start, 3) == datetime.datetime(2026, 12, 29, 23, 59, 59, tzinfo=WIB)


def test_city_day_off_moves_the_deadline_only_in_that_city(bandung, manado):
    start = datetime.datetime(2026, 12, 23, 14, 0, tzinfo=WIB)
    city_day_off_add(city=bandung, date=datetime.date(2026, 12, 24), name="Cuti bersama Natal", actor=None)
    assert add_working_days(bandung, start, 1).date() == datetime.date(2026, 12, 28)
    assert add_working_days(manado, start, 1).date() == datetime.date(2026, 12, 24)


def test_days_are_counted_in_the_city_time_zone(bandung, manado):
    # Friday 23:30 WIB is already Saturday 00:30 in Manado (WITA).
    instant = datetime.datetime(2026, 11, 27, 23, 30, tzinfo=WIB)
    assert add_working_days(bandung, instant, 1) == datetime.datetime(2026, 11, 30, 23, 59, 59, tzinfo=WIB)
    assert add_working_days(manado, instant, 1) == datetime.datetime(2026, 11, 30, 23, 59, 59, tzinfo=WITA)
    assert add_working_days(bandung, instant, 1) != add_working_days(manado, instant, 1)


def test_working_days_between(bandung):
    a = datetime.datetime(2026, 12, 21, 9, tzinfo=WIB)  # Monday
    b = datetime.datetime(2026, 12, 31, 9, tzinfo=WIB)  # Thursday next week
    # 22, 23, 24, (25 holiday), 28, 29, 30, 31  -> 7
    assert working_days_between(bandung, a, b) == 7
    assert working_days_between(bandung, b, a) == -7
    assert working_days_between(bandung, a, a) == 0


def test_day_off_is_audited(bandung):
    city_day_off_add(city=bandung, date=datetime.date(2026, 6, 1), name="Hari jadi kota", actor=None)
    assert bandung.days_off.get().name == "Hari jadi kota"
    from kotapintar.core.models import AuditEntry

    assert AuditEntry.objects.filter(city=bandung, action="calendar.day_off_add").exists()
