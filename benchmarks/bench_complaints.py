"""Do the complaint lists, the duplicate-nearby check and filing stay fast with 2,000,000 reports?

Targets (issue 4, on PostgreSQL with 2,000,000 reports across the nine demo cities):
- GET /<city>/open311/v2/requests.json for one city and a 90-day window answers in under 200 ms median
  with a constant number of queries;
- the duplicate-nearby check (complaints_nearby, the nearby/ page) answers in under 50 ms;
- filing through Open311 sustains 200 reports/s: measured over HTTP with Locust by
  bench_complaints_open311_post.py; this script prints the cost of one filing in process (queries, ms).

Creates its own PostgreSQL database (bench_complaints_<pid> on postgres://postgres@127.0.0.1:5432, or
--name; dropped at the end unless --keep), migrates it, loads the demo (the nine cities with their
kecamatan, departments and complaint categories, kotapintar.core.demo.load_demo), issues one Open311
key per city, adds 100,000 citizen accounts and bulk-loads the reports with INSERT ... SELECT
generate_series, one statement per city, in time order over the last year:
- places: a pool of 20,000 points per city drawn inside the city's boundary (kotapintar/core/data/geo),
  each given its kecamatan as geo.locate does; a report is a pool point moved by up to ~40 m, so reports
  cluster along the same streets as real ones do;
- states by age: the last two weeks are mostly open (submitted, verified, in progress), older reports
  are mostly closed, rejected, forwarded or duplicates, with a backlog still open; `unconfirmed` only
  for reports without an account; due dates from the workflow's SLAs, `late`, `escalated`, ratings;
- tracking numbers LP-XXXX-XXXX unique per city (a bijection of the row number), random Open311 tokens,
  the category's department and workflow, answers to the category's questions, visibility (public,
  anonymous, confidential), source (web, app, Open311 with the city's key), status notes;
then VACUUM ANALYZE. The handling history (transitions, replies, audit entries) of the loaded reports is
not generated: no measured page reads it.

Measured in this process (Django's test Client: whole middleware, URL and view stack, no socket):
- complaints_nearby(city, lat, lng, metres=50) at the place of a random open report (the case of a
  citizen about to file a duplicate) and at random places, with and without a category: median, p95,
  queries, EXPLAIN ANALYZE; the nearby/ page when its view exists;
- GET /<city>/open311/v2/requests.json?start_date=..&end_date=.. (90 days, random windows in the year)
  for Bandung (the largest city), and for every city: median, p95, results per page, queries per request
  (must not change with the window or the city);
- one report filed with complaint_create (as an Open311 client would) and one POST to
  /<city>/open311/v2/requests.json when the view exists: ms and queries each, audit entry included.

    .venv/bin/python benchmarks/bench_complaints.py [--rows 2000000] [--requests 300]
        [--server postgres://postgres@127.0.0.1:5432] [--name DB] [--keep] [--reuse DB]
"""

import argparse
import datetime
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _common import DEMO_CITIES, admin_connection, figure, print_machine, setup_django  # noqa: E402

TARGET_LIST_MS = 200.0
TARGET_NEARBY_MS = 50.0
CITIZENS = 100_000
POOL_POINTS = 20_000
DAYS_OF_HISTORY = 365
# Share of the reports per city, roughly by population (BPS 2020, thousands).
CITY_WEIGHTS = {"bandung": 2444, "medan": 2435, "pekanbaru": 983, "yogyakarta": 373, "palangkaraya": 294,
                "banjarmasin": 657, "banjarbaru": 253, "makassar": 1423, "manado": 451}
# The demo categories (kotapintar/complaints/demo.py) and how often each is reported (c = 1..7 in the SQL).
CATEGORY_CODES = ["jalan-rusak", "banjir", "sampah", "lampu-jalan", "pkl", "pohon", "pelayanan"]


# -- database -------------------------------------------------------------------------------------------
def load_cities() -> dict:
    """The demo: nine cities with kecamatan, departments and complaint categories; one Open311 key each."""
    from kotapintar.complaints.models import ComplaintCategory
    from kotapintar.complaints.services.keys import open311_key_create
    from kotapintar.core.demo import load_demo
    from kotapintar.core.models import City

    load_demo()
    cities = {}
    for slug in DEMO_CITIES:
        city = City.objects.get(slug=slug)
        categories = {c.code: c for c in ComplaintCategory.objects.filter(city=city)}
        key, _secret = open311_key_create(city=city, name="Aplikasi mitra (bench)", actor=None)
        cities[slug] = (city, [categories[code] for code in CATEGORY_CODES], key)
    return cities


