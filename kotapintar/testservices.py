"""External services the tests need. A test asks with `require_service(name)`: without the service it
is skipped with the reason in the summary; in CI (CI=true) it fails instead, so CI runs everything."""

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
    """Skip locally, fail in CI."""
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


def require_chromium() -> str:
    if not os.path.exists(CHROMIUM):
        missing(f"Chromium not installed at {CHROMIUM} (apt-get install chromium)")
    return CHROMIUM
