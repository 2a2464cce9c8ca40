"""Creating cities from the Kemendagri region data, their departments and custom domains."""

import hmac
import http.client
import ipaddress
import secrets
import socket

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone as django_timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kotapintar.core import modules, regions
from kotapintar.core.geo import city_geo_load
from kotapintar.core.models import City, CityDomain, Department, District, ModuleActivation, Village
from kotapintar.core.selectors import CITY_ADMIN, city_cache_clear, user_has_role
from kotapintar.core.services.audit import audit_record
from kotapintar.core.validators import domain_is_reserved

# Provinces whose cities keep WIT or WITA; everything else in the table below is WIB.
PROVINCE_TIMEZONES = {
    **dict.fromkeys(["51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"], "Asia/Makassar"),
    **dict.fromkeys(["81", "82", "91", "92", "93", "94", "95", "96", "97"], "Asia/Jayapura"),
    **dict.fromkeys(["61", "62"], "Asia/Pontianak"),
}


def default_timezone(province_code: str) -> str:
    return PROVINCE_TIMEZONES.get(province_code, "Asia/Jakarta")


def default_slug(name: str) -> str:
    return slugify(name.removeprefix("Kota ").removeprefix("Kabupaten ").replace("Kab. ", ""))


def city_create(
    *, region_code: str, actor=None, slug: str | None = None, name: str | None = None,
    timezone: str | None = None, **fields,
) -> City:
    """Create a city with its kecamatan and kelurahan from the region data; switch default modules on."""
    regency = regions.regency(region_code.strip())
    if regency is None:
        raise ValidationError({"region_code": _("“%(code)s” is not a Kemendagri regency or city code.")
                               % {"code": region_code}})
    if City.objects.filter(region_code=regency.code).exists():
        raise ValidationError({"region_code": _("A city with code %(code)s already exists.") % {"code": regency.code}})
    name = name or regency.name
    city = City(
        slug=slug or default_slug(regency.name),
        name=name,
        region_code=regency.code,
        province_code=regency.province_code,
        province_name=regency.province_name.title(),
        timezone=timezone or default_timezone(regency.province_code),
        **fields,
    )
    city.full_clean()
    with transaction.atomic():
        city.save()
        districts = District.objects.bulk_create(
            District(city=city, code=code, name=dname.title()) for code, dname in regions.districts_of(regency.code)
        )
        by_code = {d.code: d for d in districts}
        Village.objects.bulk_create(
            Village(city=city, district=by_code[dcode], code=code, name=vname.title())
            for code, dcode, vname in regions.villages_of(regency.code)
            if dcode in by_code
        )
        city_geo_load(city)
        ModuleActivation.objects.bulk_create(
            ModuleActivation(city=city, module_id=m.id, enabled=m.default_on) for m in modules.switchable()
        )
        audit_record(city=city, actor=actor, action="city.create", target=city,
                     data={"region_code": city.region_code, "slug": city.slug, "districts": len(districts)})
    return city


def city_update(*, city: City, actor, **fields) -> City:
    allowed = {"name", "timezone", "locale", "primary_color", "secondary_color", "contact_email",
               "contact_phone", "address", "website", "logo"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))})
    changes = {k: v for k, v in fields.items() if getattr(city, k) != v}
    for key, value in changes.items():
        setattr(city, key, value)
    city.full_clean()
    with transaction.atomic():
        city.save()
        audit_record(city=city, actor=actor, action="city.update", target=city,
                     data={k: str(v) for k, v in changes.items()})
        city_cache_clear(city)
    return city


LOGO_TYPES = frozenset({"image/png", "image/jpeg"})
LOGO_MAX_BYTES = 512 * 1024


def city_logo_set(*, city: City, file, actor) -> City:
    """Replace the city's logo with an uploaded PNG or JPEG (checked by content, at most 512 KB)."""
    from django.core.files.base import ContentFile

    from kotapintar.core.services.documents import upload_read

    data, mime = upload_read(file, allowed_types=LOGO_TYPES, max_bytes=LOGO_MAX_BYTES)
    extension = "png" if mime == "image/png" else "jpg"
    with transaction.atomic():
        city.logo.save(f"{city.slug}-{secrets.token_hex(6)}.{extension}", ContentFile(data), save=True)
        audit_record(city=city, actor=actor, action="city.logo_set", target=city,
                     data={"type": mime, "size": len(data)})
        city_cache_clear(city)
    return city


