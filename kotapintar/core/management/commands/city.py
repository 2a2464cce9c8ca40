from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kotapintar.core.models import City
from kotapintar.core.services.cities import city_create


class Command(BaseCommand):
    help = "Manage cities: `city create --code 71.71`, `city list`, `city geo --city bandung --boundary f.geojson`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="add a city from its Kemendagri code")
        create.add_argument("--code", required=True, help="regency/city code, e.g. 71.71 for Kota Manado")
        create.add_argument("--slug", help="address in URLs (default from the name, e.g. manado)")
        create.add_argument("--name", help="display name (default from the region data)")
        create.add_argument("--timezone", help="Asia/Jakarta, Asia/Pontianak, Asia/Makassar or Asia/Jayapura")
        sub.add_parser("list", help="list the cities")
        geo = sub.add_parser("geo", help="load a city's official boundary and/or kecamatan boundaries (GeoJSON)")
        geo.add_argument("--city", required=True, help="the city's slug, e.g. bandung")
        geo.add_argument("--boundary", help="GeoJSON file: the city's Polygon/MultiPolygon (or a Feature of it)")
        geo.add_argument("--districts", help="GeoJSON FeatureCollection of kecamatan with a `code` or `name`")

    def handle(self, *args, action, **options):
        if action == "list":
            for city in City.objects.all():
                self.stdout.write(f"{city.region_code}  {city.slug:<16} {city.name} ({city.timezone})")
            return
        if action == "geo":
            return self.geo(options)
        try:
            city = city_create(region_code=options["code"], slug=options.get("slug"), name=options.get("name"),
                               timezone=options.get("timezone"))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"Created {city.name} ({city.region_code}) at /{city.slug}/ with {city.districts.count()} kecamatan "
            f"and {city.villages.count()} kelurahan/desa, time zone {city.timezone}."
        ))

    def geo(self, options):
        import json

        from kotapintar.core.geo import city_geography_load

        city = City.objects.filter(slug=options["city"]).first()
        if city is None:
            raise CommandError(f"No city with the slug {options['city']!r}.")
        files = {}
        for key in ("boundary", "districts"):
            if options.get(key):
                try:
                    with open(options[key], encoding="utf-8") as handle:
                        files[key] = json.load(handle)
                except (OSError, ValueError) as exc:
                    raise CommandError(f"Cannot read {options[key]}: {exc}") from exc
        if not files:
            raise CommandError("Give --boundary and/or --districts.")
        try:
            counts = city_geography_load(city=city, actor="command line", **files)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"{city.name}: boundary {'loaded' if counts['boundary'] else 'unchanged'}, "
            f"{counts['districts']} kecamatan boundaries loaded."))
