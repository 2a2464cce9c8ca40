"""The module registry: each app declares its module in AppConfig.ready() with `register`.

A module is switched on per city by a ModuleActivation row; when it is off, every page and API under
its URL namespace answers 404 for that city (see middleware.CityModuleMiddleware).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.functional import Promise


@dataclass(frozen=True)
class MenuEntry:
    label: str | Promise
    url_name: str  # reversed with kwargs {"city": slug}
    roles: tuple[str, ...] = ()  # empty: shown to everyone


@dataclass(frozen=True)
class Module:
    id: str
    name: str | Promise
    version: str
    description: str | Promise = ""
    dependencies: tuple[str, ...] = ()
    menu: tuple[MenuEntry, ...] = ()
    # Callables (request, city) -> dict(title=..., value=..., url=...) or None; shown on dashboards.
    widgets: tuple[Callable, ...] = ()
    roles: dict = field(default_factory=dict)  # role id -> label
    # Called by `kotapintar demo` for each demo city: demo(city, accounts) adds the module's demo data;
    # `accounts` collects (username, password, description) rows to print.
    demo: Callable | None = None
    always_on: bool = False  # core cannot be switched off
    default_on: bool = True  # switched on for a new city


REGISTRY: dict[str, Module] = {}


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


def dependents_of(module_id: str) -> list[Module]:
    return [m for m in REGISTRY.values() if module_id in m.dependencies]
