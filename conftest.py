"""Test set-up shared by every module.

Services: a test that needs PostgreSQL, Redis, RabbitMQ, Mosquitto or Chromium asks for it with
`require_service(...)` / the `chromium_path` fixture. Without it the test is skipped with the reason
in the summary; in CI (CI=true) a missing service fails the test instead, so CI always runs everything.
"""

import os
import socket

import pytest

SERVICES = {
    "postgresql": ("127.0.0.1", 5432),
    "redis": ("127.0.0.1", 6379),
    "rabbitmq": ("127.0.0.1", 5672),
    "mosquitto": ("127.0.0.1", 1883),
}
CHROMIUM = "/usr/bin/chromium"


def missing(reason: str):
    """Skip locally, fail in CI: CI must run every test."""
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"MISSING SERVICE in CI: {reason}", pytrace=False)
    pytest.skip(f"MISSING SERVICE: {reason}")


def require_service(name: str) -> tuple[str, int]:
    host, port = SERVICES[name]
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        missing(f"{name} is not reachable at {host}:{port}")
    return host, port


@pytest.fixture
def chromium_path() -> str:
    if not os.path.exists(CHROMIUM):
        missing(f"Chromium not installed at {CHROMIUM} (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    settings.DOCUMENTS_ROOT = tmp_path / "documents"
    settings.MEDIA_ROOT = tmp_path / "media"


def pytest_generate_tests(metafunc):
    """Endpoint permission classes (kotapintar.core.testing) get one test per declared endpoint."""
    endpoints = getattr(metafunc.cls, "endpoints", None)
    if endpoints and "endpoint" in metafunc.fixturenames:
        selected = endpoints
        only = getattr(metafunc.function, "endpoint_filter", None)
        if only:
            selected = [e for e in endpoints if only(e)]
        metafunc.parametrize("endpoint", selected, ids=[e.id for e in selected])
