"""Modules as plug-ins: discovered from entry points, mounted and switched by core from their manifest,
complete in their providers; a city's own module (tests/plugins/kotapintar_lostfound, a separate package
found only through its entry point) is served, switched, scheduled and configured like a built-in one."""

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from kotapintar.config.celery import app as celery_app
from kotapintar.core import modules
from kotapintar.core.management.commands.run import periodic_jobs_due
from kotapintar.core.testing import make_city, set_module

pytestmark = pytest.mark.django_db


def walk(patterns, prefix="", namespaces=()):
    """Every URL pattern: (route, namespaces it sits in, its own name)."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, route,
                            namespaces + ((pattern.namespace,) if pattern.namespace else ()))
        elif isinstance(pattern, URLPattern):
            yield route, namespaces, pattern.name


def city_urls():
    """The routes that belong to a city: a `city` argument, or under /<city>/ or the API's cities/<city>/."""
    return [(route, namespaces, name) for route, namespaces, name in walk(get_resolver().url_patterns)
            if "<slug:city>" in route or "(?P<city>" in route]


def test_every_city_url_is_owned_by_a_module():
    routes = city_urls()
    assert len(routes) > 50
    orphans = [route for route, namespaces, _name in routes
               if not any(modules.namespace_owner(ns) for ns in namespaces)]
    assert orphans == []


def test_the_module_switch_covers_every_mount_of_every_module(client):
    """Each switchable module's pages, API and extra mounts answer 404 once it is off, with no check of
    the module's own (the lost-and-found plug-in has none)."""
    city = make_city("32.73", "bandung")
    checked = {}
    for module in modules.switchable():
        set_module(city, module.id, False)
        names = {module.id, f"{module.id}-api", *(m.namespace for m in module.mounts)}
        for _route, namespaces, name in city_urls():
            if not name or namespaces[-1] not in names:
                continue
            for kwargs in ({"city": city.slug}, {"city": city.slug, "fmt": "json"}):
                try:
                    url = reverse(f"{':'.join(namespaces)}:{name}", kwargs=kwargs)
                except NoReverseMatch:
                    continue
                assert client.get(url).status_code == 404, url
                checked.setdefault(module.id, set()).add(namespaces[-1])
                break
    assert checked["complaints"] == {"complaints", "complaints-api", "open311"}
    assert checked["permits"] == {"permits", "permits-api"}
    assert checked["lostfound"] == {"lostfound", "lostfound-api", "lostfound-feed"}


def test_open311_answers_its_own_error_format_when_switched_off(client):
    city = make_city("32.73", "bandung")
    set_module(city, "complaints", False)
    response = client.get("/bandung/open311/v2/services.json")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")
    assert "Kota Bandung" in response.json()[0]["description"]


def test_every_module_declares_every_provider_or_none():
    assert {"core", "announcements", "permits", "complaints", "lostfound"} <= set(modules.REGISTRY)
    undeclared = [(module.id, kind) for module in modules.REGISTRY.values() for kind in modules.PROVIDERS
                  if getattr(module, kind) is None]
    assert undeclared == []
    for module, events in modules.providers("events"):
        assert all(name.startswith(f"{module.id}.") for name in events), module.id


def test_context_roles_come_from_the_manifests():
    from kotapintar.core.services.workflow import definition_errors

    definition = {"states": [
        {"state": "new", "start": True, "actions": [{"action": "claim", "to": "done", "roles": ["finder"]}]},
        {"state": "done", "terminal": True}]}
    assert definition_errors(definition) == []  # "finder" is the plug-in's context role
    definition["states"][0]["actions"][0]["roles"] = ["stranger"]
    assert definition_errors(definition) != []


class TestPlugin:
    """The lost-and-found module: written as its own package, with no edit to core or config/."""

    def test_it_is_discovered_from_its_entry_point(self):
        assert "kotapintar_lostfound" in modules.discover()

    def test_its_pages_api_and_mount_are_served_while_it_is_on(self, client):
        city = make_city("32.73", "bandung")  # a new city has it on, like every module that is default_on
        set_module(city, "lostfound", False)
        assert client.get("/bandung/lostfound/").status_code == 404
        set_module(city, "lostfound", True)
        page = client.get("/bandung/lostfound/")
        assert page.status_code == 200 and "Lost and found of Kota Bandung, open 08:00-15:00" in page.content.decode()
        assert client.get("/api/v1/cities/bandung/lostfound/items/").json() == {"city": "bandung", "items": []}
        assert client.get("/bandung/lost-items/v1/items.json").json() == {"feed": "bandung"}
        assert client.get("/kota-hilang/lostfound/").status_code == 404

    def test_its_periodic_job_runs_under_celery_beat_and_in_the_embedded_runner(self):
        from kotapintar_lostfound import tasks

        celery_app.finalize()
        schedule = celery_app.conf.beat_schedule
        assert schedule["lostfound-expire"] == {"task": "kotapintar_lostfound.tasks.expire", "schedule": 3600.0}
        assert schedule["workflow-deadlines"]["task"] == "kotapintar.core.tasks.workflow_deadlines_run"
        assert schedule["complaints-intake"]["schedule"] == 60.0
        next_run = {}
        assert periodic_jobs_due(next_run, 0.0) == []  # the first round starts the clocks
        due = periodic_jobs_due(next_run, 3600.0)
        assert {job.name for job in due} == {"lostfound-expire", "workflow-deadlines", "complaints-intake"}
        assert [job.name for job in periodic_jobs_due(next_run, 3660.0)] == ["complaints-intake"]
        runs = len(tasks.RUNS)
        from django.utils.module_loading import import_string

        import_string(next(job for job in due if job.name == "lostfound-expire").task)()
        assert len(tasks.RUNS) == runs + 1

    def test_its_settings_use_the_generic_api(self):
        city = make_city("32.73", "bandung")
        set_module(city, "lostfound", True)
        from kotapintar.core.testing import make_user

        api = APIClient()
        api.force_authenticate(make_user("admin", city=city, roles=["city_admin"]))
        url = "/api/v1/cities/bandung/modules/lostfound/config/"
        response = api.patch(url, {"keep_days": 400}, format="json")
        assert response.status_code == 400 and "keep_days" in response.json()
        assert api.patch(url, {"office_hours": "07:30-14:00"}, format="json").status_code == 200
        assert "open 07:30-14:00" in APIClient().get("/bandung/lostfound/").content.decode()
