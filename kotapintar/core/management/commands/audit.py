from django.core.management.base import BaseCommand, CommandError

from kotapintar.core.models import City
from kotapintar.core.services.audit import audit_verify


class Command(BaseCommand):
    help = "Audit log: `audit verify` recomputes every hash chain and names the first tampered entry."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="verify every chain")

    def handle(self, *args, action, **options):
        reports = audit_verify()
        slugs = {f"city:{pk}": slug for pk, slug in City.objects.values_list("pk", "slug")}
        for report in reports:
            report.chain = f"{report.chain} ({slugs[report.chain]})" if report.chain in slugs else report.chain
        bad = [r for r in reports if not r.ok]
        for report in reports:
            if report.ok:
                self.stdout.write(f"OK        {report.chain}: {report.entries} entries")
            else:
                self.stdout.write(self.style.ERROR(
                    f"TAMPERED  {report.chain}: first bad entry seq {report.first_bad_seq}"
                    f"{f' (id {report.first_bad_id})' if report.first_bad_id else ''}: {report.reason}"
                ))
        if bad:
            raise CommandError(f"{len(bad)} of {len(reports)} audit chains failed verification.")
        self.stdout.write(self.style.SUCCESS(f"All {len(reports)} audit chains are intact."))