DOMAIN_VERIFICATION_PATH = "/.well-known/kotapintar-domain-verification.txt"


def _domain_admin_check(city: City, actor) -> None:
    if not user_has_role(actor, city, CITY_ADMIN):
        raise PermissionDenied(_("Only the city's administrators and platform administrators manage its domains."))


def city_domain_add(*, city: City, domain: str, actor) -> CityDomain:
    """Claim a custom domain for the city. The claim is pending (serves nothing) until verified."""
    _domain_admin_check(city, actor)
    domain = domain.strip().lower().rstrip(".")
    if domain_is_reserved(domain):
        raise ValidationError({"domain": _("This host name belongs to the platform and cannot be a city's domain.")})
    if CityDomain.objects.filter(domain=domain, verified_at__isnull=False).exclude(city=city).exists():
        raise ValidationError({"domain": _("This domain already serves a city.")})
    if CityDomain.objects.filter(domain=domain, city=city).exists():
        raise ValidationError({"domain": _("This domain is already on the city's list.")})
    with transaction.atomic():
        item = CityDomain.objects.create(city=city, domain=domain, token=secrets.token_urlsafe(24))
        audit_record(city=city, actor=actor, action="city.domain_add", target=item, data={"domain": domain})
    return item


def domain_address(domain: str) -> str:
    """The public IP address the domain resolves to. The platform does not probe its own network: a
    name resolving to a loopback, private or reserved address is refused."""
    try:
        infos = socket.getaddrinfo(domain, None, proto=socket.IPPROTO_TCP)
    except OSError:
        raise ValidationError(_("The domain does not resolve; point its DNS at the platform first.")) from None
    address = infos[0][4][0]
    if not ipaddress.ip_address(address).is_global:
        raise ValidationError(_("The domain resolves to a private address."))
    return address


def domain_token_fetch(domain: str) -> str:
    """What http://<domain>/.well-known/kotapintar-domain-verification.txt says (5 seconds, no
    redirects, at most 1 KB), or "" when it cannot be read."""
    connection = http.client.HTTPConnection(domain_address(domain), settings.KOTAPINTAR_DOMAIN_CHECK_PORT, timeout=5)
    try:
        connection.request("GET", DOMAIN_VERIFICATION_PATH, headers={"Host": domain})
        response = connection.getresponse()
        return response.read(1024).decode("utf-8", "replace").strip() if response.status == 200 else ""
    except (OSError, http.client.HTTPException):
        return ""
    finally:
        connection.close()


def city_domain_verify(*, item: CityDomain, actor) -> CityDomain:
    """Check the city's proof of control; on success the domain serves the city from now on."""
    _domain_admin_check(item.city, actor)
    if item.verified_at is not None:
        return item
    if domain_is_reserved(item.domain):
        raise ValidationError(_("This host name belongs to the platform and cannot be a city's domain."))
    if not hmac.compare_digest(domain_token_fetch(item.domain), item.token):
        raise ValidationError(_("The verification file was not found at http://%(domain)s%(path)s or does not "
                                "contain the token.") % {"domain": item.domain, "path": DOMAIN_VERIFICATION_PATH})
    with transaction.atomic():
        if CityDomain.objects.select_for_update().filter(domain=item.domain, verified_at__isnull=False).exists():
            raise ValidationError(_("This domain already serves a city."))
        item.verified_at = django_timezone.now()
        item.save(update_fields=["verified_at"])
        audit_record(city=item.city, actor=actor, action="city.domain_verify", target=item,
                     data={"domain": item.domain})
        city_cache_clear(item.city)
    return item


def city_domain_remove(*, item: CityDomain, actor) -> None:
    """Remove a domain (pending or verified) from the city: its administrators or a platform administrator."""
    _domain_admin_check(item.city, actor)
    with transaction.atomic():
        audit_record(city=item.city, actor=actor, action="city.domain_remove", target=item,
                     data={"domain": item.domain, "verified": item.verified_at is not None})
        item.delete()
        city_cache_clear(item.city)


def department_create(*, city: City, code: str, name: str, short_name: str, actor,
                      bidang_urusan: list[str] | None = None, email: str = "", phone: str = "") -> Department:
    dept = Department(city=city, code=code, name=name, short_name=short_name,
                      bidang_urusan=bidang_urusan or [], email=email, phone=phone)
    dept.full_clean()
    with transaction.atomic():
        dept.save()
        audit_record(city=city, actor=actor, action="department.create", target=dept,
                     data={"code": code, "name": name})
    return dept
