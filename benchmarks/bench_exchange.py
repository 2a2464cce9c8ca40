"""How fast does a city adopt another city's configuration package?

Targets (platform-kit issue): exporting and importing a package of 50 permit types and 500 catalogue
items (complaint categories) takes under 5 s; previewing 200 items under 2 s.

Creates a temporary database (SQLite in a temporary directory by default; with DATABASE_URL=postgres://...
a temporary PostgreSQL database, dropped afterwards), two cities with the demo departments (Bandung and
Manado), and in Bandung 50 permit types (the four standard types of the demo and variants of them, each
with its own workflow) and 500 complaint categories (with extra questions, routed to the demo
departments). Then, with `kotapintar.core.services.exchange`: Bandung's package is exported, previewed in
Manado and imported there in one transaction (every item new); the same package is previewed and imported
again (every item the same: nothing written); 200 changed items are previewed (field-by-field changes).

    .venv/bin/python benchmarks/bench_exchange.py [--permit-types 50] [--categories 500] [--preview 200]
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import figure, print_machine  # noqa: E402

TARGET_ROUND_TRIP_S = 5.0
TARGET_PREVIEW_S = 2.0


def seconds(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


def populate(bandung, permit_types: int, categories: int) -> None:
    from kotapintar.complaints.services.categories import category_save
    from kotapintar.core.models import Department
    from kotapintar.core.services.workflow import workflow_definition_create
    from kotapintar.permits.demo import TYPES, WORKFLOWS, install_standard_types
    from kotapintar.permits.services.types import permit_type_save

    install_standard_types(bandung)
    one_stop = Department.objects.get(city=bandung, code="DPMPTSP")
    for number in range(len(TYPES), permit_types):
        spec = TYPES[number % len(TYPES)]
        code = f"{spec['code']}-{number}"
        workflow = workflow_definition_create(city=bandung, key=f"permit-{code}", name=spec["name"],
                                              definition={"states": WORKFLOWS[spec["code"]]}, actor=None)
        fields = {k: v for k, v in spec.items() if k not in ("code", "name")}
        permit_type_save(city=bandung, actor=None, code=code, name=f"{spec['name']} ({number})", department=one_stop,
                         workflow=workflow, **fields)
    departments = list(Department.objects.filter(city=bandung))
    for number in range(categories):
        questions = [{"code": "ukuran", "label": "Perkiraan ukuran", "type": "singlevaluelist", "required": True,
                      "values": [{"key": "kecil", "name": "Kecil"}, {"key": "besar", "name": "Besar"}]},
                     {"code": "keterangan", "label": "Keterangan", "type": "text"}][: number % 3]
        category_save(city=bandung, actor=None, code=f"kategori-{number}", name=f"Kategori pengaduan {number}",
                      group=f"Kelompok {number % 12}", department=departments[number % len(departments)],
                      description="Uraian singkat kategori", keywords="jalan, lampu, sampah", questions=questions)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--permit-types", type=int, default=50)
    parser.add_argument("--categories", type=int, default=500)
    parser.add_argument("--preview", type=int, default=200, help="changed items previewed")
    args = parser.parse_args()

    print_machine("bench_exchange: export, preview and import of a configuration package between two cities")
    workdir = Path(tempfile.mkdtemp(prefix="kotapintar-bench-exchange-"))
    os.environ["KOTAPINTAR_DATA_DIR"] = str(workdir / "data")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotapintar.config.settings")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import django

    django.setup()
    import dataclasses

    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kotapintar.core.demo import DEPARTMENTS
    from kotapintar.core.services.cities import city_create, department_create
    from kotapintar.core.services.exchange import city_export, content_hash, exchange_apply, exchange_preview

    test = settings.DATABASES["default"].setdefault("TEST", {})
    test["NAME"] = str(workdir / "bench.sqlite3") if connection.vendor == "sqlite" \
        else f"bench_exchange_{os.getpid()}"
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        print(f"database: {connection.vendor} ({name})")
        cities = []
        for code, slug in (("32.73", "bandung"), ("71.71", "manado")):
            city = city_create(region_code=code, slug=slug)
            for dcode, short, dname, urusan in DEPARTMENTS:
                department_create(city=city, code=dcode, short_name=short, name=dname, bidang_urusan=urusan,
                                  actor=None)
            cities.append(city)
        bandung, manado = cities
        elapsed, _none = seconds(populate, bandung, args.permit_types, args.categories)
        print(f"Bandung: {args.permit_types} permit types and {args.categories} complaint categories "
              f"created in {elapsed:.1f} s")

        export_s, items = seconds(city_export, bandung)
        kinds = {kind: sum(1 for i in items if i.kind == kind) for kind in sorted({i.kind for i in items})}
        print(f"package: {len(items)} items {kinds}, {sum(len(str(i.data)) for i in items) / 1e6:.2f} MB of data")
        preview_s, rows = seconds(exchange_preview, city=manado, items=items)
        assert {row["action"] for row in rows} == {"add"}, "Manado should have none of the items yet"
        with CaptureQueriesContext(connection) as queries:
            import_s, _rows = seconds(exchange_apply, city=manado, items=items, actor=None)
        print(f"import: {len(queries)} queries ({len(queries) / len(items):.1f} per item; categories saved in one "
              f"batch, permit types one by one); load average {os.getloadavg()[0]:.1f}")
        figure("export", f"{export_s:.2f} s ({len(items)} items)")
        figure("preview of a new package", f"{preview_s:.2f} s ({len(items)} items)")
        figure("import of a new package", f"{import_s:.2f} s ({len(items)} items)")
        figure("export + import", f"{export_s + import_s:.2f} s", f"< {TARGET_ROUND_TRIP_S:.0f} s",
               export_s + import_s < TARGET_ROUND_TRIP_S)

        again_s, rows = seconds(exchange_apply, city=manado, items=items, actor=None)
        assert {row["action"] for row in rows} == {"same"}, "a re-import of the same package must change nothing"
        figure("re-import of the same package (nothing changes)", f"{again_s:.2f} s")

        changed = []
        for item in items[: args.preview]:
            data = {**item.data, "name": item.data["name"] + " (baru)"}
            changed.append(dataclasses.replace(item, data=data, content_hash=content_hash(data)))
        preview_s, rows = seconds(exchange_preview, city=manado, items=changed)
        assert all(row["action"] == "change" and list(row["changes"]) == ["name"] for row in rows)
        figure(f"preview of {len(changed)} changed items", f"{preview_s:.2f} s", f"< {TARGET_PREVIEW_S:.0f} s",
               preview_s < TARGET_PREVIEW_S)
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
