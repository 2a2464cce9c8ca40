"""Switching modules on and off per city, with dependencies enforced, and each module's per-city
settings (its `config` provider), validated against its ConfigSchema and audited."""

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from kotapintar.core import modules
from kotapintar.core.models import City, ModuleActivation
from kotapintar.core.providers import ConfigField, ConfigSchema
from kotapintar.core.selectors import CACHE_SECONDS, CITY_ADMIN, city_cache_clear, user_has_role
from kotapintar.core.services.audit import audit_record
from kotapintar.core.services.events import event_emit


def module_set_enabled(*, city: City, module_id: str, enabled: bool, actor) -> ModuleActivation:
    module = modules.get(module_id)
    if module is None:
        raise ValidationError(_("Unknown module “%(id)s”.") % {"id": module_id})
    if module.always_on:
        raise ValidationError(_("The module “%(name)s” cannot be switched off.") % {"name": module.name})
    with transaction.atomic():
        active = set(
            ModuleActivation.objects.select_for_update()
            .filter(city=city, enabled=True)
            .values_list("module_id", flat=True)
        )
        if enabled:
            missing = [dep for dep in module.dependencies if dep not in active and not modules.get(dep).always_on]
            if missing:
                names = ", ".join(str(modules.get(dep).name) for dep in missing)
                raise ValidationError(
                    _("Switch on %(deps)s first: “%(name)s” needs it.") % {"deps": names, "name": module.name}
                )
        else:
            blocking = [m for m in modules.dependents_of(module_id) if m.id in active]
            if blocking:
                names = ", ".join(str(m.name) for m in blocking)
                raise ValidationError(
                    _("Switch off %(deps)s first: it needs “%(name)s”.") % {"deps": names, "name": module.name}
                )
        activation, _created = ModuleActivation.objects.get_or_create(city=city, module_id=module_id)
        if activation.enabled != enabled:
            activation.enabled = enabled
            activation.save(update_fields=["enabled", "updated_at"])
            audit_record(city=city, actor=actor, action="module.enable" if enabled else "module.disable",
                         target=activation, data={"module": module_id})
            event_emit(city, "core.module.enabled" if enabled else "core.module.disabled", activation,
                       {"module": module_id})
            city_cache_clear(city)
    return activation


# --- per-city module configuration (the `config` provider) ------------------------------------------

SECRET_MASK = "***"


def _schema(module_id: str) -> ConfigSchema:
    module = modules.get(module_id)
    if module is None or not module.config:
        raise ValidationError(_("The module “%(id)s” has no settings.") % {"id": module_id})
    return module.config


def _stored_configs(city: City) -> dict[str, dict]:
    """Every module's saved settings of the city (cached with the city's module switches)."""
    key = f"kp:modcfg:{city.pk}"
    configs = cache.get(key)
    if configs is None:
        configs = dict(ModuleActivation.objects.filter(city=city).values_list("module_id", "config"))
        cache.set(key, configs, CACHE_SECONDS)
    return configs


def module_config_get(city: City, module_id: str) -> dict:
    """The module's settings for the city: each field's saved value or its default. Secrets included
    (for the module's own use only: never show them)."""
    stored = _stored_configs(city).get(module_id) or {}
    return {f.key: Decimal(stored[f.key]) if f.kind == "decimal" and f.key in stored else stored.get(f.key, f.default)
            for f in _schema(module_id).fields}


def module_config_fields(city: City, module_id: str) -> list[dict]:
    """The settings as shown to an administrator: a secret's value is never shown, only whether it is set."""
    values = module_config_get(city, module_id)
    return [{"key": f.key, "label": str(f.label), "kind": f.kind, "help": str(f.help),
             "choices": [[value, str(label)] for value, label in f.choices], "required": f.required,
             "value": None if f.kind == "secret" else _json_value(values[f.key]),
             "is_set": values[f.key] not in (None, "")} for f in _schema(module_id).fields]


def _json_value(value):
    return str(value) if isinstance(value, Decimal) else value


