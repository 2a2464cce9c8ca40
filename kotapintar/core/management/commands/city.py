from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kotapintar.core.models import City
from kotapintar.core.services.cities import city_create


class Command(BaseCommand):
    help = "Manage cities: `city create --code 71.71`, `city list`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="add a city from its Kemendagri code")
        create.add_argument("--code", required=True, help="regency/city code, e.g. 71.71 for Kota Manado")
        create.add_argument("--slug", help="address in URLs (default from the name, e.g. manado)")
        create.add_argument("--name", help="display name (default from the region data)")
        create.add_argument("--timezone", help="Asia/Jakarta, Asia/Pontianak, Asia/Makassar or Asia/Jayapura")
        sub.add_parser("list", help="list the cities")

    def handle(self, *args, action, **options):
        if action == "list":
            for city in City.objects.all():
                self.stdout.write(f"{city.region_code}  {city.slug:<16} {city.name} ({city.timezone})")
            return
        try:
            city = city_create(region_code=options["code"], slug=options.get("slug"), name=options.get("name"),
                               timezone=options.get("timezone"))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"Created {city.name} ({city.region_code}) at /{city.slug}/ with {city.districts.count()} kecamatan "
            f"and {city.villages.count()} kelurahan/desa, time zone {city.timezone}."
        ))
