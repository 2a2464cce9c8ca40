from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kotapintar.complaints.models import Open311Key
from kotapintar.complaints.services.keys import open311_key_create, open311_key_revoke
from kotapintar.core.models import City

ACTOR = "command line"


class Command(BaseCommand):
    help = ("Open311 api_keys of a city: `open311 key create --city bandung --name 'Aplikasi X'` (prints the key "
            "on its last line, shown only once), `open311 key list --city bandung`, "
            "`open311 key revoke --city bandung --prefix AbC123`.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        key = sub.add_parser("key", help="issue, list and revoke api_keys")
        actions = key.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="issue a key to a client")
        create.add_argument("--city", required=True, help="city slug, e.g. bandung")
        create.add_argument("--name", required=True, help="the client (app or partner system) that uses the key")
        listing = actions.add_parser("list", help="list the city's keys")
        listing.add_argument("--city", required=True)
        revoke = actions.add_parser("revoke", help="revoke a key: it stops working at once")
        revoke.add_argument("--city", required=True)
        revoke.add_argument("--prefix", required=True, help="the first characters of the key, as `list` shows")

    def handle(self, *args, action, city, **options):
        city = City.objects.filter(slug=city).first()
        if city is None:
            raise CommandError("No such city. See `kotapintar city list`.")
        if action == "create":
            try:
                record, key = open311_key_create(city=city, name=options["name"], actor=ACTOR)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
            self.stdout.write(f"Open311 api_key for {record.name} in {city.name} (shown only once; keep it secret):")
            self.stdout.write(key)
            return
        keys = Open311Key.objects.filter(city=city)
        if action == "list":
            for record in keys:
                status = f"revoked {record.revoked_at:%Y-%m-%d}" if record.revoked_at else "active"
                self.stdout.write(f"{record.prefix}  {record.created_at:%Y-%m-%d}  {status:<18} {record.name}")
            return
        matches = list(keys.filter(prefix__startswith=options["prefix"]))
        if len(matches) != 1:
            raise CommandError("No key starts with this prefix." if not matches
                               else "Several keys start with this prefix; give more characters.")
        open311_key_revoke(key=matches[0], actor=ACTOR)
        self.stdout.write(self.style.SUCCESS(f"Revoked the key {matches[0].prefix}… of {matches[0].name}."))
