"""Fixtures shared by the permits tests."""

import pytest

from kotapintar.core.testing import make_city
from kotapintar.permits.demo import install_standard_types


@pytest.fixture
def bandung(db):
    """Bandung with the demo's standard permit types (PBG, SIP, ...)."""
    city = make_city("32.73", "bandung")
    install_standard_types(city)
    return city
