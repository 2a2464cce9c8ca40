"""Every core API endpoint keeps the access contract (kotapintar.core.testing)."""

import datetime

from kotapintar.core.models import CityDayOff, Department, Membership
from kotapintar.core.testing import CityEndpointTests, Endpoint, make_user

WORKFLOW = {"states": [
    {"state": "open", "start": True, "actions": [{"action": "close", "to": "closed", "roles": ["official"]}]},
    {"state": "closed", "terminal": True},
]}


class TestCoreEndpoints(CityEndpointTests):
    endpoints = [
        Endpoint("core-api:city-detail", public=True, detail=True, lookup="city", lookup_attr="slug",
                 city_owned=False),
        Endpoint("core-api:city-detail", "patch", roles=("city_admin",), data={"contact_phone": "022-4234793"}),
        Endpoint("core-api:module-list", public=True),
        Endpoint("core-api:module-detail", "patch", roles=("city_admin",), detail=True, lookup="module_id",
                 lookup_attr="module_id", city_owned=False, data={"enabled": False}),
        Endpoint("core-api:department-list", public=True),
        Endpoint("core-api:department-detail", public=True, detail=True),
        Endpoint("core-api:department-list", "post", roles=("city_admin",), ok=201,
                 data={"code": "DISPAR", "name": "Dinas Pariwisata", "short_name": "Dispar"}),
        Endpoint("core-api:district-list", public=True),
        Endpoint("core-api:membership-list", roles=("city_admin",)),
        Endpoint("core-api:membership-detail", roles=("city_admin",), detail=True),
        Endpoint("core-api:membership-detail", "delete", roles=("city_admin",), detail=True, ok=204),
        Endpoint("core-api:audit-list", roles=("city_admin",)),
        Endpoint("core-api:day-off-list", public=True),
        Endpoint("core-api:day-off-list", "post", roles=("city_admin",), ok=201,
                 data={"date": "2026-12-24", "name": "Cuti bersama Natal"}),
        Endpoint("core-api:day-off-detail", "delete", roles=("city_admin",), detail=True, ok=204),
        Endpoint("core-api:workflow-list", roles=("city_admin",)),
        Endpoint("core-api:workflow-list", "post", roles=("city_admin",), ok=201,
                 data={"key": "test", "name": "Test", "definition": WORKFLOW}),
    ]

    def make_object(self, city, endpoint):
        if "city-detail" in endpoint.name:
            return city
        if "module" in endpoint.name:
            from types import SimpleNamespace

            return SimpleNamespace(module_id="announcements")
        if "department" in endpoint.name:
            return Department.objects.create(city=city, code=f"D{city.pk}", name="Dinas X", short_name="X")
        if "membership" in endpoint.name:
            return Membership.objects.create(user=make_user(f"staff{city.pk}"), city=city, role="official")
        if "day-off" in endpoint.name:
            return CityDayOff.objects.create(city=city, date=datetime.date(2026, 12, 26), name="Libur")
        raise AssertionError(endpoint)
