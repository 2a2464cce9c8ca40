"""Helpers shared by the benchmark scripts: machine description, free ports, waiting for a server."""

import os
import platform
import socket
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent

# The nine demo cities of the 2016 grant (kotapintar/core/demo.py).
DEMO_CITIES = ["bandung", "medan", "pekanbaru", "yogyakarta", "palangkaraya", "banjarmasin", "banjarbaru",
               "makassar", "manado"]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def print_machine(title: str) -> None:
    print(f"== {title}")
    print(f"machine: {os.cpu_count()} CPU (nproc {len(os.sched_getaffinity(0))}), {cpu_model()}, "
          f"Python {platform.python_version()} ({sys.executable}), {platform.system()} {platform.release()}")
    sys.stdout.flush()


def figure(name: str, value: str, target: str | None = None, ok: bool = True) -> None:
    """One result line, easy to grep: `FIGURE <name>: <value>[ (target <target>) OK|MISSED]`."""
    verdict = f" (target {target}) {'OK' if ok else 'MISSED'}" if target else ""
    print(f"FIGURE {name}: {value}{verdict}")
    sys.stdout.flush()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_status(url: str, timeout: float = 2.0) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (OSError, urllib.error.URLError):
        return None


def wait_for_200(url: str, timeout: float, process=None) -> float:
    """Poll `url` until it answers 200; returns the seconds waited. Fails if `process` exits first."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode} before {url} answered")
        if http_status(url) == 200:
            return time.monotonic() - start
        time.sleep(0.25)
    raise TimeoutError(f"{url} did not answer 200 within {timeout:.0f} s")


def kotapintar_command() -> list[str]:
    """The `kotapintar` entry point of the running Python (its venv), else `python -m kotapintar.cli`."""
    script = Path(sys.executable).parent / "kotapintar"
    if script.exists():
        return [sys.executable, str(script)]
    return [sys.executable, "-m", "kotapintar.cli"]


# -- PostgreSQL benchmarks ------------------------------------------------------------------------------
def admin_connection(server: str):
    """A connection to the server's `postgres` database, for creating and dropping benchmark databases."""
    import psycopg

    return psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=5)


def setup_django(server: str, name: str, data_dir: str,
                 email_backend: str = "django.core.mail.backends.locmem.EmailBackend") -> None:
    """Django on database `name` of `server`, with in-process cache and tasks, as in `make run`."""
    os.environ["DATABASE_URL"] = f"{server}/{name}"
    os.environ["KOTAPINTAR_DATA_DIR"] = data_dir
    os.environ["EMAIL_BACKEND"] = email_backend
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    os.environ["DJANGO_SETTINGS_MODULE"] = "kotapintar.config.settings"
    for variable in ("REDIS_URL", "CELERY_BROKER_URL"):
        os.environ.pop(variable, None)
    import django

    django.setup()
