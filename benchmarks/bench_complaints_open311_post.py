"""How many reports per second can Open311 clients file? (target: at least 200/s, without an error)

Serves the platform from real server processes on loopback against the PostgreSQL database of
bench_complaints.py (2,000,000 reports; --reuse a database kept with `bench_complaints.py --keep`, or this
script loads one with --rows), and lets Locust, in a second process, file reports through
POST /<city>/open311/v2/requests.json as fast as the server answers:

- the server: gunicorn (the production setup of docs/scale-out.en.md: a few sync worker processes,
  --workers) or waitress (one process, --threads; what `kotapintar run` uses);
- --mode production (the default): Redis (--redis, flushed first) is the shared cache and the Celery
  broker, and one Celery worker process (solo pool) files the queued reports in batches: the POST is
  checked and answered with a token, the worker files it (KOTAPINTAR_OPEN311_QUEUE);
  --mode embedded: the in-process cache and eager tasks of `make run`, every report filed within its
  request and its confirmation e-mail "sent" to a dummy backend after commit;
- the api_key: `kotapintar open311 key create --city <city> --name bench` (its last line);
- the load: benchmarks/locust_open311.py, headless, --users clients posting without pause, each report
  valid (a place inside the city taken from its existing reports, a category with answers to its
  required questions, a new e-mail and device_id every time); a warm-up run first, then the measured run.

Printed: Locust's requests/s, failures, median and p95 latency; in production mode how many reports were
still queued when the load stopped and the filed rate (reports filed from the start of the load until the
queue was empty, divided by that time); the reports the database gained and
the check of the city's audit chain (a hash chain: one row lock on the city's chain head per report);
how often the server's database sessions waited for a lock (pg_stat_activity sampled every 20 ms) and on
what; the CPU time of the server processes, their database sessions, the worker and Locust; the load
average.
--cities bandung,medan,... spreads the same load over several cities (one audit chain each) to show
whether the per-city chain lock is what limits the rate.

    .venv/bin/python benchmarks/bench_complaints_open311_post.py --reuse DB [--server-kind gunicorn|waitress]
        [--mode production|embedded] [--workers 4] [--threads 8] [--users 16] [--duration 30] [--warmup 5]
        [--cities bandung] [--drop]
    .venv/bin/python benchmarks/bench_complaints_open311_post.py --rows 2000000   (load a database first)
"""

import argparse
import csv
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import bench_complaints  # noqa: E402
from _common import REPO_DIR, figure, free_port, kotapintar_command, print_machine, wait_for_200  # noqa: E402

TARGET_RPS = 200.0
LOCUSTFILE = Path(__file__).resolve().parent / "locust_open311.py"
TICKS = os.sysconf("SC_CLK_TCK")


def server_env(server: str, name: str, data_dir: str, redis: str = "") -> dict:
    env = dict(os.environ, DATABASE_URL=f"{server}/{name}", KOTAPINTAR_DATA_DIR=data_dir,
               EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend", LOG_LEVEL="ERROR",
               DJANGO_SETTINGS_MODULE="kotapintar.config.settings", PYTHONPATH=str(REPO_DIR))
    for variable in ("REDIS_URL", "CELERY_BROKER_URL"):
        env.pop(variable, None)
    if redis:  # production: Redis is the shared cache and the Celery broker
        env["REDIS_URL"] = redis
    return env


def start_worker(env: dict, data_dir: str) -> subprocess.Popen:
    """One Celery worker process (solo pool), as in docs/scale-out: it files the queued Open311 reports."""
    command = [str(Path(sys.executable).parent / "celery"), "-A", "kotapintar.config", "worker", "--pool=solo",
               "--loglevel=WARNING", "--without-mingle", "--without-gossip", "--without-heartbeat"]
    log = open(Path(data_dir) / "worker.log", "w")  # noqa: SIM115 (closed with the process)
    print(f"worker: {' '.join(command[1:])}")
    return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=str(REPO_DIR))


def queued() -> int:
    from kotapintar.complaints.models import ComplaintIntake

    return ComplaintIntake.objects.count()


