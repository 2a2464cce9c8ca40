from django.db import transaction

from kotapintar.announcements.models import Announcement
from kotapintar.core.models import City
from kotapintar.core.services.audit import audit_record

EDITABLE = ("title", "body", "published")
EDITORS = ("communications_officer", "city_admin")  # roles that write announcements


def announcement_create(*, city: City, title: str, body: str, actor, published: bool = True) -> Announcement:
    item = Announcement(city=city, title=title, body=body, published=published, created_by=actor)
    item.full_clean()
    with transaction.atomic():
        item.save()
        audit_record(city=city, actor=actor, action="announcement.create", target=item,
                     data={"title": title, "published": published})
    return item


def announcement_update(*, announcement: Announcement, actor, **fields) -> Announcement:
    changes = {k: v for k, v in fields.items() if k in EDITABLE and getattr(announcement, k) != v}
    for key, value in changes.items():
        setattr(announcement, key, value)
    announcement.full_clean()
    with transaction.atomic():
        announcement.save()
        audit_record(city=announcement.city, actor=actor, action="announcement.update", target=announcement,
                     data=changes)
    return announcement


def announcement_delete(*, announcement: Announcement, actor) -> None:
    with transaction.atomic():
        audit_record(city=announcement.city, actor=actor, action="announcement.delete", target=announcement,
                     data={"title": announcement.title})
        announcement.delete()
