"""Shared test helpers. Every module proves its API's access rules by declaring its endpoints:

    class TestAnnouncementEndpoints(ModuleEndpointTests):
        module = "announcements"
        endpoints = [Endpoint("announcements-api:announcement-list", public=True), ...]

        def make_object(self, city, endpoint):
            return announcement_create(city=city, ...)

and gets, for every endpoint: anonymous access, a wrong role, the right role in another city,
another city's object, the right role succeeding, and (for switchable modules) the module
switched off. These tests fail when the protection is removed.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework.test import APIClient

from kotapintar.core import modules
from kotapintar.core.models import City, Membership, ModuleActivation
from kotapintar.core.selectors import city_cache_clear
from kotapintar.core.services.cities import city_create

PASSWORD = "correct-horse-battery-staple"


def make_city(code: str = "32.73", slug: str | None = None) -> City:
    return City.objects.filter(region_code=code).first() or city_create(region_code=code, slug=slug)


def make_user(username: str, *, city: City | None = None, roles=(), **fields):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD,
                                                email=f"{username}@example.id", **fields)
    for role in roles:
        Membership.objects.create(user=user, city=city, role=role)
    return user


def set_module(city: City, module_id: str, enabled: bool) -> None:
    ModuleActivation.objects.update_or_create(city=city, module_id=module_id, defaults={"enabled": enabled})
    city_cache_clear(city)


@dataclass
class Endpoint:
    name: str  # URL name, e.g. "announcements-api:announcement-detail"
    method: str = "get"
    roles: tuple[str, ...] = ()  # roles that may call it
    public: bool = False  # anyone, signed in or not, may call it
    detail: bool = False  # needs an object: make_object() gives it
    data: dict = field(default_factory=dict)
    ok: int = 200
    lookup: str = "pk"  # URL argument naming the object
    lookup_attr: str = "pk"  # attribute of the object that fills it
    city_owned: bool = True  # the object belongs to one city (False: e.g. a module id)

    @property
    def id(self) -> str:
        return f"{self.method.upper()} {self.name}"


def only(predicate):
    """Generate a contract test only for the endpoints it applies to (see conftest)."""

    def mark(test):
        test.endpoint_filter = predicate
        return test

    return mark


class CityEndpointTests:
    """Access rules every city-scoped endpoint must keep."""

    endpoints: list[Endpoint] = []
    module = "core"

    def make_object(self, city: City, endpoint: Endpoint):
        raise NotImplementedError("Declare make_object for detail endpoints.")

    # helpers -----------------------------------------------------------------------------------
    @pytest.fixture
    def city(self, db):
        return make_city("32.73", "bandung")

    @pytest.fixture
    def other_city(self, db):
        return make_city("71.71", "manado")

    def url(self, endpoint: Endpoint, city: City, obj=None) -> str:
        kwargs = {"city": city.slug}
        if endpoint.detail:
            kwargs[endpoint.lookup] = getattr(obj, endpoint.lookup_attr)
        return reverse(endpoint.name, kwargs=kwargs)

    def call(self, endpoint: Endpoint, city: City, user=None, obj=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        obj = obj if obj is not None or not endpoint.detail else self.make_object(city, endpoint)
        return getattr(client, endpoint.method)(self.url(endpoint, city, obj), endpoint.data, format="json")

    def wrong_role(self, endpoint: Endpoint) -> str:
        return next(r for r in sorted(modules.all_roles()) if r not in endpoint.roles)

    # the contract ------------------------------------------------------------------------------
    def test_anonymous(self, endpoint, city):
        response = self.call(endpoint, city)
        if endpoint.public:
            assert response.status_code == endpoint.ok, response.content
        else:
            assert response.status_code in (401, 403), response.content

    def test_wrong_role_is_refused(self, endpoint, city):
        user = make_user("wrongrole", city=city, roles=[self.wrong_role(endpoint)])
        response = self.call(endpoint, city, user)
        expected = endpoint.ok if endpoint.public else 403
        assert response.status_code == expected, response.content

    def test_right_role_succeeds(self, endpoint, city):
        user = make_user("rightrole", city=city, roles=endpoint.roles[:1])
        response = self.call(endpoint, city, user)
        assert response.status_code == endpoint.ok, response.content

    @only(lambda e: not e.public)
    def test_role_in_another_city_does_not_count(self, endpoint, city, other_city):
        user = make_user("elsewhere", city=other_city, roles=endpoint.roles[:1])
        response = self.call(endpoint, city, user)
        assert response.status_code == 403, response.content

    @only(lambda e: e.detail and e.city_owned)
    def test_another_citys_object_is_not_found(self, endpoint, city, other_city):
        user = make_user("rightrole", city=city, roles=endpoint.roles[:1])
        foreign = self.make_object(other_city, endpoint)
        response = self.call(endpoint, city, user, obj=foreign)
        assert response.status_code == 404, response.content


class ModuleEndpointTests(CityEndpointTests):
    """Adds: a switched-off module answers 404, even to the right role."""

    def test_switched_off_module_answers_404(self, endpoint, city):
        assert not modules.get(self.module).always_on
        user = make_user("rightrole", city=city, roles=endpoint.roles[:1])
        obj = self.make_object(city, endpoint) if endpoint.detail else None
        set_module(city, self.module, False)
        assert self.call(endpoint, city, user, obj=obj).status_code == 404
        assert self.call(endpoint, city, None, obj=obj).status_code == 404


@contextmanager
def extra_module(city: City, module_id: str = "extra", **providers):
    """A module registered, and switched on in `city`, only inside the block, with the given providers:
    for testing what is collected from every module without importing another module."""
    module = modules.register(modules.Module(id=module_id, name=module_id, version="0", **providers))
    set_module(city, module_id, True)
    try:
        yield module
    finally:
        modules.REGISTRY.pop(module_id, None)
