"""Memory of the embedded platform under a mixed load.

Starts `kotapintar run` on a free port with a fresh data directory (so the demo data of the nine
cities loads), sends 1,000 mixed page and API requests spread over all nine cities from four
keep-alive clients, and prints the resident memory (VmRSS from /proc/<pid>/status) of the server
process against the 200 MB target.

    .venv/bin/python benchmarks/bench_memory.py [--requests 1000] [--clients 4]
"""

import argparse
import http.client
import itertools
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    DEMO_CITIES,
    REPO_DIR,
    figure,
    free_port,
    kotapintar_command,
    print_machine,
    wait_for_200,
)

TARGET_MB = 200


def request_paths(count: int) -> list[str]:
    """A realistic mix: mostly public pages, then the public API, health checks, static files and,
    rarely, the OpenAPI schema, round-robin over the nine cities."""
    per_city = [
        "/{c}/",
        "/{c}/announcements/",
        "/{c}/",
        "/api/v1/cities/{c}/",
        "/api/v1/cities/{c}/departments/",
        "/api/v1/cities/{c}/modules/",
        "/api/v1/cities/{c}/districts/",
        "/{c}/announcements/",
        "/api/v1/cities/{c}/announcements/",
    ]
    platform = ["/", "/api/v1/cities/", "/healthz", "/static/css/kotapintar.css", "/"]
    paths = []
    cities = itertools.cycle(DEMO_CITIES)
    templates = itertools.cycle(per_city)
    platform_cycle = itertools.cycle(platform)
    for i in range(count):
        if i % 100 == 99:
            paths.append("/api/schema/")
        elif i % 4 == 3:
            paths.append(next(platform_cycle))
        else:
            paths.append(next(templates).format(c=next(cities)))
    return paths


def rss_kb(pid: int) -> dict[str, int]:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in {"VmRSS", "VmHWM"}:
            values[key] = int(rest.split()[0])
    return values


def run_load(port: int, paths: list[str], clients: int) -> tuple[Counter, float]:
    statuses: Counter = Counter()
    lock = threading.Lock()
    chunks = [paths[i::clients] for i in range(clients)]

    def client(chunk):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for path in chunk:
            try:
                conn.request("GET", path, headers={"Accept": "text/html,application/json"})
                response = conn.getresponse()
                response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException) as exc:
                status = f"error {exc.__class__.__name__}"
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            with lock:
                statuses[status] += 1
        conn.close()

    start = time.monotonic()
    threads = [threading.Thread(target=client, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses, time.monotonic() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()

    print_machine("bench_memory: RSS of `kotapintar run` after mixed requests over nine cities")
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="kotapintar-bench-memory-") as data_dir:
        env = {**os.environ, "KOTAPINTAR_DATA_DIR": data_dir, "PORT": str(port)}
        env.pop("DATABASE_URL", None)  # the embedded default: SQLite in the fresh data directory
        log_path = Path(data_dir) / "server.log"
        with open(log_path, "w") as log:
            server = subprocess.Popen([*kotapintar_command(), "run", "--port", str(port)], cwd=REPO_DIR, env=env,
                                      stdout=log, stderr=subprocess.STDOUT)
        try:
            started = wait_for_200(f"http://127.0.0.1:{port}/healthz", timeout=300, process=server)
            idle = rss_kb(server.pid)
            print(f"server pid {server.pid} on port {port}: first start with demo data took {started:.1f} s; "
                  f"RSS after start {idle['VmRSS'] / 1024:.1f} MB")
            paths = request_paths(args.requests)
            statuses, seconds = run_load(port, paths, args.clients)
            after = rss_kb(server.pid)
            print(f"{len(paths)} requests from {args.clients} clients in {seconds:.1f} s "
                  f"({len(paths) / seconds:.0f} req/s); status codes: "
                  + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items(), key=str)))
            rss_mb = after["VmRSS"] / 1024
            print(f"RSS after load {rss_mb:.1f} MB, peak (VmHWM) {after['VmHWM'] / 1024:.1f} MB")
            figure("server RSS after 1,000 mixed requests", f"{rss_mb:.1f} MB", f"< {TARGET_MB} MB",
                   rss_mb < TARGET_MB)
            errors = sum(v for k, v in statuses.items() if not isinstance(k, int) or k >= 500)
            if errors:
                print(f"WARNING: {errors} requests failed or answered 5xx; server log: {log_path}")
                print(log_path.read_text()[-3000:])
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
