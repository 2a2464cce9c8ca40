"""Test set-up shared by every module.

Services: a test that needs PostgreSQL, Redis, RabbitMQ, Mosquitto or Chromium asks for it with
`require_service(...)` / the `chromium_path` fixture. Without it the test is skipped with the reason
in the summary; in CI (CI=true) a missing service fails the test instead, so CI always runs everything.
"""

import pytest
from django.utils import translation

from kotapintar.testservices import require_chromium


@pytest.fixture
def chromium_path() -> str:
    return require_chromium()


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    settings.DOCUMENTS_ROOT = tmp_path / "documents"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Code a test calls directly (services, validators, commands) speaks English, the source language,
    so tests can match its messages (`pytest.raises(..., match="already exists")`). Pages keep their
    language: LanguageMiddleware activates Bahasa Indonesia (or the chosen one) for every request, and
    deactivates it afterwards, so code called after a request in the same test is Indonesian again."""
    with translation.override("en"):
        yield


def pytest_generate_tests(metafunc):
    """Endpoint permission classes (kotapintar.core.testing) get one test per declared endpoint."""
    endpoints = getattr(metafunc.cls, "endpoints", None)
    if endpoints and "endpoint" in metafunc.fixturenames:
        selected = endpoints
        only = getattr(metafunc.function, "endpoint_filter", None)
        if only:
            selected = [e for e in endpoints if only(e)]
        metafunc.parametrize("endpoint", selected, ids=[e.id for e in selected])


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (cities and module switches are cached)."""
    from django.core.cache import cache

    from kotapintar.core.selectors import workflow_definition

    cache.clear()
    workflow_definition.cache_clear()  # ids of rolled-back rows are used again by the next test
    yield
