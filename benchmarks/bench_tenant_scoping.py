"""Does a city's page slow down as more cities share the installation?

Measures the median response time of the public city home page `/bandung/` (Django's test Client,
the whole middleware and template stack) with 1 city in the database and with 98 cities (every kota
of the Kemendagri region data, created with `city_create` and given the demo departments and module
demo data). Both databases exist side by side and the rounds alternate between them, so drift of a
shared machine hits both equally. Target: the 98-city median within 10 % of the 1-city median.

Uses SQLite in a temporary directory by default; with DATABASE_URL=postgres://... it uses two
temporary PostgreSQL databases (bench_scoping_<name> and bench_scoping_<name>_98) and drops them afterwards.

    .venv/bin/python benchmarks/bench_tenant_scoping.py [--iterations 2000] [--rounds 10]
"""

import argparse
import csv
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO_DIR, figure, print_machine  # noqa: E402

TARGET_RATIO = 1.10
CITY = ("bandung", "32.73")
REGENCIES_CSV = REPO_DIR / "kotapintar" / "core" / "data" / "wilayah" / "regencies.csv"


def kota_codes() -> list[str]:
    """Every kota (regency number >= 71) in the shipped region data, in file order."""
    with open(REGENCIES_CSV, newline="", encoding="utf-8") as handle:
        return [row["code"] for row in csv.DictReader(handle) if int(row["code"].split(".")[1]) >= 71]


def populate(city) -> None:
    """What the demo gives each city: the departments (OPD) and every module's demo data."""
    from kotapintar.core import modules
    from kotapintar.core.demo import DEPARTMENTS
    from kotapintar.core.services.cities import department_create

    for code, short, name, urusan in DEPARTMENTS:
        department_create(city=city, code=code, short_name=short, name=name, bidang_urusan=urusan, actor=None)
    rows: list = []
    for module in modules.REGISTRY.values():
        if module.demo:
            module.demo(city, rows)


def create_city(code: str, slug: str | None = None):
    from django.core.exceptions import ValidationError

    from kotapintar.core.services.cities import city_create

    try:
        city = city_create(region_code=code, slug=slug)
    except ValidationError as exc:
        if "slug" not in getattr(exc, "message_dict", {}):
            raise
        city = city_create(region_code=code, slug=f"kota-{code.replace('.', '-')}")
    populate(city)
    return city


class Databases:
    """Two databases, `one` (1 city) and `many` (98 cities); `use(name)` points Django at one of them."""

    def __init__(self, workdir: Path):
        from django.db import connection

        self.connection = connection
        self.vendor = connection.vendor
        self.workdir = workdir
        self.names: dict[str, str] = {}

    def create_one(self) -> None:
        from django.conf import settings

        test = settings.DATABASES["default"].setdefault("TEST", {})
        if self.vendor == "sqlite":
            test["NAME"] = str(self.workdir / "one.sqlite3")
        else:  # its own name, so that a test run on the same server is not disturbed
            test["NAME"] = f"bench_scoping_{settings.DATABASES['default']['NAME']}"
        self.names["one"] = self.connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)

    def copy_to_many(self) -> None:
        """`many` starts as a copy of `one` (same city, same rows), then gets the other 97 cities."""
        self.connection.close()
        if self.vendor == "sqlite":
            self.names["many"] = str(self.workdir / "many.sqlite3")
            shutil.copyfile(self.names["one"], self.names["many"])
        elif self.vendor == "postgresql":
            self.names["many"] = f"{self.names['one']}_98"
            with self.connection._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{self.names["many"]}"')
                cursor.execute(f'CREATE DATABASE "{self.names["many"]}" TEMPLATE "{self.names["one"]}"')
        else:
            raise SystemExit(f"unsupported database vendor {self.vendor}")

    def use(self, which: str) -> None:
        from django.core.cache import cache

        self.connection.close()
        self.connection.settings_dict["NAME"] = self.names[which]
        cache.clear()

    def drop(self) -> None:
        self.use("one")
        if self.vendor == "postgresql" and "many" in self.names:
            self.connection.close()
            with self.connection._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{self.names["many"]}"')
        self.connection.creation.destroy_test_db(self.names["one"], verbosity=0)


def time_requests(client, path: str, count: int) -> list[float]:
    timings = []
    for _ in range(count):
        start = time.perf_counter()
        response = client.get(path)
        timings.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise SystemExit(f"GET {path} answered {response.status_code}")
    return timings


def query_count(client, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    return len(queries)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=2000, help="requests per database in all")
    parser.add_argument("--rounds", type=int, default=10, help="alternating rounds per database")
    args = parser.parse_args()
    per_round = max(1, args.iterations // args.rounds)

    print_machine("bench_tenant_scoping: median time of /<city>/ with 1 city and with 98 cities")
    workdir = Path(tempfile.mkdtemp(prefix="kotapintar-bench-scoping-"))
    os.environ["KOTAPINTAR_DATA_DIR"] = str(workdir / "data")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotapintar.config.settings")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import django

    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment

    from kotapintar.core.models import City

    setup_test_environment()
    databases = Databases(workdir)
    try:
        databases.create_one()
        print(f"database: {databases.vendor} ({databases.names['one']})")
        slug, code = CITY
        create_city(code, slug=slug)
        databases.copy_to_many()
        databases.use("many")
        started = time.monotonic()
        for other in kota_codes():
            if other != code:
                create_city(other)
        cities = City.objects.count()
        print(f"created {cities - 1} more cities with departments and demo data in {time.monotonic() - started:.1f} s")
        if cities != 98:
            print(f"WARNING: expected 98 cities, have {cities}")

        path = f"/{slug}/"
        client = Client()
        counts = {}
        for which, expected in (("one", 1), ("many", cities)):
            databases.use(which)
            if City.objects.count() != expected:
                raise SystemExit(f"database {which!r} has {City.objects.count()} cities, expected {expected}")
            time_requests(client, path, 100)  # warm-up: templates, connection, caches
            counts[which] = query_count(client, path)
        timings: dict[str, list[float]] = {"one": [], "many": []}
        for round_number in range(args.rounds):
            order = ("one", "many") if round_number % 2 == 0 else ("many", "one")
            for which in order:
                databases.use(which)
                time_requests(client, path, 5)  # reconnect outside the measurement
                timings[which] += time_requests(client, path, per_round)

        median_one = statistics.median(timings["one"]) * 1000
        median_many = statistics.median(timings["many"]) * 1000
        ratio = median_many / median_one
        for which, label in (("one", "1 city"), ("many", f"{cities} cities")):
            ms = sorted(t * 1000 for t in timings[which])
            print(f"GET {path} with {label:>10}: median {statistics.median(ms):.3f} ms, "
                  f"p90 {ms[int(len(ms) * 0.9)]:.3f} ms, {len(ms)} requests, {counts[which]} queries per request")
        figure("median /<city>/ with 1 city", f"{median_one:.3f} ms")
        figure(f"median /<city>/ with {cities} cities", f"{median_many:.3f} ms")
        figure(f"ratio {cities} cities / 1 city", f"{ratio:.3f}", f"<= {TARGET_RATIO:.2f}", ratio <= TARGET_RATIO)
    finally:
        databases.drop()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