def place_pool(city, count: int, rng: random.Random) -> list[tuple[float, float, int | None, int | None]]:
    """`count` points inside the city (its boundary, else its radius), each with its kecamatan and kelurahan
    found as kotapintar.core.geo.locate finds them (boundary, else nearest centroid)."""
    from kotapintar.core import geo
    from kotapintar.core.models import District, Village

    districts = list(District.objects.filter(city=city).exclude(lat=None))
    villages: dict[int, list] = {}
    for village in Village.objects.filter(city=city).exclude(lat=None):
        villages.setdefault(village.district_id, []).append(village)
    if city.boundary:
        polygons = [city.boundary["coordinates"]] if city.boundary["type"] == "Polygon" \
            else city.boundary["coordinates"]
        lngs = [p[0] for polygon in polygons for p in polygon[0]]
        lats = [p[1] for polygon in polygons for p in polygon[0]]
        box = (min(lats), max(lats), min(lngs), max(lngs))
        inside = lambda lat, lng: geo.geometry_contains(city.boundary, lat, lng)  # noqa: E731
    else:
        box = geo.bounding_box(city.lat, city.lng, city.radius_km * 1000)
        inside = lambda lat, lng: geo.distance_m(city.lat, city.lng, lat, lng) <= city.radius_km * 900  # noqa: E731
    points = []
    while len(points) < count:
        lat, lng = rng.uniform(box[0], box[1]), rng.uniform(box[2], box[3])
        if not inside(lat, lng):
            continue
        district = next((d for d in districts if d.boundary and geo.geometry_contains(d.boundary, lat, lng)), None)
        if district is None and districts:
            district = min(districts, key=lambda d: geo.distance_m(lat, lng, d.lat, d.lng))
        village = min(villages.get(district.pk, []) if district else [],
                      key=lambda v: geo.distance_m(lat, lng, v.lat, v.lng), default=None)
        points.append((round(lat, 6), round(lng, 6), district.pk if district else None,
                       village.pk if village else None))
    return points


USERS_SQL = """
INSERT INTO core_user (password, last_login, is_superuser, username, first_name, last_name, email, is_staff,
                       is_active, date_joined, full_name, nik, phone, language)
SELECT '!', NULL, false, 'pelapor' || g, '', '', 'pelapor' || g || '@example.id', false, true,
       now() - random() * interval '3 years',
       (ARRAY['Siti', 'Budi', 'Dewi', 'Agus', 'Rina', 'Andi', 'Putri', 'Joko', 'Ayu', 'Rizky', 'Made', 'Nur'])
           [1 + mod(g, 12)] || ' ' ||
       (ARRAY['Rahmawati', 'Santoso', 'Lestari', 'Pratama', 'Hidayat', 'Siregar', 'Nasution', 'Wijaya', 'Saputra',
              'Halim', 'Manoppo', 'Daeng', 'Lubis', 'Kusuma'])[1 + mod(g / 12, 14)],
       NULL, '08' || lpad((mod(g * 7919, 1000000000))::text, 10, '0'), 'id'
FROM generate_series(1, %(count)s) AS g
"""

