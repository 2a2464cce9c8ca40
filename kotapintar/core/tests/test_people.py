import datetime

import pytest
from django.core.exceptions import ValidationError

from kotapintar.core.formatting import mask_nik, mask_phone, rupiah, terbilang
from kotapintar.core.services.users import membership_create, user_register
from kotapintar.core.testing import make_city, make_user
from kotapintar.core.validators import parse_nik


class TestNik:
    def test_woman_adds_forty_to_the_day(self):
        info = parse_nik("3273014506900002")
        assert info == {"district": "327301", "birth_date": datetime.date(1990, 6, 5), "sex": "F"}

    def test_man(self):
        assert parse_nik("7171011212850001")["sex"] == "M"

    @pytest.mark.parametrize("nik, code", [
        ("327301450690000", "nik_format"),  # 15 digits
        ("32730145069000a2", "nik_format"),
        ("9999994506900002", "nik_region"),  # no such district
        ("3273013206900002", "nik_birthdate"),  # day 32
        ("3273017306900002", "nik_birthdate"),  # woman, day 73-40 = 33
        ("3273013102900002", "nik_birthdate"),  # 31 February
        ("3273014506900000", "nik_serial"),
    ])
    def test_invalid(self, nik, code):
        with pytest.raises(ValidationError) as exc:
            parse_nik(nik)
        assert exc.value.code == code

    def test_nik_is_stored_once(self, db):
        first = user_register(username="a", email="a@example.id", password="x", nik="3273014506900002",
                              check_password=False)
        second = user_register(username="b", email="b@example.id", password="x", nik="3273014506900002",
                               check_password=False)
        first.refresh_from_db()
        second.refresh_from_db()
        assert (first.nik, second.nik) == ("3273014506900002", None)

    def test_masking(self):
        assert mask_nik("3273014506900002") == "327301********02"
        assert mask_phone("081234567890") == "0812*****890"


def test_rupiah_and_terbilang():
    assert rupiah(1234567) == "Rp 1.234.567"
    assert rupiah("1500000.50", cents=True) == "Rp 1.500.000,50"
    assert terbilang(1250000) == "satu juta dua ratus lima puluh ribu rupiah"
    assert terbilang("1000.25") == "seribu rupiah dua puluh lima sen"


def test_unknown_role_is_refused(db):
    city = make_city()
    with pytest.raises(ValidationError, match="Unknown role"):
        membership_create(user=make_user("x"), city=city, role="emperor", actor=None)


def test_department_of_another_city_is_refused(db):
    from kotapintar.core.models import Department

    bandung, manado = make_city("32.73", "bandung"), make_city("71.71", "manado")
    dept = Department.objects.create(city=manado, code="X", name="X", short_name="X")
    with pytest.raises(ValidationError, match="another city"):
        membership_create(user=make_user("x"), city=bandung, role="official", department=dept, actor=None)
