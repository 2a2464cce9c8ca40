"""Switching modules on and off per city, with dependencies enforced."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kotapintar.core import modules
from kotapintar.core.models import City, ModuleActivation
from kotapintar.core.selectors import city_cache_clear
from kotapintar.core.services.audit import audit_record


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
            city_cache_clear(city)
    return activation
