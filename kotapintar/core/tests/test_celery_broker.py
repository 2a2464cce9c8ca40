"""Production mode: tasks go through a real broker to a real Celery worker."""

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker

from kotapintar.config.celery import app
from kotapintar.core.models import Notification
from kotapintar.core.services.notifications import notification_send
from kotapintar.core.tasks import notification_deliver_task
from kotapintar.core.testing import make_city, make_user
from kotapintar.testservices import require_service

BROKERS = {
    "redis": ("redis", "redis://127.0.0.1:6379/15"),
    "rabbitmq": ("rabbitmq", "amqp://guest:guest@127.0.0.1:5672//"),
}


@pytest.fixture(params=sorted(BROKERS))
def worker(request, transactional_db):
    service, url = BROKERS[request.param]
    require_service(service)
    require_service("redis")  # results are kept in Redis whichever broker carries the tasks
    broker_app = Celery("kotapintar")
    broker_app.config_from_object("django.conf:settings", namespace="CELERY")
    broker_app.conf.update(broker_url=url, task_always_eager=False, result_backend="redis://127.0.0.1:6379/15",
                           broker_heartbeat=0)
    broker_app.set_current()  # shared tasks now go through the broker
    try:
        with start_worker(broker_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield request.param
    finally:
        app.set_current()


def test_notification_is_delivered_by_a_worker(worker, mailoutbox):
    city = make_city()
    user = make_user("warga")
    (note,) = notification_send(user=user, city=city, subject="Halo", body="Dari worker")
    result = notification_deliver_task.delay(note.pk)
    assert result.get(timeout=20) == "sent"
    note = Notification.objects.get(pk=note.pk)
    assert note.status == "sent"
    assert [m.subject for m in mailoutbox] == ["Halo"]
