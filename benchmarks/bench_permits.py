"""Do the officials' inbox and the public status lookup stay fast with 1,000,000 applications?

Targets (issue 3, on PostgreSQL with 1,000,000 applications across the nine cities):
- an official's inbox page (50 items) and the public status lookup each answer in under 50 ms median;
- the public status lookup serves at least 70 % of the requests per second of a bare Django view that
  runs the same single indexed query (both measured in the same run).

Creates its own PostgreSQL database (bench_permits_<pid> on postgres://postgres@127.0.0.1:5432, dropped
at the end), migrates it, loads the demo (the nine cities, kotapintar.core.demo.load_demo), installs
the four standard permit types in every city, adds 200,000 applicant accounts and bulk-loads
1,000,000 applications with INSERT ... SELECT generate_series (one statement per city, in time
order, every state of the workflows, registration numbers with gap-free sequences per city and
year, due dates, form data and fees), then VACUUM ANALYZE.

Requests go through Django's test Client by default (the whole middleware, URL and template stack in
this process, no HTTP server or socket; Django's test instrumentation of template rendering is not
installed, as in production), or with --http over one keep-alive HTTP/1.1 connection to a waitress
subprocess (1 thread) serving the same URLconf (bench_permits_wsgi.py). Measured: median and p95 of
the inbox page /bandung/permits/inbox/ of Bandung's verifier (50 items) and of
/<city>/permits/status/?number=<random existing number> (random city and number per request), the
queries per request (CaptureQueriesContext), and the requests per second of the status page against
a bare view in a URLconf local to this benchmark (`/__bench__/<city>/status/?number=`, behind the same
middleware, running `PermitApplication.objects.filter(city_id=..., registration_number=...)
.values(...).first()` and answering a tiny HttpResponse), in alternating rounds over the same numbers so
that drift of a shared machine hits both equally. Also printed: the plans of the application queries
(EXPLAIN ANALYZE), where the time of each page goes (database, template, other Python) and the cost
of each step of the status page on its own, and the load average of the machine.

    .venv/bin/python benchmarks/bench_permits.py [--rows 1000000] [--requests 500] [--rounds 10]
        [--round-requests 200] [--http] [--server postgres://postgres@127.0.0.1:5432]
        [--keep] [--reuse bench_permits_<pid>]  (keep the loaded database / measure a kept one again)
        [--extra-index "CREATE INDEX ..."]  (measure again with an index made only in the bench database)
"""

import argparse
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
from _common import DEMO_CITIES, REPO_DIR, admin_connection, figure, print_machine, setup_django  # noqa: E402

TARGET_MEDIAN_MS = 50.0
TARGET_RATIO = 0.70
APPLICANTS = 200_000
# Share of the applications per city, roughly by population (BPS 2020, thousands).
CITY_WEIGHTS = {"bandung": 2444, "medan": 2435, "pekanbaru": 983, "yogyakarta": 373, "palangkaraya": 294,
                "banjarmasin": 657, "banjarbaru": 253, "makassar": 1423, "manado": 451}
CITY_CENTRES = {"bandung": (-6.914, 107.609), "medan": (3.595, 98.672), "pekanbaru": (0.507, 101.447),
                "yogyakarta": (-7.797, 110.370), "palangkaraya": (-2.209, 113.916), "banjarmasin": (-3.316, 114.590),
                "banjarbaru": (-3.457, 114.810), "makassar": (-5.147, 119.432), "manado": (1.474, 124.842)}
YEARS_OF_HISTORY = 5
FRESH_DAYS = 10  # applications newer than this are the current work: every state
RECENT_DAYS = 60  # up to this age most are decided, some still wait; older ones are decided or abandoned
TYPE_CODES = ["pbg", "reklame", "keramaian", "sip"]  # t = 1..4 in the SQL below

# -- the URLconf of the benchmark: the project's URLs plus the bare view ------------------------------------
CITY_IDS: dict[str, int] = {}
urlpatterns: list = []  # filled by install_urls() once Django is set up


def bare_status(request, slug):
    """The baseline: one indexed query, a tiny response, no template."""
    from django.http import HttpResponse

    from kotapintar.permits.models import PermitApplication

    row = (PermitApplication.objects.filter(city_id=CITY_IDS[slug], registration_number=request.GET.get("number", ""))
           .values("registration_number", "state", "due_at").first())
    if row is None:
        return HttpResponse("not found", status=404, content_type="text/plain")
    return HttpResponse(f"{row['registration_number']} {row['state']} {row['due_at']:%Y-%m-%d}"
                        if row["due_at"] else f"{row['registration_number']} {row['state']}", content_type="text/plain")


