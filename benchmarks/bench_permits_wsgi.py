"""WSGI application for `bench_permits.py --http`: the project's URLs plus the benchmark's bare view.

Run by bench_permits.py as `python -m waitress ... bench_permits_wsgi:application` with DATABASE_URL,
KOTAPINTAR_DATA_DIR and DJANGO_SETTINGS_MODULE of the benchmark database in the environment.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402

django.setup()

import bench_permits  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

bench_permits.install_urls()
settings.ROOT_URLCONF = "bench_permits"
application = get_wsgi_application()
