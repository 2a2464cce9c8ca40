"""The named interfaces a module provides to the platform (CKAN-style small interfaces, declared in one
Decidim-style manifest: `kotapintar.core.modules.Module`).

Each provider is a plain value or callable that core (and other modules, through core) can use without
a request or a signed-in user:

- `config`: a `ConfigSchema`, the module's typed per-city settings (stored in
  `ModuleActivation.config`, validated, audited, edited on one generic settings page and API);
- `indicators`: `(city, period) -> list[Indicator]`, the city's KPIs for the command-centre wall and the
  cross-city benchmarks;
- `map_layers`: `(city) -> list[MapLayer]`, GeoJSON features with their style and popups;
- `catalogue`: `(city, language) -> list[CatalogueEntry]`, entries of the public service catalogue;
- `exchange`: an `Exchange`, the module's configuration exported and imported as items with natural
  keys (the inter-city network builds its packages on it);
- `events`: the names of the events the module emits through `kotapintar.core.services.events`.

A module that has none of one kind says so with `modules.NONE`; leaving a provider unset fails the
platform's contract test.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, Protocol

from django.utils.functional import Promise

Text = str | Promise

# --- config -------------------------------------------------------------------------------------

ConfigKind = Literal["text", "integer", "decimal", "boolean", "choice", "url", "secret", "rate"]


@dataclass(frozen=True)
class ConfigField:
    """One per-city setting. `secret` values are never shown again once saved (only "set" / "not set")
    and never written to the audit log; `rate` is `count/seconds` (e.g. `5/600`)."""

    key: str
    label: Text
    kind: ConfigKind = "text"
    default: Any = None
    help: Text = ""
    choices: tuple[tuple[str, Text], ...] = ()
    required: bool = False
    min_value: int | Decimal | None = None
    max_value: int | Decimal | None = None


@dataclass(frozen=True)
class ConfigSchema:
    fields: tuple[ConfigField, ...]
    # Optional cross-field check: (values) -> {key: message}; empty when valid.
    validate: Callable[[dict], dict] | None = None


# --- indicators ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A half-open period [start, end) of calendar dates in the city's time zone."""

    start: datetime.date
    end: datetime.date
    label: str = ""  # e.g. "2026-Q3", "2026-11"


@dataclass(frozen=True)
class Indicator:
    id: str  # stable across cities and installations, e.g. "permits.decision_days_median"
    label: Text
    value: Decimal | int | float | None  # None: not enough data in the period
    unit: str  # "days", "%", "count", "score", "IDR"
    period: Period
    better: Literal["higher", "lower", "neither"] = "neither"
    breakdown: dict[str, Any] = field(default_factory=dict)  # e.g. {"by_category": {...}}


# --- map layers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapLayer:
    id: str  # e.g. "complaints.open"
    label: Text
    features: dict  # a GeoJSON FeatureCollection; each feature's properties carry "popup" (plain text)
    style: dict = field(default_factory=dict)  # Leaflet path options, e.g. {"color": "#c0392b"}


# --- service catalogue --------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogueEntry:
    module: str
    code: str
    name: str
    description: str = ""
    department: str = ""  # the department's name
    sla_days: int | None = None  # working days
    fee: str = ""  # human-readable ("Gratis", "Rp 150.000", "menurut luas bangunan")
    requirements: tuple[str, ...] = ()
    url: str = ""  # where a citizen starts
    procedure: tuple[str, ...] = ()  # the steps, in order
    service_time: str = ""  # human-readable ("5 hari kerja", "1 hari"); from sla_days when empty
    product: str = ""  # what the citizen receives
    adopted_from: str = ""  # "Kota Bandung" when the item was adopted from another city


# --- configuration export / import --------------------------------------------------------------


@dataclass(frozen=True)
class ExchangeItem:
    """One exportable piece of configuration. `key` is natural (e.g. "permit_type:pbg"), `requires`
    names what must exist in the adopting city (e.g. "department_kind:DPMPTSP", "role:permit_head",
    "module:permits"), `data` is JSON-serialisable and `content_hash` is the SHA-256 of its canonical
    JSON."""

    kind: str
    key: str
    label: str
    data: dict
    requires: tuple[str, ...] = ()
    content_hash: str = ""


class Exchange(Protocol):
    """A module's configuration exporter/importer."""

    kinds: tuple[str, ...]  # the item kinds it handles, e.g. ("permit_type",)

    def export(self, city, keys: Iterable[str] | None = None) -> list[ExchangeItem]: ...

    def preview(self, city, items: list[ExchangeItem], mapping: dict) -> list[dict]:
        """What importing would do per item: {"key", "action": "add"|"change"|"same", "changes": {...},
        "missing": [...]}; writes nothing."""

    def apply(self, city, items: list[ExchangeItem], mapping: dict, *, actor) -> list:
        """Create or update the items inside the caller's transaction; returns the saved objects."""
