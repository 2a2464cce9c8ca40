"""The module registry: one manifest per module (Decidim-style) naming everything it plugs in.

Modules are discovered from the `kotapintar.modules` entry-point group (built-in modules use the same
mechanism, so a city's own module can be a separate pip package); each registers its `Module` in its
AppConfig.ready() with `register`. Core mounts the module's pages at `/<city>/<id>/`, its API at
`/api/v1/cities/<city>/<id>/` and its extra `mounts` under `/<city>/`, and the per-city module switch
(a ModuleActivation row) covers all of them.

Providers (config, indicators, map layers, catalogue entries, configuration exchange, events) are
described in `kotapintar.core.providers`. A provider left as None is undeclared, which the platform's
contract test refuses; a module without one of a kind says `NONE`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import entry_points

from django.utils.functional import Promise

ENTRY_POINT_GROUP = "kotapintar.modules"


class _NoProvider:
    """Marks a provider the module explicitly does not have."""

    def __repr__(self):
        return "NONE"

    def __bool__(self):
        return False


NONE = _NoProvider()
PROVIDERS = ("config", "indicators", "map_layers", "catalogue", "exchange", "events")


@dataclass(frozen=True)
class MenuEntry:
    label: str | Promise
    url_name: str  # reversed with kwargs {"city": slug}
    roles: tuple[str, ...] = ()  # empty: shown to everyone


@dataclass(frozen=True)
class Mount:
    """An extra URL prefix under `/<city>/` (e.g. `open311/v2/`), covered by the module switch."""

    prefix: str
    urls: str  # dotted path of a URLconf module
    namespace: str
    # Dotted path of a view (request, message) -> 404 response in the mount's own format (e.g. an Open311
    # error body), used when the city is unknown or has the module switched off; None: the platform's 404.
    not_found: str | None = None


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: str  # dotted Celery task name
    seconds: int


@dataclass(frozen=True)
class Module:
    id: str
    name: str | Promise
    version: str
    description: str | Promise = ""
    dependencies: tuple[str, ...] = ()
    urls: str | None = None  # pages, mounted at /<city>/<id>/ with namespace <id>
    api_urls: str | None = None  # API, mounted at /api/v1/cities/<city>/<id>/ with namespace <id>-api
    mounts: tuple[Mount, ...] = ()
    menu: tuple[MenuEntry, ...] = ()
    # Callables (request, city) -> dict(title=..., value=..., url=...) or None; shown on dashboards.
    widgets: tuple[Callable, ...] = ()
    roles: dict = field(default_factory=dict)  # role id -> label
    # Named sets of roles used by the module's authorization, declared once: e.g. {"officials": (...)}.
    role_groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Roles a subject grants (no membership does): role id -> label, e.g. {"applicant": _("Applicant")}.
    context_roles: dict = field(default_factory=dict)
    periodic: tuple[PeriodicJob, ...] = ()
    # Called by `kotapintar demo` for each demo city: demo(city, accounts) adds the module's demo data;
    # `accounts` collects (username, password, description) rows to print.
    demo: Callable | None = None
    # Providers (kotapintar.core.providers); None = undeclared, NONE = the module has none.
    config: object = None
    indicators: object = None
    map_layers: object = None
    catalogue: object = None
    exchange: object = None
    events: object = None
    always_on: bool = False  # core cannot be switched off
    default_on: bool = True  # switched on for a new city


REGISTRY: dict[str, Module] = {}


def discover(group: str = ENTRY_POINT_GROUP) -> list[str]:
    """The Django apps of every installed module, from the `kotapintar.modules` entry points (name: the
    module id, value: the app's dotted path, e.g. `permits = "kotapintar.permits"`); core first, then by
    name. Settings put them in INSTALLED_APPS; each app's AppConfig.ready() then calls `register`."""
    found = {ep.name: ep.value for ep in entry_points(group=group)}
    if "core" not in found:
        raise RuntimeError(f"No '{group}' entry point for core: install the package (pip install -e .) "
                           "so that its modules are discovered.")
    return [found.pop("core"), *(found[name] for name in sorted(found))]


def register(module: Module) -> Module:
    if module.id in module.dependencies:
        raise ValueError(f"Module {module.id} cannot depend on itself.")
    REGISTRY[module.id] = module
    return module


def get(module_id: str) -> Module | None:
    return REGISTRY.get(module_id)


def switchable() -> list[Module]:
    return [m for m in REGISTRY.values() if not m.always_on]


def all_roles() -> dict:
    roles = {}
    for module in REGISTRY.values():
        roles.update(module.roles)
    return roles


def all_context_roles() -> dict:
    roles = {}
    for module in REGISTRY.values():
        roles.update(module.context_roles)
    return roles


def role_group(module_id: str, name: str) -> tuple[str, ...]:
    """A module's declared role group; a KeyError names a group nobody declared."""
    return REGISTRY[module_id].role_groups[name]


def providers(kind: str) -> list[tuple[Module, object]]:
    """Every module's provider of one kind (PROVIDERS), skipping modules that have none."""
    assert kind in PROVIDERS, kind
    return [(m, getattr(m, kind)) for m in REGISTRY.values() if getattr(m, kind)]


def namespace_owner(namespace: str) -> tuple[Module, Mount | None] | None:
    """The module (and the mount, for an extra mount) that owns a URL namespace: core mounts a module's
    pages under the namespace `<id>`, its API under `<id>-api` and each mount under its own namespace."""
    for module in REGISTRY.values():
        if namespace in (module.id, f"{module.id}-api"):
            return module, None
        for mount in module.mounts:
            if namespace == mount.namespace:
                return module, mount
    return None


def periodic_jobs() -> list[PeriodicJob]:
    """Every module's periodic jobs: Celery beat's schedule and the embedded runner's."""
    return [job for module in REGISTRY.values() for job in module.periodic]


def dependents_of(module_id: str) -> list[Module]:
    return [m for m in REGISTRY.values() if module_id in m.dependencies]
