from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kotapintar.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = ("Back up the database and the data directory (documents, media, signing keys, secrets) into one "
            ".tar.gz with a manifest of checksums. Safe while the platform runs.")

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", type=Path,
                            help="archive to write (default: kotapintar-backup-<date-time>.tar.gz here)")

    def handle(self, *args, output, **options):
        output = output or Path(f"kotapintar-backup-{timezone.now():%Y%m%d-%H%M%S}.tar.gz")
        try:
            manifest = backup_create(output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{manifest['engine']} database and {len(manifest['files'])} files, "
                          f"{len(manifest['audit_heads'])} audit chains")
        self.stdout.write(self.style.SUCCESS(f"Backup written: {output}"))
