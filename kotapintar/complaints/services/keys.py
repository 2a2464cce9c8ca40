"""Open311 api_keys: issued by a city administrator to a client, shown once, stored as a hash."""

import hashlib
import secrets

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from kotapintar.complaints.models import Open311Key
from kotapintar.core.models import City
from kotapintar.core.services.audit import audit_record


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def open311_key_create(*, city: City, name: str, actor) -> tuple[Open311Key, str]:
    """Issue a key. Returns the record and the key itself, which is never shown again."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Name the client that will use the key.")]})
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        record = Open311Key.objects.create(city=city, name=name[:120], prefix=key[:6], key_hash=key_hash(key),
                                           created_by=actor if getattr(actor, "is_authenticated", False) else None)
        audit_record(city=city, actor=actor or "command line", action="open311_key.create", target=record,
                     data={"name": record.name, "prefix": record.prefix})
    return record, key


def open311_key_revoke(*, key: Open311Key, actor) -> Open311Key:
    if key.revoked_at is None:
        with transaction.atomic():
            key.revoked_at = timezone.now()
            key.save(update_fields=["revoked_at"])
            audit_record(city=key.city, actor=actor, action="open311_key.revoke", target=key,
                         data={"name": key.name, "prefix": key.prefix})
    return key


def open311_key_find(city: City, key: str) -> Open311Key | None:
    """The city's valid (not revoked) key, or None. Valid keys are cached (a revocation clears the entry
    at once in every process when the cache is Redis; with a per-process cache within KEY_CACHE_SECONDS)."""
    if not key:
        return None
    digest = key_hash(key)
    record = cache.get(_cache_key(city.pk, digest))
    if record is None:
        record = Open311Key.objects.filter(city=city, key_hash=digest, revoked_at=None).first()
        if record is not None:
            cache.set(_cache_key(city.pk, digest), record, KEY_CACHE_SECONDS)
    return record


KEY_CACHE_SECONDS = 60


def _cache_key(city_id: int, digest: str) -> str:
    return f"kp:open311-key:{city_id}:{digest}"


@receiver([post_save, post_delete], sender=Open311Key, dispatch_uid="kp_open311_key_cache")
def _key_changed(sender, instance, **kwargs):
    cache.delete(_cache_key(instance.city_id, instance.key_hash))
