"""Configuration exchange: a city's configuration (permit types, complaint categories, ...) as items with
natural keys, a content hash and what they need in the adopting city; previewed and applied in another
city. Each module provides an `Exchange` (kotapintar.core.providers) for its own kinds; this module
collects them, so no module needs another.

Requirements an item names (`ExchangeItem.requires`):

- `module:<id>`: the module is switched on in the adopting city;
- `department_kind:<code>`: a department of that kind. A department's kind is its code (the demo and the
  Kemendagri nomenclature use the same codes in every city: DPMPTSP, PUPR, DLH, ...); a city whose
  department has another code maps it: `mapping = {"department_kind:DPMPTSP": "DPM-PTSP"}`;
- `role:<id>`: a role some installed module declares.

The content hash is the SHA-256 of the item's canonical JSON data (sorted keys, no whitespace, UTF-8),
so the same content has the same hash in every city and installation.
"""

import hashlib
import json
from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kotapintar.core import modules
from kotapintar.core.models import City, Department
from kotapintar.core.providers import ExchangeItem
from kotapintar.core.selectors import module_is_active
from kotapintar.core.services.audit import audit_record


def canonical_json(data) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(data) -> str:
    return hashlib.sha256(canonical_json(data).encode()).hexdigest()


def exchange_item(*, kind: str, key: str, label: str, data: dict, requires: Iterable[str] = ()) -> ExchangeItem:
    """An item with its hash; `data` goes through JSON once so it is exactly what a package carries."""
    data = json.loads(canonical_json(data))
    return ExchangeItem(kind=kind, key=key, label=label, data=data, requires=tuple(sorted(set(requires))),
                        content_hash=content_hash(data))


def item_verify(item: ExchangeItem) -> None:
    if item.content_hash != content_hash(item.data):
        raise ValidationError(_("The item “%(key)s” was changed after it was exported (its hash does not match).")
                              % {"key": item.key})


def departments_of(city: City, mapping: dict) -> Callable[[str], Department | None]:
    """kind -> the adopting city's department of that kind (see the module docstring), read at once."""
    by_code = {d.code: d for d in Department.objects.filter(city=city)}
    return lambda kind: by_code.get(mapping.get(f"department_kind:{kind}", kind))


def requirements_missing(city: City, item: ExchangeItem, departments: Callable[[str], Department | None]) -> list[str]:
    roles = modules.all_roles()
    missing = []
    for requirement in item.requires:
        what, _sep, name = requirement.partition(":")
        if what == "module":
            ok = module_is_active(city, name)
        elif what == "department_kind":
            ok = departments(name) is not None
        elif what == "role":
            ok = name in roles
        else:
            ok = False
        if not ok:
            missing.append(requirement)
    return missing


def field_changes(old: dict | None, new: dict) -> dict:
    """{field: {"from": old value, "to": new value}} for every top-level field that differs."""
    old = old or {}
    return {name: {"from": old.get(name), "to": new.get(name)} for name in sorted(set(old) | set(new))
            if old.get(name) != new.get(name)}


def preview_row(item: ExchangeItem, current: ExchangeItem | None, missing: list[str]) -> dict:
    """One row of a preview, given the item as the adopting city has it now (None: it has not)."""
    if current is None:
        action, changes = "add", {}
    elif current.content_hash == item.content_hash:
        action, changes = "same", {}
    else:
        action, changes = "change", field_changes(current.data, item.data)
    return {"key": item.key, "label": item.label, "action": action, "changes": changes, "missing": missing}


def _exchanges(city: City | None = None) -> dict[str, object]:
    """{item kind: the exchange that handles it}, of the modules switched on in `city` (all when None)."""
    handlers = {}
    for module, exchange in modules.providers("exchange"):
        if city is None or module_is_active(city, module.id):
            handlers.update(dict.fromkeys(exchange.kinds, exchange))
    return handlers


def _by_exchange(city: City, items: list[ExchangeItem]) -> list[tuple[object, list[ExchangeItem]]]:
    handlers = _exchanges(city)
    groups: dict[int, tuple[object, list]] = {}
    for item in items:
        exchange = handlers.get(item.kind)
        if exchange is None:
            raise ValidationError(_("This city cannot take items of the kind “%(kind)s” (is its module switched "
                                    "on?).") % {"kind": item.kind})
        item_verify(item)
        groups.setdefault(id(exchange), (exchange, []))[1].append(item)
    return list(groups.values())


def city_export(city: City, keys: Iterable[str] | None = None) -> list[ExchangeItem]:
    """The city's configuration items from every module switched on, optionally only some keys."""
    keys = None if keys is None else set(keys)
    seen, items = set(), []
    for exchange in _exchanges(city).values():
        if id(exchange) in seen:
            continue
        seen.add(id(exchange))
        items += exchange.export(city, keys)
    return items


def exchange_preview(*, city: City, items: list[ExchangeItem], mapping: dict | None = None) -> list[dict]:
    """What importing the items into `city` would do, item by item; writes nothing."""
    rows = []
    for exchange, group in _by_exchange(city, items):
        rows += exchange.preview(city, group, mapping or {})
    return rows


def exchange_apply(*, city: City, items: list[ExchangeItem], actor, mapping: dict | None = None) -> list[dict]:
    """Import the items into `city` in one transaction: all or nothing. Items the city already has with
    the same content are left alone (importing identical content writes nothing). Refused when an
    item's requirements are missing. Returns the preview rows of what was done."""
    mapping = mapping or {}
    rows = exchange_preview(city=city, items=items, mapping=mapping)
    missing = sorted({m for row in rows for m in row["missing"]})
    if missing:
        raise ValidationError(_("This city lacks what the items need: %(missing)s.") % {"missing": ", ".join(missing)})
    todo = {row["key"] for row in rows if row["action"] != "same"}
    if not todo:
        return rows
    with transaction.atomic():
        for exchange, group in _by_exchange(city, [item for item in items if item.key in todo]):
            exchange.apply(city, group, mapping, actor=actor)
        audit_record(city=city, actor=actor, action="exchange.apply", target=city, data={
            "items": {item.key: item.content_hash for item in items if item.key in todo},
            "unchanged": len(items) - len(todo)})
    return rows