def create_key(city: str, env: dict) -> str:
    """`kotapintar open311 key create --city <city> --name bench`: the key is on the last line."""
    command = [*kotapintar_command(), "open311", "key", "create", "--city", city, "--name", "bench"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return result.stdout.strip().splitlines()[-1].strip()


def city_points(slug: str, count: int = 2000) -> list[list[float]]:
    """Places of existing reports of the city, each checked with geo.city_contains as the service will."""
    from django.db import connection

    from kotapintar.core import geo
    from kotapintar.core.models import City

    city = City.objects.get(slug=slug)
    with connection.cursor() as cursor:
        cursor.execute("SELECT lat, lng FROM complaints_complaint WHERE city_id = %s ORDER BY random() "
                       "LIMIT %s", [city.pk, count])
        points = [[lat, lng] for lat, lng in cursor.fetchall() if geo.city_contains(city, lat, lng)]
    if len(points) < count // 2:
        raise SystemExit(f"only {len(points)} places found for {slug}")
    return points


def start_server(args, env: dict, data_dir: str) -> tuple[int, subprocess.Popen, object]:
    port = free_port()
    log = open(Path(data_dir) / "server.log", "w+b")  # noqa: SIM115 (closed in stop_server)
    if args.server_kind == "gunicorn":
        command = [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(args.workers), "--bind",
                   f"127.0.0.1:{port}", "--worker-class", "sync", "--backlog", "2048", "--log-level", "warning",
                   "kotapintar.config.wsgi:application"]
    else:
        command = [sys.executable, "-m", "waitress", "--host=127.0.0.1", f"--port={port}", f"--threads={args.threads}",
                   "--connection-limit=1000", "--backlog=2048", "kotapintar.config.wsgi:application"]
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=str(REPO_DIR))
    try:
        wait_for_200(f"http://127.0.0.1:{port}/healthz", timeout=90, process=process)
    except Exception:
        log.seek(0)
        print(log.read().decode(errors="replace"))
        process.kill()
        raise
    print(f"server: {' '.join(command[-6:] if args.server_kind == 'waitress' else command[1:])} "
          f"(pid {process.pid}) on 127.0.0.1:{port}")
    return port, process, log


def stop_server(server) -> str:
    _port, process, log = server
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
    log.seek(0)
    text = log.read().decode(errors="replace")
    log.close()
    return text


