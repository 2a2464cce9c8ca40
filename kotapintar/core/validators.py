"""Validators shared by models, forms and serializers. Messages are in the user's language."""

import datetime
import ipaddress
import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

RESERVED_SLUGS = {"api", "static", "media", "admin", "accounts", "healthz", "i18n", "id", "en", "documents"}


def validate_color(value: str) -> None:
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", value or ""):
        raise ValidationError(_("Enter a colour as #RRGGBB."), code="invalid_color")


def validate_slug_not_reserved(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(_("“%(slug)s” is reserved; choose another address."), params={"slug": value})


def domain_is_reserved(domain: str) -> bool:
    """The platform's own host names (KOTAPINTAR_PLATFORM_HOSTS, the host of KOTAPINTAR_PUBLIC_URL),
    localhost and address literals can never become a city's domain."""
    from django.conf import settings
    from django.http.request import validate_host

    domain = domain.strip().lower().rstrip(".")
    try:
        ipaddress.ip_address(domain.strip("[]"))
        return True
    except ValueError:
        pass
    if domain == "localhost" or domain.endswith(".localhost"):
        return True
    platform = [host for host in settings.KOTAPINTAR_PLATFORM_HOSTS if host != "*"]
    return validate_host(domain, [*platform, platform_host()])


def platform_host() -> str:
    """The host name of the platform's public address."""
    from django.conf import settings

    return (urlsplit(settings.KOTAPINTAR_PUBLIC_URL).hostname or "").lower()


def parse_nik(value: str) -> dict:
    """Check a NIK and return what it encodes; raise ValidationError naming the first problem.

    A NIK has 16 digits: 6 for the district of registration, 6 for the birth date DDMMYY (women add
    40 to the day), 4 for a serial number that is never 0000.
    """
    from kotapintar.core.regions import district_codes

    if not re.fullmatch(r"\d{16}", value or ""):
        raise ValidationError(_("A NIK has exactly 16 digits."), code="nik_format")
    if value[:6] not in district_codes():
        raise ValidationError(_("The first 6 digits of the NIK are not a known district code."), code="nik_region")
    day, month, year2 = int(value[6:8]), int(value[8:10]), int(value[10:12])
    female = day > 40
    if female:
        day -= 40
    this_year = timezone.now().year
    year = 2000 + year2 if 2000 + year2 <= this_year else 1900 + year2
    try:
        birth_date = datetime.date(year, month, day)
    except ValueError:
        raise ValidationError(_("Digits 7-12 of the NIK are not a valid birth date."), code="nik_birthdate") from None
    if value[12:] == "0000":
        raise ValidationError(_("The last 4 digits of the NIK cannot be 0000."), code="nik_serial")
    return {"district": value[:6], "birth_date": birth_date, "sex": "F" if female else "M"}


def validate_nik(value: str) -> None:
    parse_nik(value)