def _clean(field: ConfigField, raw):
    """One submitted value as stored (JSON), or raise ValidationError with a message for the person."""
    if field.kind == "boolean":
        if isinstance(raw, str):
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        return bool(raw)
    text = str(raw).strip()
    if field.kind == "url" and text:
        URLValidator(schemes=["http", "https"], message=_("Enter a web address starting with https://."))(text)
    if field.kind in ("text", "secret", "url"):
        return text
    if field.kind == "choice":
        if text not in {value for value, _label in field.choices}:
            raise ValidationError(_("Choose one of the offered values."))
        return text
    if field.kind == "rate":
        count, _slash, seconds = text.partition("/")
        if not (count.isdigit() and seconds.isdigit() and int(count) > 0 and int(seconds) > 0):
            raise ValidationError(_("Write a limit as count/seconds, e.g. 5/600 (five in ten minutes)."))
        return f"{int(count)}/{int(seconds)}"
    try:
        number = int(text) if field.kind == "integer" else Decimal(text)
    except (ValueError, InvalidOperation):
        raise ValidationError(_("Enter a number.")) from None
    if field.kind == "decimal" and not number.is_finite():
        raise ValidationError(_("Enter a number."))
    if field.min_value is not None and number < field.min_value:
        raise ValidationError(_("At least %(n)s.") % {"n": field.min_value})
    if field.max_value is not None and number > field.max_value:
        raise ValidationError(_("At most %(n)s.") % {"n": field.max_value})
    return number if field.kind == "integer" else str(number)


def module_config_set(*, city: City, module_id: str, values: dict, actor) -> dict:
    """Change some of the module's settings for the city (keys not given keep their value; an empty
    value returns a field to its default, except a secret, which an empty value leaves unchanged).
    Only the city's administrators may; every change is audited with secrets masked."""
    if not user_has_role(actor, city, CITY_ADMIN):
        raise PermissionDenied(_("Only the city's administrators may change module settings."))
    schema = _schema(module_id)
    fields = {f.key: f for f in schema.fields}
    errors = {key: [_("Unknown setting.")] for key in values if key not in fields}
    changes = {}
    for key, raw in values.items():
        field = fields.get(key)
        if field is None or (field.kind == "secret" and raw in (None, "")):
            continue
        if raw is None or (raw == "" and field.kind not in ("text", "url")):
            changes[key] = None  # back to the default
            continue
        try:
            changes[key] = _clean(field, raw)
        except ValidationError as exc:
            errors[key] = exc.messages
    with transaction.atomic():
        activation, _created = ModuleActivation.objects.select_for_update().get_or_create(
            city=city, module_id=module_id)
        config = dict(activation.config)
        for key, value in changes.items():
            if value is None:
                config.pop(key, None)
            else:
                config[key] = value
        merged = {f.key: config.get(f.key, f.default) for f in schema.fields}
        errors.update({f.key: [_("This setting is required.")] for f in schema.fields
                       if f.required and merged[f.key] in (None, "") and f.key not in errors})
        if not errors and schema.validate:
            errors.update({key: [message] for key, message in schema.validate(merged).items()})
        if errors:
            raise ValidationError(errors)
        changed = sorted(key for key in fields if config.get(key) != activation.config.get(key))
        if changed:
            activation.config = config
            activation.save(update_fields=["config", "updated_at"])
            shown = {key: SECRET_MASK if fields[key].kind == "secret" else config.get(key) for key in changed}
            audit_record(city=city, actor=actor, action="module.configure", target=activation,
                         data={"module": module_id, "changed": shown})
            event_emit(city, "core.module.configured", activation, {"module": module_id, "changed": changed})
            city_cache_clear(city)
    return merged


def map_background(city: City) -> dict:
    """The city's map background: {"tiles": tile URL template or "" (none: works offline), "attribution"}
    from core's settings, else the installation's defaults."""
    config = module_config_get(city, "core")
    tiles = config["map_tiles"] if config["map_tiles"] is not None else settings.KOTAPINTAR_MAP_TILES
    attribution = config["map_attribution"]
    if attribution is None:
        attribution = settings.KOTAPINTAR_MAP_ATTRIBUTION
    return {"tiles": tiles, "attribution": attribution if tiles else ""}