# One statement per city, in time order. c: the category (1..7 as CATEGORY_CODES), p: the pool point.
# Age bands: fresh (< 14 days) mostly open, recent (< 90 days) mostly decided, older almost all decided.
REPORTS_SQL = """
WITH base AS (
    SELECT g,
           %(start)s::timestamptz + ((g - 1) + random()) * %(step)s * interval '1 second' AS created_at,
           random() AS rs, random() AS rv, random() AS rx, random() AS ry, random() AS rz,
           CASE WHEN random() < 0.70 THEN 1 + floor(random() * %(pool)s)::int  -- the city's busy places
                ELSE 1 + floor(random() * %(pool)s / 10)::int END AS p,
           (random() - 0.5) * 0.0007 AS dlat, (random() - 0.5) * 0.0007 AS dlng,
           floor(random() * 100)::int AS rc
    FROM generate_series(1, %(count)s) AS g
), typed AS (
    SELECT base.*,
           CASE WHEN rc < 28 THEN 1 WHEN rc < 40 THEN 2 WHEN rc < 62 THEN 3 WHEN rc < 76 THEN 4
                WHEN rc < 85 THEN 5 WHEN rc < 92 THEN 6 ELSE 7 END AS c,
           -- who: an account (web or the app), an Open311 client, or a visitor without an account (web)
           CASE WHEN rv < 0.55 THEN 'web' WHEN rv < 0.80 THEN 'api' ELSE 'open311' END AS source,
           CASE WHEN rv < 0.40 OR (rv >= 0.55 AND rv < 0.80) THEN %(first_user)s + floor(rz * %(users)s)::bigint
           END AS reporter_id,
           %(now)s - created_at AS age
    FROM base
), stated AS (
    SELECT typed.*,
           CASE WHEN reporter_id IS NULL AND source = 'web' AND rs < 0.06 THEN 'unconfirmed'
                WHEN age < interval '14 days' THEN
                    CASE WHEN rs < 0.30 THEN 'submitted' WHEN rs < 0.48 THEN 'verified'
                         WHEN rs < 0.72 THEN 'in_progress' WHEN rs < 0.86 THEN 'resolved' WHEN rs < 0.91 THEN 'closed'
                         WHEN rs < 0.95 THEN 'rejected' WHEN rs < 0.97 THEN 'not_our_authority'
                         ELSE 'duplicate' END
                WHEN age < interval '90 days' THEN
                    CASE WHEN rs < 0.08 THEN 'submitted' WHEN rs < 0.12 THEN 'verified'
                         WHEN rs < 0.22 THEN 'in_progress' WHEN rs < 0.26 THEN 'resolved' WHEN rs < 0.82 THEN 'closed'
                         WHEN rs < 0.90 THEN 'rejected' WHEN rs < 0.95 THEN 'not_our_authority'
                         ELSE 'duplicate' END
                ELSE CASE WHEN rs < 0.08 THEN 'submitted' WHEN rs < 0.09 THEN 'verified'
                          WHEN rs < 0.12 THEN 'in_progress' WHEN rs < 0.86 THEN 'closed'
                          WHEN rs < 0.93 THEN 'rejected' WHEN rs < 0.96 THEN 'not_our_authority'
                          ELSE 'duplicate' END
           END AS state
    FROM typed
), timed AS (
    SELECT stated.*,
           CASE WHEN state IN ('unconfirmed', 'submitted') THEN created_at
                ELSE created_at + rx * least(interval '30 days', age) END AS entered_at,
           -- the SLA of the state in working days (the default workflow), as calendar days below
           CASE state WHEN 'submitted' THEN 3 WHEN 'verified' THEN 5 WHEN 'in_progress' THEN 10
                      WHEN 'resolved' THEN 5 END AS sla
    FROM stated
)
INSERT INTO complaints_complaint
    (city_id, workflow_id, state, state_entered_at, due_at, escalated, tracking_number, token, category_id,
     department_id, assigned_to_id, description, attributes, visibility, lat, lng, address, district_id, village_id,
     reporter_id, reporter_name, reporter_email, reporter_phone, device_id, source, api_key_id, status_notes,
     photo_id, supporters, duplicate_of_id, late, hidden, confirm_code, rating, rating_comment, created_at,
     updated_at, resolved_at)
SELECT %(city)s, %(workflow)s, state, entered_at,
       entered_at + ceil(sla * 7 / 5.0) * interval '1 day',
       coalesce(state IN ('submitted', 'verified', 'in_progress')
                AND entered_at + ceil(sla * 7 / 5.0) * interval '1 day' < %(now)s, false),
       -- LP-XXXX-XXXX: eight base-32 digits of a bijection of g modulo 2^40, so unique in the city
       'LP-' || string_agg_digits(((g * 549755813881 + %(salt)s) %% 1099511627776), 0, 4) || '-'
             || string_agg_digits(((g * 549755813881 + %(salt)s) %% 1099511627776), 4, 8),
       gen_random_uuid(), (%(categories)s::bigint[])[c], (%(departments)s::bigint[])[c],
       CASE WHEN state = 'in_progress' AND rx < 0.5 THEN %(officer)s::bigint END,
       (ARRAY['Lubang besar di tengah jalan, motor sering terperosok saat hujan.',
              'Genangan setinggi lutut setiap hujan deras karena saluran tersumbat.',
              'Sampah di TPS tidak diangkut sejak seminggu, bau menyengat.',
              'Lampu jalan mati berturut-turut, jalan gelap di malam hari.',
              'Trotoar dipenuhi lapak PKL sehingga pejalan kaki turun ke jalan.',
              'Pohon besar miring ke arah jalan setelah angin kencang.',
              'Diminta biaya tambahan tanpa kuitansi saat mengurus surat keterangan.'])[c]
           || ' Lokasi dekat ' || (ARRAY['masjid', 'sekolah', 'pasar', 'puskesmas', 'kantor kelurahan',
                                         'pertigaan', 'jembatan', 'gang'])[1 + mod(g, 8)] || '.',
       CASE c WHEN 1 THEN jsonb_build_object('ukuran', (ARRAY['kecil', 'sedang', 'besar'])[1 + mod(g, 3)],
                                             'membahayakan', (ARRAY['ya', 'tidak'])[1 + mod(g, 2)])
              WHEN 2 THEN jsonb_build_object('kedalaman_cm', (10 + mod(g * 7, 90))::text)
              WHEN 4 THEN CASE WHEN mod(g, 3) = 0 THEN jsonb_build_object('nomor_tiang', 'PJU-' || mod(g, 9000))
                               ELSE '{}'::jsonb END
              WHEN 7 THEN jsonb_build_object('unit', (ARRAY['Kantor kelurahan', 'Kantor kecamatan', 'Disdukcapil',
                                                             'Puskesmas'])[1 + mod(g, 4)])
              ELSE '{}'::jsonb END,
       CASE WHEN c = 7 OR ry < 0.12 THEN 'anonymous' WHEN ry > 0.96 THEN 'confidential' ELSE 'public' END,
       round((pool.lat + dlat)::numeric, 6)::float8, round((pool.lng + dlng)::numeric, 6)::float8,
       'Jl. ' || (ARRAY['Merdeka', 'Sudirman', 'Diponegoro', 'Ahmad Yani', 'Gatot Subroto', 'Pahlawan', 'Veteran',
                        'Siliwangi', 'Pattimura', 'Sam Ratulangi'])[1 + mod(p, 10)] || ' No. ' || (1 + mod(p * 7, 250)),
       pool.district_id, pool.village_id,
       reporter_id,
       CASE WHEN reporter_id IS NOT NULL THEN 'Warga ' || reporter_id
            WHEN source = 'open311' AND mod(g, 2) = 0 THEN '' ELSE 'Pelapor ' || g END,
       CASE WHEN reporter_id IS NOT NULL THEN 'pelapor' || (reporter_id - %(first_user)s + 1) || '@example.id'
            WHEN source = 'open311' AND mod(g, 3) = 0 THEN ''
            ELSE 'warga' || g || '.' || %(slug)s || '@example.id' END,
       CASE WHEN mod(g, 4) = 0 THEN '08' || lpad(mod(g::bigint * 7919, 1000000000)::text, 10, '0') ELSE '' END,
       CASE WHEN source = 'open311' THEN 'device-' || md5(%(slug)s || g) ELSE '' END,
       source, CASE WHEN source = 'open311' THEN %(key)s::bigint END,
       CASE state WHEN 'in_progress' THEN 'Petugas dijadwalkan ke lokasi minggu ini.'
                  WHEN 'resolved' THEN 'Sudah ditindaklanjuti oleh petugas.'
                  WHEN 'closed' THEN 'Sudah ditindaklanjuti oleh petugas.'
                  WHEN 'rejected' THEN 'Lokasi berada di lahan pribadi; silakan hubungi pemilik lahan.'
                  WHEN 'not_our_authority' THEN 'Diteruskan ke instansi yang berwenang.'
                  ELSE '' END,
       NULL, CASE WHEN rz < 0.2 THEN floor(ry * 12)::int ELSE 0 END, NULL,
       state NOT IN ('unconfirmed', 'submitted') AND rx > 0.8, ry < 0.002,
       CASE WHEN state = 'unconfirmed' THEN md5(%(slug)s || g || 'confirm') ELSE '' END,
       CASE WHEN state = 'closed' AND reporter_id IS NOT NULL AND rz < 0.3 THEN 1 + floor(ry * 5)::int END,
       '', created_at, greatest(created_at, entered_at),
       CASE WHEN state IN ('resolved', 'closed')
            THEN entered_at - rz * least(interval '5 days', entered_at - created_at) END
FROM timed
JOIN bench_place_pool AS pool ON pool.city_id = %(city)s AND pool.i = timed.p
ORDER BY created_at
"""

