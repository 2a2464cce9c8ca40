"""Celery tasks of core: take ids, call a service."""

from celery import shared_task


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def notification_deliver_task(notification_id: int) -> str:
    from kotapintar.core.services.notifications import notification_deliver

    return notification_deliver(notification_id).status


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def notifications_deliver_task(notification_ids: list[int]) -> list[str]:
    from kotapintar.core.services.notifications import notifications_deliver

    return [n.status for n in notifications_deliver(notification_ids)]


@shared_task
def workflow_deadlines_run() -> dict:
    from kotapintar.core.services.workflow import workflow_deadlines_run as run

    return run()
