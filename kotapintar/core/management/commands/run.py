import subprocess
import sys
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from kotapintar.core.models import City


def periodic_jobs_due(next_run: dict[str, float], now: float) -> list:
    """The modules' periodic jobs whose time has come; `next_run` (job name -> monotonic time) moves on."""
    from kotapintar.core import modules

    due = [job for job in modules.periodic_jobs() if next_run.setdefault(job.name, now + job.seconds) <= now]
    for job in due:
        next_run[job.name] = now + job.seconds
    return due


def periodic_jobs(tick: int) -> None:
    """Embedded mode has no Celery beat: this thread runs the modules' periodic jobs (their manifests'
    `periodic`), each at its own interval, calling the Celery task in-process."""
    from django.db import close_old_connections
    from django.utils.module_loading import import_string

    next_run: dict[str, float] = {}
    while True:
        time.sleep(tick)
        for job in periodic_jobs_due(next_run, time.monotonic()):
            try:
                import_string(job.task)()
            except Exception as exc:  # keep serving; the next round tries again
                print(f"periodic job {job.name} failed: {exc!r}")
            finally:
                close_old_connections()


class Command(BaseCommand):
    help = "Migrate, load the demo on first run, and serve the platform (embedded mode)."

    def add_arguments(self, parser):
        import os

        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-demo", action="store_true", help="do not load demo data on first run")

    @staticmethod
    def child(*command: str) -> None:
        subprocess.run([sys.executable, "-m", "kotapintar.cli", *command], check=True)

    def handle(self, *args, host, port, threads, no_demo, **options):
        from waitress import serve

        from kotapintar.config.wsgi import application

        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        # Set-up runs in child processes: the region data, PDF and signing libraries it loads stay out
        # of the long-running web process's memory.
        self.child("migrate", "--no-input", "--verbosity", "0")
        if not no_demo:
            if not City.objects.exists():
                self.stdout.write("First run: loading demo data for the nine cities of the 2016 grant...")
                self.stdout.flush()
            self.child("demo")  # idempotent: adds only what is missing, so running again keeps the data
        if settings.CELERY_TASK_ALWAYS_EAGER:
            threading.Thread(target=periodic_jobs, args=(10,), daemon=True).start()
        self.stdout.write(self.style.SUCCESS(f"\nKota Pintar is running at http://{host}:{port}/  (Ctrl+C stops it)"))
        self.stdout.flush()
        serve(application, host=host, port=port, threads=threads, ident="kotapintar")
