"""What applicants and officials read of a permit's workflow: events in the timeline (not the buttons'
verbs) in both languages, a draft that reads as a draft, and the role inbox of the core kit."""

import datetime
import re

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from kotapintar.core.services.workflow import workflow_definition_create
from kotapintar.core.testing import make_user
from kotapintar.permits.demo import WORKFLOWS, fill_application
from kotapintar.permits.models import PermitApplication
from kotapintar.permits.selectors import inbox_for
from kotapintar.permits.services.applications import application_act, application_submit


@pytest.fixture
def people(bandung):
    return {"applicant": make_user("pemohon"),
            "verifier": make_user("verif", city=bandung, roles=["permit_verifier"]),
            "head": make_user("kepala", city=bandung, roles=["permit_head"])}


def issued_sip(city, people) -> PermitApplication:
    from kotapintar.permits.models import PermitType

    application = fill_application(PermitType.objects.get(city=city, code="sip"), people["applicant"])
    application = application_submit(application=application, actor=people["applicant"])
    application = application_act(application=application, actor=people["verifier"], action="verify")
    return application_act(application=application, actor=people["head"], action="approve")


def timeline_items(page: str) -> list[str]:
    timeline = page.split('class="kp-timeline"')[1].split("</ol>")[0]
    return re.findall(r"<strong>([^<]+)</strong>", timeline)


@pytest.mark.parametrize("language, events", [
    ("id", ["Diajukan", "Diverifikasi", "Disetujui"]),
    ("en", ["Submitted", "Verified", "Approved"]),
])
def test_the_timeline_tells_what_happened_not_the_buttons(bandung, people, client, language, events):
    application = issued_sip(bandung, people)
    client.force_login(people["applicant"])
    client.cookies["django_language"] = language
    page = client.get(f"/bandung/permits/applications/{application.pk}/").content.decode()
    assert timeline_items(page) == events
    status = {"id": "Izin terbit", "en": "Permit issued"}[language]
    assert f'kp-state-issued">{status}</span>' in page


def test_the_history_api_names_each_event(bandung, people):
    application = issued_sip(bandung, people)
    api = APIClient()
    api.force_authenticate(people["head"])
    history = api.get(f"/api/v1/cities/bandung/permits/applications/{application.pk}/history/",
                      HTTP_ACCEPT_LANGUAGE="id").json()
    assert [(h["action"], h["event"]) for h in history] == [
        ("submit", "Diajukan"), ("verify", "Diverifikasi"), ("approve", "Disetujui")]


def test_a_draft_reads_as_not_submitted_yet(bandung, people, client):
    from kotapintar.permits.models import PermitType

    draft = fill_application(PermitType.objects.get(city=bandung, code="sip"), people["applicant"])
    client.force_login(people["applicant"])
    page = client.get(f"/bandung/permits/applications/{draft.pk}/").content.decode()
    timeline = page.split('class="kp-timeline"')[1].split("</ol>")[0]
    assert "<strong>Draf</strong> — belum diajukan" in timeline
    assert "sedang diproses" not in timeline


def test_officials_buttons_are_verbs_in_the_readers_language(bandung, people, client):
    from kotapintar.permits.models import PermitType

    draft = fill_application(PermitType.objects.get(city=bandung, code="sip"), people["applicant"])
    application = application_submit(application=draft, actor=people["applicant"])
    client.force_login(people["verifier"])
    page = client.get(f"/bandung/permits/applications/{application.pk}/").content.decode()
    assert 'value="verify" class="">Verifikasi</button>' in page
    assert 'value="return" class="secondary">Kembalikan untuk dilengkapi</button>' in page
    client.cookies["django_language"] = "en"
    page = client.get(f"/bandung/permits/applications/{application.pk}/").content.decode()
    assert 'value="verify" class="">Verify</button>' in page
    assert "Status: <span class=\"kp-badge kp-state-submitted\">Document verification</span>" in page


def test_the_inbox_keeps_items_of_an_earlier_workflow_version(bandung, people):
    """A city saves a new version of a workflow: applications already on the old one stay in the inbox."""
    from kotapintar.permits.models import PermitType

    sip = PermitType.objects.get(city=bandung, code="sip")
    old = application_submit(application=fill_application(sip, people["applicant"]), actor=people["applicant"])
    sip.workflow = workflow_definition_create(city=bandung, key="permit-sip", name=sip.name,
                                              definition={"states": WORKFLOWS["sip"]}, actor=None)
    sip.save(update_fields=["workflow"])
    new = application_submit(application=fill_application(sip, people["applicant"]), actor=people["applicant"])
    assert old.workflow_id != new.workflow_id
    assert {a.pk for a in inbox_for(city=bandung, user=people["verifier"])} == {old.pk, new.pk}
    assert not inbox_for(city=bandung, user=people["head"]).exists()


def test_the_inbox_marks_an_application_due_within_a_day(bandung, people, client):
    from kotapintar.permits.models import PermitType

    sip = PermitType.objects.get(city=bandung, code="sip")
    soon, later = (application_submit(application=fill_application(sip, people["applicant"]), actor=people["applicant"])
                   for _ in range(2))
    now = timezone.now()
    PermitApplication.objects.filter(pk=soon.pk).update(due_at=now + datetime.timedelta(hours=12))
    PermitApplication.objects.filter(pk=later.pk).update(due_at=now + datetime.timedelta(hours=36))
    client.force_login(people["verifier"])
    page = client.get("/bandung/permits/inbox/").content.decode()
    rows = {number: row for row in page.split("<tr")[2:] for number in (soon.registration_number,
                                                                        later.registration_number) if number in row}
    assert "mendekati batas waktu" in rows[soon.registration_number]
    assert "mendekati batas waktu" not in rows[later.registration_number]
