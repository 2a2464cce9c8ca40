"""Shared test data for the complaints module."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from PIL import Image

from kotapintar.complaints.services.categories import category_save
from kotapintar.complaints.services.reports import complaint_create
from kotapintar.core.models import City, Department
from kotapintar.core.providers import CatalogueEntry
from kotapintar.core.services.cities import department_create
from kotapintar.core.testing import extra_module, make_city

BANDUNG_CENTRE = (-6.9175, 107.6191)
MANADO_CENTRE = (1.4748, 124.8421)


def city_with_categories(code: str = "32.73", slug: str = "bandung") -> City:
    """A city with its centre set, two departments and two categories (one with extra questions)."""
    city = make_city(code, slug)
    centre = BANDUNG_CENTRE if code == "32.73" else MANADO_CENTRE
    City.objects.filter(pk=city.pk).update(lat=centre[0], lng=centre[1], radius_km=12, boundary=None)
    city.lat, city.lng, city.radius_km, city.boundary = centre[0], centre[1], 12, None
    if not Department.objects.filter(city=city).exists():
        pupr = department_create(city=city, code="PUPR", name="Dinas PUPR", short_name="PUPR", actor=None)
        dlh = department_create(city=city, code="DLH", name="Dinas Lingkungan Hidup", short_name="DLH", actor=None)
        category_save(city=city, actor=None, code="jalan-rusak", name="Jalan rusak", department=pupr, questions=[
            {"code": "ukuran", "label": "Ukuran", "type": "singlevaluelist", "required": True,
             "values": [{"key": "kecil", "name": "Kecil"}, {"key": "besar", "name": "Besar"}]},
            {"code": "kedalaman_cm", "label": "Kedalaman (cm)", "type": "number"},
        ])
        category_save(city=city, actor=None, code="sampah", name="Sampah menumpuk", department=dlh)
    return city


def jpeg_with_gps(size=(40, 30)) -> SimpleUploadedFile:
    """A real JPEG photo carrying an EXIF GPS position and camera make."""
    image = Image.new("RGB", size, (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "KameraMerk"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "S", (6.0, 55.0, 3.0), "E", (107.0, 37.0, 8.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return SimpleUploadedFile("foto.jpg", out.getvalue(), content_type="image/jpeg")


def committed():
    """Run what the code schedules for after commit (notifications) when the block ends."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def report(city, reporter=None, *, code="sampah", lat=None, lng=None, **extra):
    from kotapintar.complaints.models import ComplaintCategory

    category = ComplaintCategory.objects.get(city=city, code=code)
    lat = city.lat if lat is None else lat
    lng = city.lng if lng is None else lng
    fields = {"description": "Sampah menumpuk di pinggir jalan sejak tiga hari.", **extra}
    if reporter is None and "reporter_email" not in fields:
        fields["reporter_email"] = "pelapor@example.id"
    if code == "jalan-rusak":
        fields.setdefault("attributes", {"ukuran": "besar"})
    return complaint_create(city=city, category=category, lat=lat, lng=lng, reporter=reporter, **fields)


# A service another module offers (what the permits module provides for a permit type), for the
# service catalogue without importing that module.
BUILDING_PERMIT = CatalogueEntry(module="extra", code="pbg", name="Persetujuan Bangunan Gedung", department="DPMPTSP",
                                 sla_days=10, fee="Rp10.000 per m²", requirements=("KTP", "Gambar teknis"),
                                 procedure=("Verifikasi berkas", "Keputusan"), url="/bandung/extra/pbg/")


def another_modules_service(city: City):
    """A module offering BUILDING_PERMIT in `city`, registered and switched on inside the block."""
    return extra_module(city, catalogue=lambda for_city, language: [BUILDING_PERMIT] if for_city == city else [])
