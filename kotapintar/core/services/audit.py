"""The audit log: append-only, hash-chained per city. Every state-changing service calls
`audit_record` inside its transaction."""

import datetime
import hashlib
import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from kotapintar.core.models import AuditChain, AuditEntry, City

GENESIS = "0" * 64


def _millisecond(moment: datetime.datetime) -> datetime.datetime:
    """Times are kept to the millisecond so that an export in JSON (which keeps milliseconds) still
    verifies after it is loaded elsewhere."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def chain_key(city: City | None) -> str:
    return f"city:{city.pk}" if city else "global"


def entry_hash(entry: AuditEntry) -> str:
    """Hash of an entry's content and the hash of the entry before it."""
    payload = {
        "chain": entry.chain,
        "seq": entry.seq,
        "city": entry.city_id,
        "actor": entry.actor_ref,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "data": entry.data,
        "created_at": entry.created_at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        "prev_hash": entry.prev_hash,
    }
    encoded = json.dumps(payload, sort_keys=True, cls=DjangoJSONEncoder, ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


def audit_record(*, city: City | None, actor, action: str, target=None, data: dict | None = None) -> AuditEntry:
    """Append one entry to the city's chain. Runs inside the caller's transaction."""
    return audit_record_many(city=city, records=[(actor, action, target, data)])[0]


def audit_record_many(*, city: City | None, records: list[tuple]) -> list[AuditEntry]:
    """Append entries (actor, action, target, data) to the city's chain in this order, with one lock of
    the chain's head and one insert. Runs inside the caller's transaction."""
    key = chain_key(city)
    # No savepoint: the entries belong to the caller's transaction and fail with it. The chain's head row
    # exists after a city's first entry, so one locking read is enough (get_or_create only the first time).
    with transaction.atomic(savepoint=False):
        head = AuditChain.objects.select_for_update().filter(key=key).first()
        if head is None:
            AuditChain.objects.get_or_create(key=key)
            head = AuditChain.objects.select_for_update().get(key=key)
        now = _millisecond(timezone.now())
        entries = []
        for actor, action, target, data in records:
            user = actor if getattr(actor, "is_authenticated", False) else None
            entry = AuditEntry(
                chain=key,
                seq=head.seq + 1,
                city=city,
                actor=user,
                actor_ref=user.pk if user else None,
                actor_label=str(user.username) if user else (actor if isinstance(actor, str) else "system"),
                action=action,
                object_type=target._meta.label_lower if target is not None else "",
                object_id=str(target.pk) if target is not None else "",
                # Round-trip through JSON so that what is hashed equals what the database returns.
                data=json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder)),
                created_at=now,
                prev_hash=head.head_hash,
            )
            entry.hash = entry_hash(entry)
            entries.append(entry)
            head.seq, head.head_hash = entry.seq, entry.hash
        if len(entries) == 1:
            entries[0].save(force_insert=True)
        else:
            AuditEntry.objects.bulk_create(entries)
        head.save(update_fields=["seq", "head_hash"])
    return entries


@dataclass
class ChainReport:
    chain: str
    entries: int
    ok: bool
    first_bad_seq: int | None = None
    first_bad_id: int | None = None
    reason: str = ""


def audit_verify_chain(key: str) -> ChainReport:
    """Recompute one chain; report the first entry whose content, link or sequence is wrong."""
    prev, expected_seq, count = GENESIS, 1, 0
    for entry in AuditEntry.objects.filter(chain=key).order_by("seq").iterator(chunk_size=2000):
        count += 1
        reason = ""
        if entry.seq != expected_seq:
            reason = f"missing entry before seq {entry.seq}"
        elif entry.prev_hash != prev:
            reason = "link to the previous entry is broken"
        elif entry_hash(entry) != entry.hash:
            reason = "content was changed after it was written"
        if reason:
            return ChainReport(key, count, False, entry.seq, entry.pk, reason)
        prev, expected_seq = entry.hash, expected_seq + 1
    head = AuditChain.objects.filter(key=key).first()
    if head and (head.seq != expected_seq - 1 or head.head_hash != prev):
        return ChainReport(key, count, False, expected_seq, None, "entries were removed from the end")
    return ChainReport(key, count, True)


def audit_verify() -> list[ChainReport]:
    """Every chain, including each city's: a city always has one (its creation is its first entry), so a
    city without a chain had its whole chain removed."""
    keys = set(AuditChain.objects.values_list("key", flat=True))
    keys |= set(AuditEntry.objects.values_list("chain", flat=True).distinct())
    missing = {chain_key(city) for city in City.objects.only("pk")} - keys
    return sorted([*(audit_verify_chain(key) for key in keys),
                   *(ChainReport(key, 0, False, 1, None, "the whole chain was removed") for key in missing)],
                  key=lambda report: report.chain)
