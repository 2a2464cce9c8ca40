"""Open311 filing through the queue (when tasks run on workers): the POST is checked at once and answered
with a token; a worker files the queued reports in batches; tokens/{token} then gives the tracking number."""

import time

import pytest
from django.core import mail
from django.db import connection
from django.test import Client

from kotapintar.complaints import tasks  # noqa: F401 (known to the test worker's app before it starts)
from kotapintar.complaints.models import Complaint, ComplaintIntake
from kotapintar.complaints.services import reports as svc
from kotapintar.complaints.services.keys import open311_key_create
from kotapintar.complaints.tests.factories import city_with_categories, jpeg_with_gps
from kotapintar.complaints.tests.test_open311 import both, error_of, good_fields, parse, post
from kotapintar.core.models import AuditEntry
from kotapintar.core.services.audit import audit_verify_chain, chain_key
from kotapintar.core.tests.test_celery_broker import worker  # noqa: F401 (fixture: a real broker and worker)


@pytest.fixture
def queued(settings):
    """Tasks run on workers: Open311 reports without photos are queued."""
    settings.CELERY_TASK_ALWAYS_EAGER, settings.KOTAPINTAR_OPEN311_QUEUE = False, True


@pytest.fixture
def client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def city(db):
    return city_with_categories()


@pytest.fixture
def key(city):
    return open311_key_create(city=city, name="Aplikasi Warga", actor=None)[1]


def file_queue(settings, django_capture_on_commit_callbacks):
    """Run the worker's service here, with the notifications delivered in process."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with django_capture_on_commit_callbacks(execute=True):
        return svc.complaints_file_pending()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_queued_post_answers_a_token_that_gives_the_number_once_filed(
        client, city, key, queued, fmt, settings, django_capture_on_commit_callbacks):
    response = post(client, key, fmt, **good_fields(city, email="siti@example.id", account_id="akun-5"))
    assert response.status_code == 200, response.content
    data = parse(response, fmt)
    answer = data[0] if fmt == "json" else {child.tag: child.text for child in data[0]}
    token = answer["token"]
    assert "service_request_id" not in answer and answer["account_id"] == "akun-5"
    assert "3 working days" in answer["service_notice"]
    assert not Complaint.objects.exists() and ComplaintIntake.objects.get().token.hex == token.replace("-", "")
    assert both(client, f"tokens/{token}") == [{"service_request_id": None, "token": token}]  # not filed yet

    assert file_queue(settings, django_capture_on_commit_callbacks) == 1
    complaint = Complaint.objects.get()
    assert both(client, f"tokens/{token}") == [{"service_request_id": complaint.tracking_number, "token": token}]
    assert str(complaint.token) == token and not ComplaintIntake.objects.exists()
    assert (complaint.state, complaint.source, complaint.api_key.name, complaint.reporter_email) == (
        "submitted", "open311", "Aplikasi Warga", "siti@example.id")
    assert complaint.attributes == {"ukuran": "besar"} and complaint.department.code == "PUPR"
    assert complaint.due_at is not None and complaint.district is not None
    assert both(client, f"requests/{complaint.tracking_number}")[0]["service_request_id"] == complaint.tracking_number
    assert [m.to for m in mail.outbox] == [["siti@example.id"]] and complaint.tracking_number in mail.outbox[0].body
    entry = AuditEntry.objects.get(action="complaint.create")
    assert (entry.actor_label, entry.object_id) == ("open311:Aplikasi Warga", str(complaint.pk))


def test_bad_posts_are_refused_at_once_and_nothing_is_queued(client, city, key, queued):
    response = post(client, key, **good_fields(city, lat="-7.80", long="110.36"))  # Yogyakarta
    assert response.status_code == 400 and "outside" in error_of(parse(response, "json"), 400)
    response = post(client, key, **good_fields(city, service_code="tidak-ada"))
    assert response.status_code == 404
    assert post(client, "bukan-kunci", **good_fields(city)).status_code == 403
    assert not ComplaintIntake.objects.exists() and svc.complaints_file_pending() == 0


def test_a_post_with_a_photo_is_filed_at_once(client, city, key, queued):
    response = post(client, key, **good_fields(city), media=jpeg_with_gps())
    assert response.status_code == 200, response.content
    (answer,) = parse(response, "json")
    assert Complaint.objects.get(tracking_number=answer["service_request_id"]).photo is not None
    assert not ComplaintIntake.objects.exists()


def test_the_worker_files_a_batch_of_two_cities_with_intact_audit_chains(
        client, city, key, queued, settings, django_capture_on_commit_callbacks, monkeypatch):
    manado = city_with_categories("71.71", "manado")
    manado_key = open311_key_create(city=manado, name="App Manado", actor=None)[1]
    for n in range(12):
        target, api_key = (city, key) if n % 3 else (manado, manado_key)
        response = client.post(f"/{target.slug}/open311/v2/requests.json",
                               {"api_key": api_key, **good_fields(target, email=f"w{n}@example.id")})
        assert response.status_code == 200, response.content
    # The second and third reports (both Bandung's) draw the same number: the batch draws them all again.
    drawn = iter(["LP-CCCC-CCCC", "LP-AAAA-AAAA", "LP-AAAA-AAAA"] + [f"LP-BBBB-{n:04d}" for n in range(100)])
    monkeypatch.setattr(svc, "tracking_number_new", lambda: next(drawn))
    assert file_queue(settings, django_capture_on_commit_callbacks) == 12
    assert Complaint.objects.filter(city=city).count() == 8 and Complaint.objects.filter(city=manado).count() == 4
    assert len(set(Complaint.objects.values_list("tracking_number", flat=True))) == 12
    assert not Complaint.objects.filter(tracking_number="LP-AAAA-AAAA").exists()
    for each in (city, manado):
        assert audit_verify_chain(chain_key(each)).ok
        created = AuditEntry.objects.filter(city=each, action="complaint.create").order_by("seq")
        assert [int(e.object_id) for e in created] == list(
            Complaint.objects.filter(city=each).order_by("pk").values_list("pk", flat=True))
    assert len(mail.outbox) == 12


@pytest.mark.django_db(transaction=True)
def test_with_a_real_broker_the_worker_files_what_the_post_queued(worker, settings):  # noqa: F811
    if connection.vendor != "postgresql":
        pytest.skip("runs on PostgreSQL only: the worker thread and the requests write at the same time, which "
                    "SQLite's in-memory test database refuses (table locked)")
    settings.CELERY_TASK_ALWAYS_EAGER, settings.KOTAPINTAR_OPEN311_QUEUE = False, True
    city = city_with_categories()
    key = open311_key_create(city=city, name="Aplikasi Warga", actor=None)[1]
    client = Client()
    tokens = [parse(post(client, key, **good_fields(city, email=f"w{n}@example.id")), "json")[0]["token"]
              for n in range(3)]
    deadline = time.monotonic() + 20
    while Complaint.objects.count() < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    for token in tokens:
        (answer,) = parse(client.get(f"/bandung/open311/v2/tokens/{token}.json"), "json")
        assert answer["service_request_id"] == Complaint.objects.get(token=token).tracking_number
    assert not ComplaintIntake.objects.exists() and audit_verify_chain(chain_key(city)).ok
