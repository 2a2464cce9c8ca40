"""Settings for the test suite: the normal settings plus a small app with a workflow subject."""

from kotapintar.config import settings as _base

globals().update({name: value for name, value in vars(_base).items() if name.isupper()})

INSTALLED_APPS = [*_base.INSTALLED_APPS, "kotapintar.core.tests.testapp"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