def install_urls() -> None:
    from django.urls import include, path

    from kotapintar.core.models import City

    CITY_IDS.update(City.objects.values_list("slug", "id"))
    urlpatterns[:] = [path("__bench__/<slug:slug>/status/", bare_status),
                      path("", include("kotapintar.config.urls"))]


# -- database -------------------------------------------------------------------------------------------
def load_cities() -> dict:
    """The demo (nine cities, Bandung's officials and demo applications) and the standard types everywhere."""
    from kotapintar.core.demo import load_demo
    from kotapintar.core.models import City
    from kotapintar.permits.demo import install_standard_types

    load_demo()
    cities = {}
    for slug in DEMO_CITIES:
        city = City.objects.get(slug=slug)
        cities[slug] = (city, install_standard_types(city))
    return cities


USERS_SQL = """
INSERT INTO core_user (password, last_login, is_superuser, username, first_name, last_name, email, is_staff,
                       is_active, date_joined, full_name, nik, phone, language)
SELECT '!', NULL, false, 'pemohon' || g, '', '', 'pemohon' || g || '@example.id', false, true,
       now() - random() * interval '5 years',
       (ARRAY['Siti', 'Budi', 'Dewi', 'Agus', 'Rina', 'Andi', 'Putri', 'Joko', 'Ayu', 'Rizky', 'Made', 'Nur'])
           [1 + mod(g, 12)] || ' ' ||
       (ARRAY['Rahmawati', 'Santoso', 'Lestari', 'Pratama', 'Hidayat', 'Siregar', 'Nasution', 'Wijaya', 'Saputra',
              'Halim', 'Manoppo', 'Daeng', 'Lubis', 'Kusuma'])[1 + mod(g / 12, 14)],
       NULL, '08' || lpad((mod(g * 7919, 1000000000))::text, 10, '0'), 'id'
FROM generate_series(1, %(count)s) AS g
"""