# Eight base-32 digits (2-9, A-Z without I and O) of x, digits [first, last), most significant first.
DIGITS_FUNCTION = """
CREATE OR REPLACE FUNCTION string_agg_digits(x bigint, first int, last int) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT string_agg(substr('23456789ABCDEFGHJKLMNPQRSTUVWXYZ', ((x >> (5 * (7 - k))) & 31)::int + 1, 1), ''
                      ORDER BY k)
    FROM generate_series(first, last - 1) AS k
$$
"""


def officer_id(city) -> int | None:
    from kotapintar.core.models import Membership

    return Membership.objects.filter(city=city, role="complaint_officer").values_list("user_id", flat=True).first()


def bulk_load(cities: dict, rows: int) -> float:
    from django.db import connection
    from django.utils import timezone

    started = time.monotonic()
    now = timezone.now()
    start = now - datetime.timedelta(days=DAYS_OF_HISTORY)
    total_weight = sum(CITY_WEIGHTS.values())
    counts = {slug: rows * weight // total_weight for slug, weight in CITY_WEIGHTS.items()}
    counts["bandung"] += rows - sum(counts.values())
    rng = random.Random(2016)
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET work_mem = '256MB'")
        cursor.execute("SELECT setseed(0.2016)")
        cursor.execute(USERS_SQL, {"count": CITIZENS})
        cursor.execute("SELECT min(id), max(id), count(*) FROM core_user WHERE username LIKE %s", ["pelapor%"])
        first_user, last_user, users = cursor.fetchone()
        if last_user - first_user + 1 != users:
            raise SystemExit(f"citizen ids are not contiguous ({first_user}..{last_user} for {users} rows)")
        print(f"  {users:,} citizen accounts in {time.monotonic() - started:.1f} s")
        pool_started = time.monotonic()
        cursor.execute("CREATE TEMPORARY TABLE bench_place_pool (city_id bigint, i int, lat float8, lng float8, "
                       "district_id bigint, village_id bigint, PRIMARY KEY (city_id, i))")
        pools = {slug: place_pool(cities[slug][0], POOL_POINTS, rng) for slug in DEMO_CITIES}
        raw = cursor.cursor  # psycopg 3: COPY the pool
        with raw.copy("COPY bench_place_pool (city_id, i, lat, lng, district_id, village_id) FROM STDIN") as copy:
            for slug in DEMO_CITIES:
                for i, (lat, lng, district, village) in enumerate(pools[slug], start=1):
                    copy.write_row((cities[slug][0].pk, i, lat, lng, district, village))
        cursor.execute("ANALYZE bench_place_pool")
        print(f"  {POOL_POINTS:,} places per city inside its boundary in {time.monotonic() - pool_started:.1f} s")
        cursor.execute(DIGITS_FUNCTION)
        for slug in DEMO_CITIES:
            city, categories, key = cities[slug]
            workflows = {c.workflow_id for c in categories}
            if len(workflows) != 1:
                raise SystemExit(f"{slug}: the categories should share the complaint workflow ({workflows})")
            params = {
                "city": city.pk, "slug": slug, "count": counts[slug], "start": start, "now": now,
                "step": (now - start).total_seconds() / counts[slug], "pool": POOL_POINTS,
                "first_user": first_user, "users": users, "workflow": workflows.pop(),
                "categories": [c.pk for c in categories], "departments": [c.department_id for c in categories],
                "officer": officer_id(city), "key": key.pk, "salt": rng.randrange(1 << 40),
            }
            city_started = time.monotonic()
            cursor.execute(REPORTS_SQL, params)
            print(f"  {city.name}: {counts[slug]:,} reports in {time.monotonic() - city_started:.1f} s")
        # A duplicate points at an earlier report of its city (the previous one filed there).
        cursor.execute("""UPDATE complaints_complaint AS d SET duplicate_of_id = (
                              SELECT max(o.id) FROM complaints_complaint o WHERE o.city_id = d.city_id AND o.id < d.id)
                          WHERE d.state = 'duplicate' AND d.duplicate_of_id IS NULL""")
        cursor.execute("DROP FUNCTION string_agg_digits(bigint, int, int)")
    return time.monotonic() - started


def vacuum_analyze() -> float:
    from django.db import connection

    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE complaints_complaint")
        cursor.execute("VACUUM ANALYZE core_user")
        cursor.execute("ANALYZE")
    return time.monotonic() - started


def describe_data() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT state, count(*) FROM complaints_complaint GROUP BY state ORDER BY count(*) DESC")
        states = ", ".join(f"{state} {count:,}" for state, count in cursor.fetchall())
        cursor.execute("SELECT count(*), pg_size_pretty(pg_total_relation_size('complaints_complaint')), "
                       "count(DISTINCT (city_id, tracking_number)) FROM complaints_complaint")
        total, size, distinct = cursor.fetchone()
        cursor.execute("SELECT c.slug, count(*) FROM complaints_complaint r JOIN core_city c ON c.id = r.city_id "
                       "GROUP BY c.slug ORDER BY count(*) DESC")
        per_city = ", ".join(f"{slug} {count:,}" for slug, count in cursor.fetchall())
    print(f"  {total:,} reports ({size} with indexes; {distinct:,} distinct tracking numbers per city)")
    print(f"  per state: {states}")
    print(f"  per city: {per_city}")


def prepare(server: str, name: str, rows: int, data_dir: str, reuse: bool) -> None:
    """Set up Django on the database `name`; create, migrate and load it unless `reuse`."""
    if not reuse:
        with admin_connection(server) as admin:
            if name.startswith("bench_complaints"):  # left by an interrupted run (make bench keeps it between scripts)
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
    setup_django(server, name, data_dir, "django.core.mail.backends.dummy.EmailBackend")
    if reuse:
        describe_data()
        return
    from django.core.management import call_command

    started = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"migrated in {time.monotonic() - started:.1f} s")
    started = time.monotonic()
    cities = load_cities()
    print(f"demo: nine cities with their complaint categories in {time.monotonic() - started:.1f} s")
    print(f"bulk load of {rows:,} reports (INSERT ... SELECT generate_series, one statement per city):")
    load_seconds = bulk_load(cities, rows)
    vacuum_seconds = vacuum_analyze()
    describe_data()
    print(f"loaded in {load_seconds:.1f} s, VACUUM ANALYZE {vacuum_seconds:.1f} s")
    figure("complaints_load_seconds", f"{load_seconds + vacuum_seconds:.1f} s ({rows:,} reports, with VACUUM ANALYZE)")


