"""`kotapintar`: the command-line entry point. Platform commands first; every Django management
command is available too (`kotapintar migrate`, `kotapintar createsuperuser`, ...)."""

import os
import sys

HELP = """usage: kotapintar <command> [options]

Kota Pintar: open-source smart-city platform for Indonesian cities.

Commands:
  run [--port PORT] [--host HOST]   migrate, load demo data on first run, serve the platform
  demo [--reset]                    load the demo cities and accounts (--reset restores them)
  city create --code 71.71          add a city with its kecamatan and kelurahan from region data
  city list                         list the cities
  audit verify                      check every audit hash chain; names the first tampered entry
  backup -o FILE                    back up the database and the data directory's files
  restore FILE [--force]            restore a backup, migrate, verify audit chains and documents
  migrate, createsuperuser, ...     any Django management command
  <command> --help                  options of one command

Settings come from environment variables: DATABASE_URL, CELERY_BROKER_URL, REDIS_URL, MQTT_URL,
SECRET_KEY, ALLOWED_HOSTS, DEBUG, KOTAPINTAR_DATA_DIR (see docs/admin-guide.en.md).
"""


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(HELP)
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotapintar.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kotapintar", *argv])


if __name__ == "__main__":
    main()
