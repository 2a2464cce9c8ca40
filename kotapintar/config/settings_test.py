"""Settings for the test suite: the normal settings plus a small app with a workflow subject, and a
city's own module installed as a separate package would be (tests/plugins: found through its entry
point, named nowhere else)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "plugins"))

from kotapintar.config import settings as _base  # noqa: E402 (the plugin folder must be on sys.path first)

globals().update({name: value for name, value in vars(_base).items() if name.isupper()})

INSTALLED_APPS = [*_base.INSTALLED_APPS, "kotapintar.core.tests.testapp"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