# One statement per city. t: 1 pbg, 2 reklame, 3 keramaian, 4 sip (free; no inspection, no payment for 3 and 4).
APPLICATIONS_SQL = """
WITH base AS (
    SELECT g,
           %(start)s::timestamptz + ((g - 1) + random()) * %(step)s * interval '1 second' AS created_at,
           random() AS rs, random() AS rt, random() AS rx, random() AS ry,
           36 + floor(random() * 400)::int AS q1, 1 + floor(random() * 3)::int AS q2,
           %(first_user)s + floor(random() * %(users)s)::bigint AS applicant_id,
           round((%(lat)s + random() / 20 - 0.025)::numeric, 5) || ','
               || round((%(lon)s + random() / 20 - 0.025)::numeric, 5) AS point
    FROM generate_series(1, %(count)s) AS g
), typed AS (
    SELECT base.*,
           CASE WHEN rt < 0.30 THEN 1 WHEN rt < 0.60 THEN 2 WHEN rt < 0.80 THEN 3 ELSE 4 END AS t,
           CASE WHEN created_at > %(now)s - %(fresh)s * interval '1 day' THEN  -- the current work
                CASE WHEN rs < 0.10 THEN 'draft' WHEN rs < 0.40 THEN 'submitted' WHEN rs < 0.47 THEN 'returned'
                     WHEN rs < 0.60 THEN 'verified' WHEN rs < 0.66 THEN 'inspected'
                     WHEN rs < 0.73 THEN 'awaiting_payment' WHEN rs < 0.95 THEN 'issued' ELSE 'rejected' END
           WHEN created_at > %(now)s - %(recent)s * interval '1 day' THEN  -- mostly decided, some waiting
                CASE WHEN rs < 0.04 THEN 'draft' WHEN rs < 0.06 THEN 'submitted' WHEN rs < 0.10 THEN 'returned'
                     WHEN rs < 0.12 THEN 'verified' WHEN rs < 0.13 THEN 'inspected'
                     WHEN rs < 0.17 THEN 'awaiting_payment' WHEN rs < 0.90 THEN 'issued' ELSE 'rejected' END
           ELSE CASE WHEN rs < 0.02 THEN 'draft' WHEN rs < 0.03 THEN 'returned' WHEN rs < 0.04 THEN 'awaiting_payment'
                     WHEN rs < 0.90 THEN 'issued' ELSE 'rejected' END
           END AS s0
    FROM base
), stated AS (
    SELECT typed.*,
           CASE WHEN s0 = 'inspected' AND t <> 1 THEN 'verified'
                WHEN s0 = 'awaiting_payment' AND t > 2 THEN 'issued'
                ELSE s0 END AS state
    FROM typed
), timed AS (
    SELECT stated.*,
           CASE WHEN state = 'draft' THEN NULL
                ELSE created_at + rx * least(interval '3 days', %(now)s - created_at) END AS submitted_at
    FROM stated
), entered AS (
    SELECT timed.*,
           CASE WHEN state = 'draft' THEN created_at
                WHEN state = 'submitted' THEN submitted_at
                ELSE submitted_at + ry * least(interval '12 days', %(now)s - submitted_at) END AS entered_at
    FROM timed
), numbered AS (
    SELECT entered.*,
           extract(year FROM submitted_at AT TIME ZONE 'UTC')::int AS yr,
           row_number() OVER (PARTITION BY state = 'draft', extract(year FROM submitted_at AT TIME ZONE 'UTC')
                              ORDER BY submitted_at, g) AS rn,
           -- SLA in working days, as calendar days (5 working days a week)
           CASE WHEN state = 'submitted' THEN 2
                WHEN state = 'verified' AND t = 1 THEN 5
                WHEN state IN ('verified', 'inspected') THEN 3 END AS sla
    FROM entered
)
INSERT INTO permits_permitapplication
    (city_id, workflow_id, permit_type_id, state, state_entered_at, due_at, escalated, applicant_id,
     registration_number, data, return_fields, fee_amount, assigned_to_id, created_at, submitted_at, decided_at)
SELECT %(city)s, (%(workflows)s::bigint[])[t], (%(types)s::bigint[])[t], state, entered_at,
       entered_at + ceil(sla * 7 / 5.0) * interval '1 day',
       coalesce(entered_at + ceil(sla * 7 / 5.0) * interval '1 day' < %(now)s, false),
       applicant_id,
       CASE WHEN state = 'draft' THEN ''
            ELSE %(prefix)s || '-' || yr || '-' || lpad((rn + coalesce(seq.last, 0))::text, 6, '0') END,
       CASE t
           WHEN 1 THEN jsonb_build_object(
               'alamat_bangunan', 'Jl. ' || (ARRAY['Merdeka', 'Sudirman', 'Diponegoro', 'Ahmad Yani', 'Gatot Subroto',
                                                   'Pahlawan', 'Veteran', 'Siliwangi'])[1 + mod(g, 8)]
                                  || ' No. ' || (1 + mod(g, 250)),
               'lokasi', point,
               'fungsi_bangunan', (ARRAY['hunian', 'usaha', 'sosial budaya', 'campuran'])[1 + mod(g, 4)],
               'luas_bangunan', q1::text, 'jumlah_lantai', (1 + mod(g, 3))::text,
               'indeks_lokasi', (ARRAY['1', '1.5', '2'])[q2])
           WHEN 2 THEN jsonb_build_object(
               'lokasi_reklame', 'Jl. ' || (ARRAY['Asia Afrika', 'Braga', 'Thamrin', 'Pemuda', 'Pattimura',
                                                  'Sam Ratulangi'])[1 + mod(g, 6)] || ' No. ' || (1 + mod(g, 180)),
               'titik', point,
               'luas_reklame', (2 + mod(q1, 38))::text, 'lama_hari', (7 * q2 * 10)::text,
               'naskah', 'Promosi ' || (ARRAY['Toko', 'Kuliner', 'Festival', 'Bank', 'Klinik'])[1 + mod(g, 5)]
                         || ' ' || g)
           WHEN 3 THEN jsonb_build_object(
               'nama_acara', (ARRAY['Konser Amal', 'Pesta Pernikahan', 'Bazar UMKM', 'Lomba Lari', 'Pengajian Akbar'])
                             [1 + mod(g, 5)] || ' ' || g,
               'tanggal_acara', to_char(created_at + interval '21 days', 'YYYY-MM-DD'),
               'tempat_acara', (ARRAY['Lapangan', 'Gedung Serbaguna', 'Taman Kota', 'Alun-alun'])[1 + mod(g, 4)],
               'perkiraan_peserta', (50 + mod(g * 37, 2000))::text)
           ELSE jsonb_build_object(
               'profesi', (ARRAY['dokter', 'dokter gigi', 'bidan', 'perawat', 'apoteker'])[1 + mod(g, 5)],
               'nomor_str', 'STR-' || %(prefix)s || '-' || lpad(g::text, 7, '0'),
               'tempat_praktik', (ARRAY['Klinik', 'Puskesmas', 'RSUD', 'Apotek'])[1 + mod(g, 4)]
                                 || ' ' || (1 + mod(g, 90)))
       END,
       CASE WHEN state = 'returned' THEN '["ktp"]'::jsonb ELSE '[]'::jsonb END,
       CASE WHEN state = 'draft' THEN NULL
            WHEN t = 1 THEN q1 * (ARRAY[1, 1.5, 2])[q2] * 10000
            WHEN t = 2 THEN (2 + mod(q1, 38)) * (7 * q2 * 10) * 2500 END,
       CASE WHEN state = 'submitted' AND rx < 0.3 THEN %(verifier)s::bigint
            WHEN state = 'verified' AND t = 1 AND rx < 0.3 THEN %(inspector)s::bigint
            WHEN state IN ('verified', 'inspected') AND rx < 0.3 THEN %(head)s::bigint END,
       created_at, submitted_at,
       CASE WHEN state IN ('awaiting_payment', 'issued', 'rejected') THEN entered_at END
FROM numbered
LEFT JOIN permits_numbersequence AS seq
       ON seq.city_id = %(city)s AND seq.key = 'registration' AND seq.year = numbered.yr
ORDER BY created_at
"""

