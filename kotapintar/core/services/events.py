"""Platform events: one `event_emit` beside each `audit_record` of a state change; subscribers (the
command-centre wall, outgoing webhooks) hear of it once the transaction commits, and never when it
rolls back.

A module names the events it emits in its manifest's `events` provider (e.g.
`("permits.permitapplication.transition",)`); `subscribe(name, handler)` listens to one name, or to
every event with "*". A failing subscriber is logged and does not stop the others.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from kotapintar.core.models import City

logger = logging.getLogger(__name__)
ANY = "*"


@dataclass(frozen=True)
class Event:
    name: str  # "<app label>.<what>.<change>", e.g. "core.module.enabled"
    city_id: int | None
    subject_type: str  # model label, e.g. "permits.permitapplication"; "" without a subject
    subject_id: str
    data: dict = field(default_factory=dict)
    occurred_at: object = None


_subscribers: dict[str, list[Callable[[Event], None]]] = {}


def subscribe(name: str, handler: Callable[[Event], None]) -> None:
    """Call `handler(event)` after the commit of every event called `name` (or of every event: "*")."""
    _subscribers.setdefault(name, []).append(handler)


def unsubscribe(name: str, handler: Callable[[Event], None]) -> None:
    _subscribers.get(name, []).remove(handler)


def event_emit(city: City | None, name: str, subject=None, data: dict | None = None) -> Event:
    """Announce one state change; subscribers run when the caller's transaction commits."""
    event = Event(
        name=name, city_id=city.pk if city else None,
        subject_type=subject._meta.label_lower if subject is not None else "",
        subject_id=str(subject.pk) if subject is not None else "",
        data=dict(data or {}), occurred_at=timezone.now(),
    )
    transaction.on_commit(lambda: _deliver(event))
    return event


def _deliver(event: Event) -> None:
    for handler in [*_subscribers.get(event.name, ()), *_subscribers.get(ANY, ())]:
        try:
            handler(event)
        except Exception:  # one broken subscriber must not silence the others
            logger.exception("event subscriber %r failed on %s", handler, event.name)
