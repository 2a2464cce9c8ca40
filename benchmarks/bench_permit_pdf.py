"""How long does issuing a signed permit PDF take? Target: under 1 second per permit.

Renders a realistic PBG permit (`kotapintar.permits.pdf.render_permit_pdf`) and signs it as PAdES
(`kotapintar.permits.signing.sign_pdf`, development CA, RSA 3072) for N permits with different
numbers, in one process, and prints the median and p95 of render + sign, and of each part. The first
permit, which also generates the development CA and the city's key, is reported on its own.

Uses a temporary data directory and SQLite database (one city, Kota Bandung, via `city_create`).

    .venv/bin/python benchmarks/bench_permit_pdf.py [--permits 50]
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _common import figure, print_machine  # noqa: E402

TARGET_MS = 1000.0


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def setup_django(data_dir: str):
    os.environ["KOTAPINTAR_DATA_DIR"] = data_dir
    os.environ["DATABASE_URL"] = f"sqlite:///{data_dir}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotapintar.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from kotapintar.core.services.cities import city_create

    return city_create(region_code="32.73", slug="bandung")


def permit_document(city, index: int):
    from django.utils import timezone

    from kotapintar.permits.pdf import PermitDocument

    issued = timezone.now()
    return PermitDocument(
        city_name=city.name, province_name=city.province_name,
        department_name="Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", city_color=city.primary_color,
        title="Persetujuan Bangunan Gedung (PBG)", number=f"503/{index:04d}/DPMPTSP/{issued.year}",
        holder_name=f"Pemohon Nomor {index}", holder_id_masked="327301********02",
        fields=[("Lokasi", f"Jl. Wastukencana No. {index}, Kelurahan Babakan Ciamis, Kecamatan Sumur Bandung"),
                ("Fungsi bangunan", "Hunian — rumah tinggal tunggal"), ("Luas bangunan", f"{100 + index} m²"),
                ("Jumlah lantai", "2"), ("Koordinat", "-6.914744, 107.609810")],
        body=("Berdasarkan permohonan yang bersangkutan dan hasil pemeriksaan dokumen teknis, Pemerintah "
              f"{city.name} memberikan “Persetujuan Bangunan Gedung” kepada pemegang izin tersebut di atas untuk "
              "membangun bangunan gedung sesuai dengan rincian dan dokumen rencana teknis yang telah disetujui.\n\n"
              "Pemegang izin wajib mematuhi ketentuan peraturan perundang-undangan yang berlaku."),
        issued_at=issued, timezone=city.timezone, valid_until=date.today() + timedelta(days=5 * 365),
        fee=Decimal(1_250_000 + index * 1000),
        verification_url=f"https://kotapintar.example.id/{city.slug}/izin/verifikasi/{index:032x}",
        signer_name="Dra. Siti Rahmawati, M.Si.",
        signer_title=f"Kepala Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu {city.name}",
    )


def issue(city, index: int) -> tuple[float, float, int]:
    from kotapintar.permits.pdf import render_permit_pdf
    from kotapintar.permits.signing import sign_pdf

    doc = permit_document(city, index)
    start = time.perf_counter()
    pdf = render_permit_pdf(doc)
    rendered = time.perf_counter()
    signed = sign_pdf(pdf, city=city, signer_name=doc.signer_name, reason=f"{doc.title} {doc.number}",
                      location=city.name)
    done = time.perf_counter()
    return (rendered - start) * 1000, (done - rendered) * 1000, len(signed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--permits", type=int, default=50)
    args = parser.parse_args()

    print_machine("permit PDF: render (fpdf2) + PAdES signature (pyHanko)")
    data_dir = tempfile.mkdtemp(prefix="kotapintar-bench-pdf-")
    try:
        city = setup_django(data_dir)
        from kotapintar.permits.signing import verify_pdf  # noqa: F401  (import cost outside the timings)

        start = time.perf_counter()
        render_ms, sign_ms, _size = issue(city, 0)
        first_ms = (time.perf_counter() - start) * 1000
        print(f"first permit (generates the development CA and the city key): {first_ms:.0f} ms "
              f"(render {render_ms:.0f} ms, sign {sign_ms:.0f} ms)")

        renders, signs, totals, sizes = [], [], [], []
        for index in range(1, args.permits + 1):
            render_ms, sign_ms, size = issue(city, index)
            renders.append(render_ms)
            signs.append(sign_ms)
            totals.append(render_ms + sign_ms)
            sizes.append(size)
        print(f"{args.permits} permits, signed PDF {statistics.median(sizes) / 1024:.0f} KiB median")
        print(f"render: median {statistics.median(renders):.0f} ms, p95 {percentile(renders, 0.95):.0f} ms")
        print(f"sign:   median {statistics.median(signs):.0f} ms, p95 {percentile(signs, 0.95):.0f} ms")
        median, p95 = statistics.median(totals), percentile(totals, 0.95)
        figure("permit_pdf_render_sign_median", f"{median:.0f} ms", f"< {TARGET_MS:.0f} ms", median < TARGET_MS)
        figure("permit_pdf_render_sign_p95", f"{p95:.0f} ms", f"< {TARGET_MS:.0f} ms", p95 < TARGET_MS)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
