"""The complaints module's per-city settings: each city sets its own rate limits (the installation's
KOTAPINTAR_COMPLAINT_LIMITS stays the default), and each city's maps draw its own tiles."""

import pytest
from django.test import override_settings

from kotapintar.complaints.services.limits import RateLimited
from kotapintar.complaints.tests.factories import city_with_categories, report
from kotapintar.core.services.modules import module_config_set
from kotapintar.core.testing import make_user

pytestmark = pytest.mark.django_db


@override_settings(KOTAPINTAR_COMPLAINT_LIMITS={"person": (3, 600)})
def test_a_city_sets_its_own_limit_and_others_keep_the_installations():
    bandung, manado = city_with_categories(), city_with_categories("71.71", "manado")
    module_config_set(city=bandung, module_id="complaints", values={"limit_person": "1/600"},
                      actor=make_user("admin", city=bandung, roles=["city_admin"]))
    citizen = make_user("warga")
    report(bandung, citizen)
    with pytest.raises(RateLimited):
        report(bandung, citizen)
    for _ in range(3):
        report(manado, citizen)
    with pytest.raises(RateLimited):
        report(manado, citizen)


def test_each_citys_map_draws_its_own_tiles(client):
    bandung = city_with_categories()
    city_with_categories("71.71", "manado")
    module_config_set(city=bandung, module_id="core", actor=make_user("admin", city=bandung, roles=["city_admin"]),
                      values={"map_tiles": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                              "map_attribution": "© OpenStreetMap contributors"})
    page = client.get("/bandung/complaints/").content.decode()
    assert "https://tile.openstreetmap.org/{z}/{x}/{y}.png" in page and "OpenStreetMap contributors" in page
    assert "tile.openstreetmap.org" not in client.get("/manado/complaints/").content.decode()