def process_tree(root: int) -> list[int]:
    """The pid and its descendants (gunicorn's workers)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


class LockSampler(threading.Thread):
    """Samples pg_stat_activity of the bench database: active sessions, and those waiting for a lock."""

    def __init__(self, server: str, name: str, interval: float = 0.02):
        super().__init__(daemon=True)
        self.server, self.name, self.interval = server, name, interval
        self.samples = self.with_waiting = self.active = self.waiting = 0
        self.events: Counter = Counter()
        self.stopping = threading.Event()

    def run(self):
        import psycopg

        with psycopg.connect(f"{self.server}/{self.name}", autocommit=True) as connection:
            while not self.stopping.is_set():
                rows = connection.execute(
                    "SELECT state, wait_event_type, wait_event, left(query, 60) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()", [self.name]).fetchall()
                self.samples += 1
                active = [r for r in rows if r[0] == "active"]
                waiting = [r for r in active if r[1] == "Lock"]
                self.active += len(active)
                self.waiting += len(waiting)
                self.with_waiting += bool(waiting)
                for _state, _type, event, query in waiting:
                    self.events[f"{event}: {query.strip()}"] += 1
                time.sleep(self.interval)


def run_locust(args, port: int, plan_path: Path, seconds: int, out_dir: Path, label: str) -> dict:
    prefix = out_dir / label
    command = [str(Path(sys.executable).parent / "locust"), "-f", str(LOCUSTFILE), "--headless",
               "-u", str(args.users), "-r", str(args.users), "-t", f"{seconds}s",
               "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary",
               "--loglevel", "WARNING", "--stop-timeout", "10"]
    env = dict(os.environ, KP_OPEN311_PLAN=str(plan_path))
    print(f"{label}: KP_OPEN311_PLAN={plan_path} {' '.join(command[1:])}".replace(str(REPO_DIR) + "/", ""))
    sys.stdout.flush()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(command, env=env, capture_output=True, text=True, cwd=str(REPO_DIR))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    total = rows["Aggregated"]
    failures_text = ""
    if Path(f"{prefix}_failures.csv").exists():
        failures_text = Path(f"{prefix}_failures.csv").read_text()
    summary = result.stdout.strip() or result.stderr.strip()[-3000:]
    # The CSV is written once a second: the requests that ended after its last write are only in the summary.
    final = re.search(r"^\s+Aggregated\s+(\d+)\s+(\d+)\(.*\|\s+([\d.]+)\s+[\d.]+\s*$", summary, re.M)
    requests, failures = (int(final[1]), int(final[2])) if final else (int(total["Request Count"]),
                                                                       int(total["Failure Count"]))
    return {
        "requests": requests, "failures": failures, "rps": float(final[3] if final else total["Requests/s"]),
        "median": float(total["Median Response Time"]),
        "p95": float(total["95%"]), "p99": float(total["99%"]), "max": float(total["Max Response Time"]),
        "cpu": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
        "failures_text": failures_text, "exit": result.returncode,
        "summary": summary,
    }


def backend_pids(name: str) -> list[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [name])
        return [row[0] for row in cursor.fetchall()]


def counts(slugs: list[str]) -> dict[str, int]:
    from kotapintar.complaints.models import Complaint
    from kotapintar.core.models import AuditEntry

    return {"complaints": Complaint.objects.filter(city__slug__in=slugs).count(),
            "audit": AuditEntry.objects.filter(city__slug__in=slugs).count()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reuse", metavar="NAME", help="database kept by `bench_complaints.py --keep`")
    parser.add_argument("--rows", type=int, default=2_000_000, help="reports to load when not --reuse")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server URL")
    parser.add_argument("--server-kind", choices=["gunicorn", "waitress"], default="gunicorn")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads")
    parser.add_argument("--users", type=int, default=16, help="Locust users (clients posting without pause)")
    parser.add_argument("--duration", type=int, default=30, help="seconds of the measured run")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of the warm-up run")
    parser.add_argument("--cities", default="bandung", help="comma-separated city slugs to file reports in")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end (also a --reuse one)")
    parser.add_argument("--mode", choices=["production", "embedded"], default="production",
                        help="production: Redis cache and broker, a Celery worker files the queued reports; "
                             "embedded: in-process cache, eager tasks, every report filed within its request")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13", help="Redis for --mode production")
    args = parser.parse_args()
    slugs = [s.strip() for s in args.cities.split(",") if s.strip()]

    print_machine("bench_complaints_open311_post: Open311 filing rate over HTTP with Locust (PostgreSQL)")
    try:
        with bench_complaints.admin_connection(args.server) as admin:
            version = admin.execute("SHOW server_version").fetchone()[0]
    except Exception as exc:  # noqa: BLE001
        print(f"SKIPPED: PostgreSQL is unreachable at {args.server} ({type(exc).__name__}: {exc})".strip())
        return 0
    name = args.reuse or f"bench_complaints_{os.getpid()}"
    drop = args.drop or not args.reuse
    data_dir = tempfile.mkdtemp(prefix="kotapintar-bench-open311-")
    server = worker = None
    print(f"database: PostgreSQL {version}, {name}")
    try:
        bench_complaints.prepare(args.server, name, args.rows, data_dir, reuse=bool(args.reuse))
        redis = args.redis if args.mode == "production" else ""
        if redis:
            import redis as redis_client

            try:
                redis_client.Redis.from_url(redis).flushdb()  # no rate-limit counters of an earlier run
            except redis_client.RedisError as exc:
                print(f"Redis is unreachable at {redis} ({exc}): measuring --mode embedded instead")
                redis = ""
        env = server_env(args.server, name, data_dir, redis)
        worker = start_worker(env, data_dir) if redis else None
        plan = {slug: {"key": create_key(slug, env), "points": city_points(slug)} for slug in slugs}
        plan_path = Path(data_dir) / "plan.json"
        plan_path.write_text(json.dumps(plan))
        print(f"api_keys from `kotapintar open311 key create --city <city> --name bench` for {', '.join(slugs)}; "
              f"{sum(len(p['points']) for p in plan.values()):,} places of existing reports")
        server = start_server(args, env, data_dir)
        out_dir = Path(data_dir) / "locust"
        out_dir.mkdir()
        if args.warmup:
            warm = run_locust(args, server[0], plan_path, args.warmup, out_dir, "warm-up")
            print(f"  warm-up: {warm['requests']} requests, {warm['failures']} failures, {warm['rps']:.0f} req/s")
        server_pids = process_tree(server[1].pid)
        worker_pids = process_tree(worker.pid) if worker else []
        while worker and queued():  # the warm-up's reports are filed before the measured run
            time.sleep(0.2)
        pg_pids = backend_pids(name)
        before = counts(slugs)
        cpu_before = (cpu_seconds(server_pids), cpu_seconds(pg_pids), cpu_seconds(worker_pids))
        load_before = os.getloadavg()
        sampler = LockSampler(args.server, name)
        sampler.start()
        started = time.monotonic()
        result = run_locust(args, server[0], plan_path, args.duration, out_dir, "measured")
        elapsed = time.monotonic() - started
        sampler.stopping.set()
        sampler.join()
        cpu_after = (cpu_seconds(server_pids), cpu_seconds(pg_pids + [p for p in backend_pids(name)
                                                                       if p not in pg_pids]),
                     cpu_seconds(worker_pids))
        backlog, drained = (queued(), 0.0) if worker else (0, 0.0)
        while worker and queued():  # the reports still queued when the load stopped
            time.sleep(0.1)
        if worker:
            drained = time.monotonic() - started - elapsed
            cpu_after = (*cpu_after[:2], cpu_seconds(worker_pids))
        load_after = os.getloadavg()
        after = counts(slugs)

        from kotapintar.core.models import City
        from kotapintar.core.services.audit import audit_verify_chain, chain_key

        chains = [audit_verify_chain(chain_key(City.objects.get(slug=slug))) for slug in slugs]
        print(result["summary"])
        if result["failures_text"].count("\n") > 1:
            print("failures:\n" + result["failures_text"][:2000])
        print(f"load average (1, 5, 15 min) before the measured run {' '.join(f'{x:.2f}' for x in load_before)}, "
              f"after {' '.join(f'{x:.2f}' for x in load_after)} ({os.cpu_count()} CPUs)")
        print(f"measured run: {result['requests']:,} requests in {args.duration} s (Locust wall {elapsed:.1f} s), "
              f"{result['failures']} failures, {result['rps']:.1f} req/s, median {result['median']:.0f} ms, "
              f"p95 {result['p95']:.0f} ms, p99 {result['p99']:.0f} ms, max {result['max']:.0f} ms")
        print(f"database: +{after['complaints'] - before['complaints']:,} reports, "
              f"+{after['audit'] - before['audit']:,} audit entries; audit chains "
              + ", ".join(f"{c.chain} {c.entries:,} entries {'OK' if c.ok else 'BROKEN: ' + c.reason}" for c in chains))
        busy = elapsed
        filed = after["complaints"] - before["complaints"]
        per_report = {label: 1000 * (cpu_after[i] - cpu_before[i]) / max(1, result["requests"])
                      for i, label in enumerate(["server", "PostgreSQL", "worker"])}
        print(f"CPU during the measured run ({busy:.0f} s wall, {os.cpu_count()} CPUs = {busy * os.cpu_count():.0f} "
              f"CPU-s): server processes {cpu_after[0] - cpu_before[0]:.1f} s, their PostgreSQL sessions "
              f"{cpu_after[1] - cpu_before[1]:.1f} s, worker {cpu_after[2] - cpu_before[2]:.1f} s, "
              f"Locust {result['cpu']:.1f} s; per report: "
              + ", ".join(f"{label} {ms:.1f} ms" for label, ms in per_report.items()))
        if worker:
            print(f"queue: {backlog:,} reports still queued when the load stopped, filed {drained:.1f} s later; "
                  f"{filed:,} reports filed in {elapsed + drained:.1f} s from the start of the load")
        share = sampler.with_waiting / max(1, sampler.samples)
        print(f"lock waits (pg_stat_activity, {sampler.samples} samples): at least one session waiting in "
              f"{share:.0%} of the samples; on average {sampler.active / max(1, sampler.samples):.1f} active sessions, "
              f"{sampler.waiting / max(1, sampler.samples):.2f} of them waiting for a lock")
        for event, n in sampler.events.most_common(4):
            print(f"  {n:5d} x  {event}")
        suffix = "" if slugs == ["bandung"] else f"_{len(slugs)}_cities"
        ok = result["rps"] >= TARGET_RPS and result["failures"] == 0
        figure(f"open311_post_rps{suffix}", f"{result['rps']:.1f} req/s, {result['failures']} failures "
               f"({args.server_kind}, {args.workers if args.server_kind == 'gunicorn' else args.threads} "
               f"{'workers' if args.server_kind == 'gunicorn' else 'threads'}, {args.users} Locust users)",
               f">= {TARGET_RPS:.0f} req/s, no error", ok)
        if worker:
            filed_rate = filed / (elapsed + drained)
            figure(f"open311_filed_rps{suffix}", f"{filed_rate:.1f} reports/s filed (from the start of the load "
                   f"until the queue was empty; {filed:,} reports)", f">= {TARGET_RPS:.0f}/s",
                   filed_rate >= TARGET_RPS and filed == result["requests"])
        figure(f"open311_post_median{suffix}", f"{result['median']:.0f} ms (p95 {result['p95']:.0f} ms)")
        figure(f"open311_post_lock_wait_share{suffix}", f"{share:.0%} of samples with a session waiting for a lock")
        figure(f"open311_post_audit_chain{suffix}", "intact" if all(c.ok for c in chains) else "BROKEN",
               "intact", all(c.ok for c in chains))
    finally:
        if worker:
            worker.terminate()
            worker.wait(timeout=30)
        if server:
            log = stop_server(server)
            errors = [line for line in log.splitlines() if "Traceback" in line or "ERROR" in line]
            if errors:
                print(f"server log: {len(errors)} error lines, first: {errors[0][:300]}")
        if drop:
            bench_complaints.drop(args.server, name)
        else:
            from django.db import connections

            connections.close_all()
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
