import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from kotapintar.core.demo import load_demo
from kotapintar.core.management.commands.demo import print_accounts
from kotapintar.core.models import City


def periodic_jobs(interval: int) -> None:
    """Embedded mode has no Celery beat: this thread runs the periodic jobs."""
    from django.db import close_old_connections

    from kotapintar.core.services.workflow import workflow_deadlines_run

    while True:
        time.sleep(interval)
        try:
            workflow_deadlines_run()
        except Exception as exc:  # keep serving; the next round tries again
            print(f"periodic jobs failed: {exc!r}")
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

    def handle(self, *args, host, port, threads, no_demo, **options):
        from waitress import serve

        from kotapintar.config.wsgi import application

        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        if not no_demo:
            if not City.objects.exists():
                self.stdout.write("First run: loading demo data for the nine cities of the 2016 grant...")
            # Idempotent: adds only what is missing, so running again keeps the data.
            print_accounts(self.stdout, load_demo(self.stdout))
        if settings.CELERY_TASK_ALWAYS_EAGER:
            threading.Thread(target=periodic_jobs, args=(300,), daemon=True).start()
        self.stdout.write(self.style.SUCCESS(f"\nKota Pintar is running at http://{host}:{port}/  (Ctrl+C stops it)"))
        self.stdout.flush()
        serve(application, host=host, port=port, threads=threads, ident="kotapintar")