SEQUENCES_SQL = """
INSERT INTO permits_numbersequence (city_id, key, year, last)
SELECT city_id, 'registration', split_part(registration_number, '-', 2)::int,
       max(split_part(registration_number, '-', 3)::int)
FROM permits_permitapplication WHERE registration_number <> ''
GROUP BY city_id, split_part(registration_number, '-', 2)
ON CONFLICT (city_id, key, year) DO UPDATE SET last = greatest(permits_numbersequence.last, excluded.last)
"""


def official_ids(city) -> dict[str, int | None]:
    from kotapintar.core.models import Membership

    ids = dict(Membership.objects.filter(city=city, role__in=["permit_verifier", "permit_inspector", "permit_head"])
               .values_list("role", "user_id"))
    return {"verifier": ids.get("permit_verifier"), "inspector": ids.get("permit_inspector"),
            "head": ids.get("permit_head")}


def bulk_load(cities: dict, rows: int) -> float:
    from django.db import connection
    from django.utils import timezone

    started = time.monotonic()
    now = timezone.now()
    start = now - timezone.timedelta(days=365 * YEARS_OF_HISTORY)
    total_weight = sum(CITY_WEIGHTS.values())
    counts = {slug: rows * weight // total_weight for slug, weight in CITY_WEIGHTS.items()}
    counts["bandung"] += rows - sum(counts.values())
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET work_mem = '256MB'")
        cursor.execute("SELECT setseed(0.2016)")
        cursor.execute(USERS_SQL, {"count": APPLICANTS})
        cursor.execute("SELECT min(id), max(id), count(*) FROM core_user WHERE username LIKE %s", ["pemohon%"])
        first_user, last_user, users = cursor.fetchone()
        if last_user - first_user + 1 != users:
            raise SystemExit(f"applicant ids are not contiguous ({first_user}..{last_user} for {users} rows)")
        print(f"  {users:,} applicant accounts in {time.monotonic() - started:.1f} s")
        for slug in DEMO_CITIES:
            city, types = cities[slug]
            step = (now - start).total_seconds() / counts[slug]
            params = {
                "city": city.pk, "count": counts[slug], "start": start, "step": step, "now": now,
                "fresh": FRESH_DAYS, "recent": RECENT_DAYS, "first_user": first_user, "users": users,
                "types": [types[code].pk for code in TYPE_CODES],
                "workflows": [types[code].workflow_id for code in TYPE_CODES],
                "prefix": city.region_code.replace(".", ""),
                "lat": CITY_CENTRES[slug][0], "lon": CITY_CENTRES[slug][1],
                **official_ids(city),
            }
            city_started = time.monotonic()
            cursor.execute(APPLICATIONS_SQL, params)
            print(f"  {city.name}: {counts[slug]:,} applications in {time.monotonic() - city_started:.1f} s")
        cursor.execute(SEQUENCES_SQL)
    return time.monotonic() - started


def vacuum_analyze() -> float:
    from django.db import connection

    started = time.monotonic()
    with connection.cursor() as cursor:  # Django runs in autocommit outside atomic blocks: VACUUM is allowed
        cursor.execute("VACUUM ANALYZE permits_permitapplication")
        cursor.execute("VACUUM ANALYZE core_user")
        cursor.execute("ANALYZE")
    return time.monotonic() - started


def describe_data() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT state, count(*) FROM permits_permitapplication GROUP BY state ORDER BY count(*) DESC")
        states = ", ".join(f"{state} {count:,}" for state, count in cursor.fetchall())
        cursor.execute("SELECT count(*), pg_size_pretty(pg_total_relation_size('permits_permitapplication')) "
                       "FROM permits_permitapplication")
        total, size = cursor.fetchone()
    print(f"  {total:,} applications ({size} with indexes): {states}")


# -- measuring ----------------------------------------------------------------------------------------------
def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


class InProcess:
    """Requests through Django's test Client: the whole handler, middleware and templates, no socket."""

    def __init__(self, client):
        self.client = client

    def get(self, url: str) -> tuple[int, bytes]:
        response = self.client.get(url)
        return response.status_code, response.content


class OverHttp:
    """Requests over one keep-alive HTTP/1.1 connection to the server subprocess (waitress, 1 thread)."""

    def __init__(self, port: int, cookie: str = ""):
        import http.client

        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Cookie": cookie} if cookie else {}

    def get(self, url: str) -> tuple[int, bytes]:
        self.connection.request("GET", url, headers=self.headers)
        response = self.connection.getresponse()
        return response.status, response.read()


def time_requests(fetcher, urls: list[tuple[str, bytes]]) -> list[float]:
    """Seconds per request; every answer must be a 200 containing `expect`."""
    timings = []
    for url, expect in urls:
        start = time.perf_counter()
        status, body = fetcher.get(url)
        timings.append(time.perf_counter() - start)
        if status != 200 or expect not in body:
            raise SystemExit(f"GET {url} answered {status}: {body[:300]!r}")
    return timings


def captured(client, url: str) -> list[dict]:
    """The queries of one request (in process): SQL as sent, and the time of each in ms."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings = []

    def timed_execute(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings.append((time.perf_counter() - start) * 1000)

    with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(timed_execute):
        time_requests(InProcess(client), [(url, b"")])
    return [{"sql": query["sql"], "ms": ms} for query, ms in zip(queries.captured_queries, timings, strict=True)]


def explain(sql: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql)
        return [row[0] for row in cursor.fetchall()]


def show_queries(label: str, queries: list[dict]) -> None:
    print(f"{label}: {len(queries)} queries per request")
    for query in queries:
        sql = query["sql"]
        print(f"  {query['ms']:6.3f} ms  {sql if len(sql) < 160 else sql[:157] + '...'}")
    for query in queries:
        if '"permits_permitapplication"' in query["sql"]:
            print(f"  application query: {query['sql']}")
            print("  its plan (EXPLAIN ANALYZE):")
            for line in explain(query["sql"]):
                print(f"    {line}")


def status_urls(count: int) -> list[tuple[str, bytes]]:
    """`count` random existing registration numbers, random cities (by their share of applications)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM permits_permitapplication")
        low, high = cursor.fetchone()
        ids = random.sample(range(low, high + 1), count * 2)
        cursor.execute("SELECT c.slug, a.registration_number FROM permits_permitapplication a "
                       "JOIN core_city c ON c.id = a.city_id WHERE a.id = ANY(%s) AND a.registration_number <> ''",
                       [ids])
        rows = cursor.fetchall()[:count]
    random.shuffle(rows)
    return [(f"/{slug}/permits/status/?number={number}", number.encode()) for slug, number in rows]


def bare(urls: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The same lookups on the bare view: /<city>/permits/status/?number=x -> /__bench__/<city>/status/?number=x."""
    return [("/__bench__" + url.replace("/permits/status/", "/status/"), expect) for url, expect in urls]


def breakdown(client, urls: list[tuple[str, bytes]]) -> dict[str, float]:
    """Mean wall time per request (ms) in this process, split into database (execute, all queries), template
    rendering (the permits views' `render` and `render_public`) and the rest (middleware, URL, ORM, views,
    test client)."""
    from django.db import connection

    from kotapintar.permits import views

    spent = {"db": 0.0, "render": 0.0, "queries": 0}
    originals = {name: getattr(views, name) for name in ("render", "render_public")}

    def timed(original):
        def timed_render(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent["render"] += time.perf_counter() - start
        return timed_render

    def timed_execute(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent["db"] += time.perf_counter() - start
            spent["queries"] += 1

    for name, original in originals.items():
        setattr(views, name, timed(original))
    try:
        with connection.execute_wrapper(timed_execute):
            total = sum(time_requests(InProcess(client), urls))
    finally:
        for name, original in originals.items():
            setattr(views, name, original)
    count = len(urls)
    result = {key: spent[key] * 1000 / count for key in ("db", "render")}
    result.update(total=total * 1000 / count, queries=spent["queries"] / count)
    result["other"] = result["total"] - result["db"] - result["render"]
    return result


def show_breakdown(label: str, parts: dict[str, float]) -> None:
    print(f"  {label:<34} {parts['total']:6.2f} ms = {parts['queries']:.0f} queries {parts['db']:5.2f} ms + "
          f"template {parts['render']:5.2f} ms + other Python {parts['other']:5.2f} ms")


def components(sample: list[tuple[str, bytes]]) -> list[tuple[str, float]]:
    """Mean time per call (ms, in process) of each step of the status page, and of the bare view's query."""
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from kotapintar.core.layout import render_public
    from kotapintar.core.models import City
    from kotapintar.core.selectors import city_active_module_ids, city_by_slug
    from kotapintar.permits.models import PermitApplication
    from kotapintar.permits.selectors import application_status_row
    from kotapintar.permits.views import status_article

    cities = {city.slug: city for city in City.objects.all()}
    active = {slug: (city.pk, city_active_module_ids(city)) for slug, city in cities.items()}
    lookups = [(url.split("/")[1], expect.decode()) for url, expect in sample]

    def status_row(slug, number):
        return application_status_row(city_id=cities[slug].pk, number=number)

    found = {(slug, number): status_row(slug, number) for slug, number in lookups}
    factory = RequestFactory()

    def render_status(slug, number):
        request = factory.get(f"/{slug}/permits/status/", {"number": number})
        request.user, request.city, request._active_modules = AnonymousUser(), cities[slug], active[slug]
        return render_public(request, status_article(cities[slug], found[(slug, number)]))

    steps = [
        ("City by slug, cached (CityModuleMiddleware)", lambda slug, number: city_by_slug(slug)),
        ("active modules (CityModuleMiddleware)", lambda slug, number: city_active_module_ids(cities[slug])),
        ("the status view's query (.values(6 fields)[:1])", status_row),
        ("render the status page (content, layout shell)", render_status),
        ("the bare view's query (.values(3 fields).first())",
         lambda slug, number: PermitApplication.objects.filter(city_id=cities[slug].pk, registration_number=number)
         .values("registration_number", "state", "due_at").first()),
    ]
    result = []
    for label, step in steps:
        for slug, number in lookups[:20]:  # warm-up
            step(slug, number)
        start = time.perf_counter()
        for slug, number in lookups:
            step(slug, number)
        result.append((label, (time.perf_counter() - start) * 1000 / len(lookups)))
    return result


def measure(args, port: int | None, label_suffix: str = "") -> dict:
    from django.test import Client

    from kotapintar.core.models import User

    load_before = os.getloadavg()
    verifier = User.objects.get(username="verifikator.bandung")
    official = Client()
    official.force_login(verifier)
    anonymous = Client()
    inbox = "/bandung/permits/inbox/"
    inbox_page = InProcess(official).get(inbox)[1]
    rows = inbox_page.count(b'<tr class="kp-row-')
    print(f"inbox of {verifier.username}: {rows} rows on the page")
    if rows != 50:
        print(f"WARNING: the inbox should show 50 items, it shows {rows} (load more applications with --rows)")

    # Queries per request and the plans of the application queries (in process).
    lookups = status_urls(args.requests + 50)
    inbox_queries = captured(official, inbox)
    inbox_counts = {len(inbox_queries), len(captured(official, inbox))}
    # Cities, module switches and workflow versions are cached by the app: fill those caches once per
    # city (as the first visitors of a running server do) before counting the steady-state queries.
    for url, _ in lookups[:200]:
        anonymous.get(url)
    status_queries = captured(anonymous, lookups[0][0])
    status_counts = {len(status_queries)} | {len(captured(anonymous, url)) for url, _ in lookups[1:6]}
    bare_queries = captured(anonymous, bare(lookups)[0][0])
    show_queries(f"GET {inbox}", inbox_queries)
    show_queries(f"GET {lookups[0][0]}", status_queries)
    show_queries(f"GET {bare(lookups)[0][0]} (bare view)", bare_queries)

    if port:
        session = official.cookies["sessionid"].value
        as_official, as_anonymous = OverHttp(port, cookie=f"sessionid={session}"), OverHttp(port)
    else:
        as_official, as_anonymous = InProcess(official), InProcess(anonymous)

    # Latency: warm-up, then `requests` requests each.
    inbox_urls = [(inbox, b"kp-row-")] * args.requests
    time_requests(as_official, inbox_urls[:50])
    time_requests(as_anonymous, lookups[:50])
    inbox_ms = [t * 1000 for t in time_requests(as_official, inbox_urls)]
    status_ms = [t * 1000 for t in time_requests(as_anonymous, lookups[50:])]

    # Throughput: alternating rounds of the status page and the bare view over the same numbers.
    per_round = args.round_requests
    numbers = status_urls(per_round * args.rounds)
    time_requests(as_anonymous, bare(numbers[:50]))
    spent = {"status": 0.0, "bare": 0.0}
    for round_number in range(args.rounds):
        batch = numbers[round_number * per_round:(round_number + 1) * per_round]
        order = ("status", "bare") if round_number % 2 == 0 else ("bare", "status")
        for which in order:
            spent[which] += sum(time_requests(as_anonymous, batch if which == "status" else bare(batch)))
    total = per_round * args.rounds
    status_rps, bare_rps = total / spent["status"], total / spent["bare"]
    load_after = os.getloadavg()

    # Where the time goes (in process, instrumented, so a little slower than the timings above).
    sample = numbers[: min(300, len(numbers))]
    parts = {"inbox": breakdown(official, inbox_urls[:100]), "status": breakdown(anonymous, sample),
             "bare": breakdown(anonymous, bare(sample))}
    steps = components(sample)

    inbox_median, status_median = statistics.median(inbox_ms), statistics.median(status_ms)
    ratio = status_rps / bare_rps
    print(f"load average (1, 5, 15 min) before measuring {' '.join(f'{x:.2f}' for x in load_before)}, "
          f"after {' '.join(f'{x:.2f}' for x in load_after)} ({os.cpu_count()} CPUs)")
    print(f"GET {inbox}: median {inbox_median:.2f} ms, p95 {percentile(inbox_ms, 0.95):.2f} ms, "
          f"{len(inbox_ms)} requests, {sorted(inbox_counts)} queries per request")
    print(f"GET /<city>/permits/status/?number=: median {status_median:.2f} ms, "
          f"p95 {percentile(status_ms, 0.95):.2f} ms, {len(status_ms)} requests, "
          f"{sorted(status_counts)} queries per request")
    print(f"throughput over {args.rounds} alternating rounds of {per_round} requests: status page "
          f"{status_rps:.0f} req/s, bare view {bare_rps:.0f} req/s ({len(bare_queries)} queries per request)")
    print("where the time goes (mean per request, in process, instrumented):")
    show_breakdown(f"GET {inbox}", parts["inbox"])
    show_breakdown("GET /<city>/permits/status/", parts["status"])
    show_breakdown("GET /__bench__/<city>/status/ (bare)", parts["bare"])
    print(f"the steps of the status page on their own (mean per call, in process, {len(sample)} lookups):")
    for label, ms in steps:
        print(f"  {label:<58} {ms:5.2f} ms")
    suffix = label_suffix
    figure(f"permits_inbox_median{suffix}", f"{inbox_median:.2f} ms", f"< {TARGET_MEDIAN_MS:.0f} ms",
           inbox_median < TARGET_MEDIAN_MS)
    figure(f"permits_inbox_p95{suffix}", f"{percentile(inbox_ms, 0.95):.2f} ms")
    figure(f"permits_inbox_queries{suffix}", f"{len(inbox_queries)} per request (2 requests: {sorted(inbox_counts)})",
           "constant", len(inbox_counts) == 1)
    figure(f"permits_status_median{suffix}", f"{status_median:.2f} ms", f"< {TARGET_MEDIAN_MS:.0f} ms",
           status_median < TARGET_MEDIAN_MS)
    figure(f"permits_status_p95{suffix}", f"{percentile(status_ms, 0.95):.2f} ms")
    figure(f"permits_status_queries{suffix}", f"{len(status_queries)} per request (6 numbers: {sorted(status_counts)})",
           "constant", len(status_counts) == 1)
    figure(f"permits_status_rps{suffix}", f"{status_rps:.0f} req/s")
    figure(f"permits_bare_rps{suffix}", f"{bare_rps:.0f} req/s")
    figure(f"permits_status_vs_bare_ratio{suffix}", f"{ratio:.3f}", f">= {TARGET_RATIO:.2f}", ratio >= TARGET_RATIO)
    return {"inbox_median": inbox_median, "status_median": status_median, "ratio": ratio}


def start_server(data_dir: str) -> tuple:
    """The project plus the bare view (bench_permits_wsgi.py) under waitress, one worker thread."""
    import subprocess

    from _common import free_port, wait_for_200

    port = free_port()
    log = open(Path(data_dir) / "server.log", "w+b")  # noqa: SIM115 (closed in stop_server)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path(__file__).resolve().parent), str(REPO_DIR)]))
    process = subprocess.Popen(
        [sys.executable, "-m", "waitress", "--host=127.0.0.1", f"--port={port}", "--threads=1",
         "bench_permits_wsgi:application"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_200(f"http://127.0.0.1:{port}/healthz", timeout=60, process=process)
    except Exception:
        log.seek(0)
        print(log.read().decode(errors="replace"))
        process.kill()
        raise
    return port, process, log


def stop_server(server) -> None:
    _port, process, log = server
    process.terminate()
    try:
        process.wait(timeout=10)
    except Exception:  # noqa: BLE001
        process.kill()
    log.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="applications to load")
    parser.add_argument("--requests", type=int, default=500, help="timed requests per page for the latency")
    parser.add_argument("--rounds", type=int, default=10, help="alternating throughput rounds")
    parser.add_argument("--round-requests", type=int, default=200, help="requests per page per throughput round")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server URL")
    parser.add_argument("--keep", action="store_true", help="keep the database (its name is printed)")
    parser.add_argument("--http", action="store_true",
                        help="time requests over HTTP to a waitress subprocess instead of Django's test Client")
    parser.add_argument("--reuse", metavar="NAME", help="measure a database kept by an earlier --keep run")
    parser.add_argument("--extra-index", action="append", default=[],
                        help="SQL run in the bench database after a first measurement, then measured again")
    args = parser.parse_args()

    print_machine("bench_permits: inbox and status lookup with 1,000,000 applications (PostgreSQL)")
    try:
        with admin_connection(args.server) as admin:
            version = admin.execute("SHOW server_version").fetchone()[0]
    except Exception as exc:  # noqa: BLE001 (any failure to connect means: no PostgreSQL here)
        print(f"SKIPPED: PostgreSQL is unreachable at {args.server} ({type(exc).__name__}: {exc})".strip())
        return 0
    name = args.reuse or f"bench_permits_{os.getpid()}"
    keep = args.keep or bool(args.reuse)
    server = None
    data_dir = tempfile.mkdtemp(prefix="kotapintar-bench-permits-")
    if not args.reuse:
        with admin_connection(args.server) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
    print(f"database: PostgreSQL {version}, {name}; requests "
          + ("over HTTP (--http)" if args.http else "through Django's test Client (in process, no HTTP)"))
    try:
        setup_django(args.server, name, data_dir)
        from django.core.management import call_command
        from django.test import override_settings

        if args.reuse:
            describe_data()
        else:
            started = time.monotonic()
            call_command("migrate", verbosity=0, interactive=False)
            print(f"migrated in {time.monotonic() - started:.1f} s")
            started = time.monotonic()
            cities = load_cities()
            print(f"demo: nine cities with the standard permit types in {time.monotonic() - started:.1f} s")
            print(f"bulk load of {args.rows:,} applications "
                  "(INSERT ... SELECT generate_series, one statement per city):")
            load_seconds = bulk_load(cities, args.rows)
            vacuum_seconds = vacuum_analyze()
            describe_data()
            print(f"loaded in {load_seconds:.1f} s, VACUUM ANALYZE {vacuum_seconds:.1f} s")
            figure("permits_load_seconds", f"{load_seconds + vacuum_seconds:.1f} s ({args.rows:,} applications, "
                   f"with VACUUM ANALYZE)")

        install_urls()
        if args.http:
            server = start_server(data_dir)
            print(f"requests over HTTP/1.1 keep-alive to waitress (1 thread) on 127.0.0.1:{server[0]}, "
                  "a server subprocess running the same URLconf")
        with override_settings(ROOT_URLCONF=__name__):
            measure(args, server[0] if server else None)
            for statement in args.extra_index:
                from django.db import connection

                started = time.monotonic()
                with connection.cursor() as cursor:
                    cursor.execute(statement)
                    cursor.execute("ANALYZE permits_permitapplication")
                print(f"\nin the bench database only: {statement} ({time.monotonic() - started:.1f} s)")
                measure(args, server[0] if server else None, label_suffix="_with_extra_index")
    finally:
        from django.db import connections

        if server:
            stop_server(server)
        connections.close_all()
        if keep:
            print(f"kept database {name} (measure again: --reuse {name}; drop: psql -c 'DROP DATABASE {name}')")
        else:
            with admin_connection(args.server) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