def drop(server: str, name: str) -> None:
    from django.db import connections

    connections.close_all()
    with admin_connection(server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- measuring ----------------------------------------------------------------------------------------------
def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def summary(ms: list[float]) -> str:
    return f"median {statistics.median(ms):.2f} ms, p95 {percentile(ms, 0.95):.2f} ms, {len(ms)} calls"


def timed_queries(function) -> tuple[object, list[dict]]:
    """Run `function()`; return its result and the statements it sent (SQL and ms each; transaction control,
    BEGIN/COMMIT/savepoints, not counted)."""
    from django.db import connection

    statements = []

    def timed_execute(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            if not sql.lstrip().upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")):
                ms = (time.perf_counter() - start) * 1000
                statements.append({"sql": connection.ops.last_executed_query(context["cursor"], sql, params),
                                   "ms": ms})

    with connection.execute_wrapper(timed_execute):
        result = function()
    return result, statements


def explain(sql: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql)
        return [row[0] for row in cursor.fetchall()]


def show_queries(label: str, queries: list[dict], plan_of: str = "") -> None:
    print(f"{label}: {len(queries)} queries")
    for query in queries:
        sql = query["sql"]
        print(f"  {query['ms']:7.3f} ms  {sql if len(sql) < 200 else sql[:197] + '...'}")
    for query in queries:
        if plan_of and plan_of in query["sql"]:
            print("  its plan (EXPLAIN ANALYZE):")
            for line in explain(query["sql"]):
                print(f"    {line}")
            break


def url_exists(path: str) -> bool:
    from django.urls import Resolver404, resolve

    try:
        match = resolve(path)
    except Resolver404:
        return False
    return getattr(match.func, "__name__", "") != "_todo"


def nearby_points(count: int) -> list[tuple[str, float, float, int]]:
    """Half at the place of a random open public report (someone about to file it again), half at a random
    report's place moved by ~200 m (a new problem). (city slug, lat, lng, category id)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM complaints_complaint")
        low, high = cursor.fetchone()
        ids = random.sample(range(low, high + 1), count * 8)
        cursor.execute("SELECT c.slug, r.lat, r.lng, r.category_id, r.state IN ('submitted', 'verified', "
                       "'in_progress') AND r.visibility <> 'confidential' AND NOT r.hidden "
                       "FROM complaints_complaint r JOIN core_city c ON c.id = r.city_id WHERE r.id = ANY(%s)", [ids])
        rows = cursor.fetchall()
    open_rows = [r[:4] for r in rows if r[4]][: count // 2]
    other = [(slug, lat + random.uniform(-0.002, 0.002), lng + random.uniform(-0.002, 0.002), category)
             for slug, lat, lng, category, _open in rows[: count - len(open_rows)]]
    points = open_rows + other
    random.shuffle(points)
    return points


def measure_nearby(args) -> None:
    from django.test import Client

    from kotapintar.complaints.selectors import complaints_nearby
    from kotapintar.core.models import City

    cities = {city.slug: city for city in City.objects.all()}
    points = nearby_points(args.requests + 20)
    for slug, lat, lng, _category in points[:20]:  # warm-up
        complaints_nearby(cities[slug], lat, lng, metres=50)
    results = {}
    for label, with_category in (("any category", False), ("same category", True)):
        timings, found = [], []
        for slug, lat, lng, category in points[20:]:
            start = time.perf_counter()
            hits = complaints_nearby(cities[slug], lat, lng, metres=50,
                                     category=category if with_category else None)
            timings.append((time.perf_counter() - start) * 1000)
            found.append(len(hits))
        results[label] = timings
        print(f"complaints_nearby(city, lat, lng, metres=50, {label}): {summary(timings)}; "
              f"reports found: mean {statistics.mean(found):.1f}, max {max(found)}, "
              f"{sum(1 for n in found if n) / len(found):.0%} of the calls find one")
    slug, lat, lng, _category = points[0]
    _hits, queries = timed_queries(lambda: complaints_nearby(cities[slug], lat, lng, metres=50))
    show_queries(f"complaints_nearby at {slug} {lat:.6f},{lng:.6f}", queries, plan_of='"complaints_complaint"')
    counts = {len(timed_queries(lambda p=p: complaints_nearby(cities[p[0]], p[1], p[2], metres=50))[1])
              for p in points[:10]}
    median = statistics.median(results["any category"])
    figure("complaints_nearby_median", f"{median:.2f} ms", f"< {TARGET_NEARBY_MS:.0f} ms", median < TARGET_NEARBY_MS)
    figure("complaints_nearby_p95", f"{percentile(results['any category'], 0.95):.2f} ms")
    figure("complaints_nearby_queries", f"{sorted(counts)} per call (10 places)", "constant", len(counts) == 1)

    page = "/bandung/complaints/nearby/"
    if not url_exists(page):
        print(f"SKIPPED {page}: the view is not written yet")
        return
    client = Client()
    urls = [f"/{slug}/complaints/nearby/?lat={lat:.6f}&lng={lng:.6f}" for slug, lat, lng, _c in points]
    for url in urls[:20]:
        client.get(url)
    timings, statuses = [], set()
    for url in urls[20:]:
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        statuses.add(response.status_code)
    _response, queries = timed_queries(lambda: client.get(urls[0]))
    counts = {len(timed_queries(lambda u=u: client.get(u))[1]) for u in urls[1:6]}
    show_queries(f"GET {urls[0]}", queries)
    median = statistics.median(timings)
    print(f"GET /<city>/complaints/nearby/?lat=&lng=: {summary(timings)}, statuses {sorted(statuses)}")
    figure("complaints_nearby_page_median", f"{median:.2f} ms", f"< {TARGET_NEARBY_MS:.0f} ms",
           median < TARGET_NEARBY_MS and statuses == {200})
    figure("complaints_nearby_page_p95", f"{percentile(timings, 0.95):.2f} ms")
    counts.add(len(queries))
    figure("complaints_nearby_page_queries", f"{len(queries)} per request (6 places: {sorted(counts)})",
           "constant", len(counts) == 1)


def open311_list_url(slug: str, end: datetime.datetime, days: int = 90) -> str:
    start = end - datetime.timedelta(days=days)
    return (f"/{slug}/open311/v2/requests.json?start_date={start:%Y-%m-%dT%H:%M:%SZ}"
            f"&end_date={end:%Y-%m-%dT%H:%M:%SZ}")


def measure_open311_list(args) -> None:
    from django.test import Client
    from django.utils import timezone

    if not url_exists("/bandung/open311/v2/requests.json"):
        print("SKIPPED GET /<city>/open311/v2/requests.json: the Open311 views are not written yet")
        return
    client = Client()
    now = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    # Windows ending at random times in the year (always at least 90 days of data before them).
    ends = [now - datetime.timedelta(days=random.uniform(0, DAYS_OF_HISTORY - 90)) for _ in range(args.requests)]
    urls = [open311_list_url("bandung", end) for end in ends]
    urls[0] = open311_list_url("bandung", now)  # the default window: the last 90 days
    for url in urls[:10]:
        client.get(url)
    timings, sizes, statuses = [], [], set()
    for url in urls:
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        statuses.add(response.status_code)
        if response.status_code == 200:
            sizes.append(len(response.content))
    first = client.get(urls[0])
    results = len(first.json()) if first.status_code == 200 and isinstance(first.json(), list) else None
    _response, queries = timed_queries(lambda: client.get(urls[0]))
    show_queries(f"GET {urls[0]}", queries, plan_of='"complaints_complaint"')
    counts = {len(queries)} | {len(timed_queries(lambda u=u: client.get(u))[1]) for u in urls[1:6]}
    other_cities = {}
    for slug in DEMO_CITIES:
        url = open311_list_url(slug, now)
        client.get(url)
        city_ms = []
        for _ in range(10):
            start = time.perf_counter()
            client.get(url)
            city_ms.append((time.perf_counter() - start) * 1000)
        other_cities[slug] = (statistics.median(city_ms), len(timed_queries(lambda u=url: client.get(u))[1]))
    counts_all = counts | {n for _ms, n in other_cities.values()}
    median = statistics.median(timings)
    print(f"GET /bandung/open311/v2/requests.json, 90-day windows: {summary(timings)}, statuses {sorted(statuses)}, "
          f"{results} requests in the answer for the last 90 days, body {statistics.median(sizes) / 1024:.0f} KiB "
          "median")
    print("  last 90 days per city (median of 10, queries): "
          + ", ".join(f"{slug} {ms:.1f} ms/{n}" for slug, (ms, n) in other_cities.items()))
    figure("open311_requests_list_median", f"{median:.2f} ms", f"< {TARGET_LIST_MS:.0f} ms",
           median < TARGET_LIST_MS and statuses == {200})
    figure("open311_requests_list_p95", f"{percentile(timings, 0.95):.2f} ms")
    figure("open311_requests_list_queries", f"{len(queries)} per request (6 windows and 9 cities: "
           f"{sorted(counts_all)})", "constant", len(counts_all) == 1)


def measure_filing(args) -> None:
    """One report filed in process, as the Open311 POST does: the service, then the view when it exists."""
    from django.db import connection
    from django.test import Client

    from kotapintar.complaints.models import ComplaintCategory, Open311Key
    from kotapintar.complaints.services.keys import open311_key_create
    from kotapintar.complaints.services.reports import complaint_create
    from kotapintar.core.models import City

    city = City.objects.get(slug="bandung")
    category = ComplaintCategory.objects.get(city=city, code="sampah")
    key = Open311Key.objects.filter(city=city, revoked_at=None).first()
    points = [p for p in nearby_points(200) if p[0] == "bandung"] or [("bandung", city.lat, city.lng, None)]
    timings = []
    for n in range(args.filings):
        _slug, lat, lng, _category = points[n % len(points)]
        start = time.perf_counter()
        complaint_create(city=city, category=category, description="Sampah menumpuk di pinggir jalan (bench).",
                         lat=lat, lng=lng, source="open311", api_key=key, reporter_email=f"bench{n}@example.id",
                         device_id=f"bench-{n}", check_limits=True)
        timings.append((time.perf_counter() - start) * 1000)
    _slug, lat, lng, _category = points[0]
    _complaint, queries = timed_queries(lambda: complaint_create(
        city=city, category=category, description="Sampah menumpuk di pinggir jalan (bench).", lat=lat, lng=lng,
        source="open311", api_key=key, reporter_email="bench-q@example.id", device_id="bench-q"))
    show_queries("complaint_create (Open311 client, no photo)", queries)
    print(f"complaint_create in process, one after another: {summary(timings)} "
          f"(= {1000 / statistics.mean(timings):.0f} reports/s on one connection)")
    figure("complaints_create_ms", f"median {statistics.median(timings):.2f} ms, {len(queries)} queries")

    if not url_exists("/bandung/open311/v2/requests.json"):
        print("SKIPPED POST /<city>/open311/v2/requests.json: the Open311 views are not written yet")
        return
    _record, secret = open311_key_create(city=city, name="bench in process", actor=None)
    client = Client()

    def post(n: int):
        _slug, lat, lng, _category = points[n % len(points)]
        return client.post("/bandung/open311/v2/requests.json", {
            "api_key": secret, "service_code": "sampah", "lat": f"{lat:.6f}", "long": f"{lng:.6f}",
            "description": "Sampah menumpuk di pinggir jalan (bench).", "email": f"post{n}@example.id",
            "device_id": f"post-{n}"})

    response = post(0)
    if response.status_code not in (200, 201):
        print(f"POST answered {response.status_code}: {response.content[:300]!r}")
        return
    timings = []
    for n in range(1, args.filings + 1):
        start = time.perf_counter()
        response = post(n)
        timings.append((time.perf_counter() - start) * 1000)
        if response.status_code not in (200, 201):
            raise SystemExit(f"POST answered {response.status_code}: {response.content[:300]!r}")
    _response, queries = timed_queries(lambda: post(10_000))
    show_queries("POST /bandung/open311/v2/requests.json", queries)
    print(f"POST /bandung/open311/v2/requests.json in process: {summary(timings)} "
          f"(= {1000 / statistics.mean(timings):.0f} reports/s on one connection)")
    figure("open311_post_in_process_ms", f"median {statistics.median(timings):.2f} ms, {len(queries)} queries")
    connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=2_000_000, help="reports to load")
    parser.add_argument("--requests", type=int, default=300, help="timed calls per measurement")
    parser.add_argument("--filings", type=int, default=200, help="reports filed in process")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server URL")
    parser.add_argument("--name", help="database name (default bench_complaints_<pid>)")
    parser.add_argument("--keep", action="store_true", help="keep the database (its name is printed)")
    parser.add_argument("--reuse", metavar="NAME", help="measure a database kept by an earlier --keep run")
    args = parser.parse_args()

    print_machine("bench_complaints: Open311 list, nearby check and filing with 2,000,000 reports (PostgreSQL)")
    try:
        with admin_connection(args.server) as admin:
            version = admin.execute("SHOW server_version").fetchone()[0]
    except Exception as exc:  # noqa: BLE001 (any failure to connect means: no PostgreSQL here)
        print(f"SKIPPED: PostgreSQL is unreachable at {args.server} ({type(exc).__name__}: {exc})".strip())
        return 0
    name = args.reuse or args.name or f"bench_complaints_{os.getpid()}"
    keep = args.keep or bool(args.reuse)
    data_dir = tempfile.mkdtemp(prefix="kotapintar-bench-complaints-")
    print(f"database: PostgreSQL {version}, {name}; requests through Django's test Client (in process, no HTTP)")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    try:
        prepare(args.server, name, args.rows, data_dir, reuse=bool(args.reuse))
        random.seed(4)
        measure_nearby(args)
        measure_open311_list(args)
        measure_filing(args)
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        if keep:
            from django.db import connections

            connections.close_all()
            print(f"kept database {name} (measure again: --reuse {name}; HTTP filing: "
                  f"bench_complaints_open311_post.py --reuse {name}; drop: psql -c 'DROP DATABASE {name}')")
        else:
            drop(args.server, name)
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
