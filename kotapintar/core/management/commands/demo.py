from django.core.management.base import BaseCommand

from kotapintar.core.demo import load_demo, reset_demo


def print_accounts(stdout, rows):
    stdout.write("\nDemo accounts (password for all: kotapintar-demo):")
    seen = set()
    for username, _password, description in rows:
        if username not in seen:
            seen.add(username)
            stdout.write(f"  {username:<28} {description}")


class Command(BaseCommand):
    help = "Load the demo cities, departments and accounts (idempotent). --reset restores the demo data."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="erase ALL data and load the demo again")

    def handle(self, *args, reset=False, **options):
        from django.conf import settings

        # The demo's own actions notify people; nobody should receive (or see) those e-mails.
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        rows = reset_demo(self.stdout) if reset else load_demo(self.stdout)
        print_accounts(self.stdout, rows)
