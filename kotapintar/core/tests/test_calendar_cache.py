"""The city's days off are cached outside transactions (one query less per deadline): a change must
still move the next deadline at once, however it is made."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from kotapintar.core.models import CityDayOff
from kotapintar.core.services.calendar import add_working_days, city_day_off_add, city_day_off_remove
from kotapintar.core.testing import make_city

WIB = ZoneInfo("Asia/Jakarta")
WEDNESDAY = datetime.datetime(2026, 12, 23, 14, 0, tzinfo=WIB)
THURSDAY, MONDAY = datetime.date(2026, 12, 24), datetime.date(2026, 12, 28)  # Friday 25 is Christmas


@pytest.mark.django_db(transaction=True)
def test_a_changed_day_off_moves_the_next_deadline_at_once(django_assert_num_queries):
    bandung = make_city("32.73", "bandung")
    assert add_working_days(bandung, WEDNESDAY, 1).date() == THURSDAY
    with django_assert_num_queries(0):  # read from the cache
        assert add_working_days(bandung, WEDNESDAY, 1).date() == THURSDAY

    city_day_off_add(city=bandung, date=THURSDAY, name="Cuti bersama", actor=None)
    assert add_working_days(bandung, WEDNESDAY, 1).date() == MONDAY
    city_day_off_remove(city=bandung, date=THURSDAY, actor=None)
    assert add_working_days(bandung, WEDNESDAY, 1).date() == THURSDAY

    day_off = CityDayOff.objects.create(city=bandung, date=THURSDAY, name="Hari jadi")  # e.g. the Django admin
    assert add_working_days(bandung, WEDNESDAY, 1).date() == MONDAY
    day_off.delete()
    assert add_working_days(bandung, WEDNESDAY, 1).date() == THURSDAY


@pytest.mark.django_db(transaction=True)
def test_a_day_off_rolled_back_is_not_remembered():
    bandung = make_city("32.73", "bandung")
    with pytest.raises(RuntimeError), transaction.atomic():
        city_day_off_add(city=bandung, date=THURSDAY, name="Cuti bersama", actor=None)
        assert add_working_days(bandung, WEDNESDAY, 1).date() == MONDAY  # seen inside its transaction
        raise RuntimeError("rolled back")
    assert add_working_days(bandung, WEDNESDAY, 1).date() == THURSDAY
