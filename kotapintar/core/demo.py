"""Demo data: Bandung and the eight partner cities of the 2016 grant, with departments and accounts.

Every module adds its own demo data through `Module.demo`.
"""

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction

from kotapintar.core import modules
from kotapintar.core.models import City
from kotapintar.core.services.cities import city_create, department_create
from kotapintar.core.services.users import membership_create, user_register

DEMO_PASSWORD = "kotapintar-demo"

CITIES = [
    # slug, code, primary, secondary, e-mail domain
    ("bandung", "32.73", "#0b6e4f", "#f2c14e", "bandung.go.id"),
    ("medan", "12.71", "#1d4e89", "#f6ae2d", "pemkomedan.go.id"),
    ("pekanbaru", "14.71", "#00577b", "#e4b363", "pekanbaru.go.id"),
    ("yogyakarta", "34.71", "#7a1f1f", "#d9a441", "jogjakota.go.id"),
    ("palangkaraya", "62.71", "#2a6f2b", "#f4d35e", "palangkaraya.go.id"),
    ("banjarmasin", "63.71", "#005f73", "#ee9b00", "banjarmasinkota.go.id"),
    ("banjarbaru", "63.72", "#3d405b", "#f2cc8f", "banjarbarukota.go.id"),
    ("makassar", "73.71", "#9b2226", "#e9d8a6", "makassarkota.go.id"),
    ("manado", "71.71", "#0a9396", "#ffd166", "manadokota.go.id"),
]

DEPARTMENTS = [
    # code, short name, name, bidang urusan
    ("SETDA", "Setda", "Sekretariat Daerah", ["4.01"]),
    ("BAPPEDA", "Bappeda", "Badan Perencanaan Pembangunan Daerah", ["5.01"]),
    ("BPKAD", "BPKAD", "Badan Pengelolaan Keuangan dan Aset Daerah", ["5.02"]),
    ("BAPENDA", "Bapenda", "Badan Pendapatan Daerah", ["5.02"]),
    ("DISDIK", "Disdik", "Dinas Pendidikan", ["1.01"]),
    ("DINKES", "Dinkes", "Dinas Kesehatan", ["1.02"]),
    ("PUPR", "Dinas PUPR", "Dinas Pekerjaan Umum dan Penataan Ruang", ["1.03"]),
    ("DLH", "DLH", "Dinas Lingkungan Hidup", ["2.11"]),
    ("DISHUB", "Dishub", "Dinas Perhubungan", ["2.15"]),
    ("DISKOMINFO", "Diskominfo", "Dinas Komunikasi dan Informatika", ["2.16"]),
    ("DPMPTSP", "DPMPTSP", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", ["2.18"]),
    ("SATPOLPP", "Satpol PP", "Satuan Polisi Pamong Praja", ["1.05"]),
    ("BPBD", "BPBD", "Badan Penanggulangan Bencana Daerah", ["1.05"]),
    ("DAMKAR", "Damkar", "Dinas Pemadam Kebakaran dan Penyelamatan", ["1.05"]),
]

CITIZEN = ("warga", "Siti Rahmawati", "warga@example.id", "3273014506900002", "081234567890")


def account(username: str, *, full_name: str, email: str, **extra):
    """Get or create a demo account with the demo password."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        user = user_register(username=username, email=email, password=DEMO_PASSWORD, full_name=full_name,
                             check_password=False, **extra)
    return user


def load_demo(stdout=None) -> list[tuple[str, str, str]]:
    """Create whatever of the demo is missing. Returns (username, password, description) rows."""
    rows: list[tuple[str, str, str]] = []
    username, full_name, email, nik, phone = CITIZEN
    with transaction.atomic():
        account(username, full_name=full_name, email=email, nik=nik, phone=phone)
        rows.append((username, DEMO_PASSWORD, "citizen (warga), any city"))
        if not get_user_model().objects.filter(username="superadmin").exists():
            get_user_model().objects.create_superuser("superadmin", "superadmin@example.id", DEMO_PASSWORD,
                                                      full_name="Platform Administrator")
        rows.append(("superadmin", DEMO_PASSWORD, "platform superuser (/admin/)"))
    for slug, code, primary, secondary, domain in CITIES:
        with transaction.atomic():
            city = City.objects.filter(slug=slug).first()
            if city is None:
                city = city_create(region_code=code, slug=slug, primary_color=primary, secondary_color=secondary,
                                   contact_email=f"info@{domain}", website=f"https://{domain}")
                for dcode, short, name, urusan in DEPARTMENTS:
                    department_create(city=city, code=dcode, short_name=short, name=name, bidang_urusan=urusan,
                                      actor=None, email=f"{dcode.lower()}@{domain}")
            admin = account(f"admin.{slug}", full_name=f"Admin {city.name}", email=f"admin@{domain}")
            membership_create(user=admin, city=city, role="city_admin", actor=None)
            rows.append((admin.username, DEMO_PASSWORD, f"city administrator, {city.name}"))
            for module in modules.REGISTRY.values():
                if module.demo:
                    module.demo(city, rows)
        if stdout:
            stdout.write(f"  {city.name} ready")
    return rows


def reset_demo(stdout=None) -> list[tuple[str, str, str]]:
    """Empty the database and load the demo again (for training)."""
    call_command("flush", interactive=False, verbosity=0)
    return load_demo(stdout)
