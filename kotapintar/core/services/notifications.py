"""Notifications over channels. E-mail goes through Django's e-mail backend; SMS and WhatsApp go
through a `Channel` whose default writes to the log (a gateway plugs in through settings)."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from kotapintar.core.models import City, Notification

logger = logging.getLogger("kotapintar.notifications")


class Channel:
    """Interface: deliver one notification or raise."""

    name = ""

    def recipient_of(self, user) -> str:
        raise NotImplementedError

    def deliver(self, notification: Notification) -> None:
        raise NotImplementedError


class EmailChannel(Channel):
    name = "email"

    def recipient_of(self, user) -> str:
        return user.email

    def deliver(self, notification: Notification) -> None:
        send_mail(notification.subject, notification.body, None, [notification.recipient])


class ConsoleChannel(Channel):
    """For SMS/WhatsApp until a gateway is configured: logs the message."""

    def __init__(self, name: str):
        self.name = name

    def recipient_of(self, user) -> str:
        return user.phone

    def deliver(self, notification: Notification) -> None:
        logger.warning("[%s to %s] %s: %s", self.name, notification.recipient, notification.subject,
                       notification.body)


def channels() -> dict[str, Channel]:
    configured = getattr(settings, "KOTAPINTAR_CHANNELS", {})
    result = {"email": EmailChannel(), "sms": ConsoleChannel("sms"), "whatsapp": ConsoleChannel("whatsapp")}
    result.update({name: import_string(path)() for name, path in configured.items()})
    return result


def notification_send(*, subject: str, body: str, user=None, city: City | None = None, recipient: str = "",
                      channel_names=("email",)) -> list[Notification]:
    """Record one notification per channel and deliver it after the transaction commits."""
    return notification_send_many([{"subject": subject, "body": body, "user": user, "city": city,
                                    "recipient": recipient}], channel_names)


def notification_send_many(messages: list[dict], channel_names=("email",)) -> list[Notification]:
    """notification_send for many messages ({subject, body, user, city, recipient}): one insert, and one
    task that delivers them all after the transaction commits."""
    available = channels()
    created = []
    for message in messages:
        user = message.get("user")
        for name in channel_names:
            to = message.get("recipient") or (available[name].recipient_of(user) if user else "")
            if to:
                created.append(Notification(city=message.get("city"), user=user, channel=name, recipient=to,
                                            subject=str(message["subject"])[:200], body=str(message["body"])))
    if created:
        from kotapintar.core.tasks import notifications_deliver_task

        Notification.objects.bulk_create(created)
        ids = [n.pk for n in created]
        transaction.on_commit(lambda: notifications_deliver_task.delay(ids))
    return created


def notification_deliver(notification_id: int) -> Notification:
    (notification,) = notifications_deliver([notification_id]) or [Notification.objects.get(pk=notification_id)]
    return notification


def notifications_deliver(ids: list[int]) -> list[Notification]:
    """Deliver the notifications not sent yet; a failed delivery is recorded, not lost."""
    notifications = list(Notification.objects.filter(pk__in=ids).order_by("pk"))
    available, pending = channels(), []
    for notification in notifications:
        if notification.status == Notification.Status.SENT:
            continue
        try:
            available[notification.channel].deliver(notification)
        except Exception as exc:  # noqa: BLE001 (any failure of a channel)
            notification.status, notification.error = Notification.Status.FAILED, str(exc)[:2000]
        else:
            notification.status, notification.sent_at = Notification.Status.SENT, timezone.now()
        pending.append(notification)
    Notification.objects.bulk_update(pending, ["status", "error", "sent_at"])
    return notifications
