from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kotapintar.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = ("Restore a backup made by `kotapintar backup`: checks its checksums, creates the data directory "
            "and the database if needed, migrates, then verifies every audit chain and document. Stop the "
            "web processes and workers first.")

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--force", action="store_true", help="replace a database that already holds data")

    def handle(self, *args, archive, force, **options):
        if not archive.is_file():
            raise CommandError(f"No such file: {archive}")
        try:
            report = backup_restore(archive, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored {report.files} files; checked {report.chains} audit chains and "
                          f"{report.documents} documents.")
        if report.problems:
            for problem in report.problems:
                self.stdout.write(self.style.ERROR(problem))
            raise CommandError(f"The restore finished but verification found {len(report.problems)} problems.")
        self.stdout.write(self.style.SUCCESS("Restore verified: audit chains and documents are intact."))
