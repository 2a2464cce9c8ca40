"""The officials' queue is the core role inbox; the deadline flag and the state and action words are
the core kit's, in the reader's language."""

import datetime
import html

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from kotapintar.complaints.models import Complaint, ComplaintCategory
from kotapintar.complaints.selectors import queue_for
from kotapintar.complaints.services import reports as svc
from kotapintar.complaints.tests.factories import city_with_categories, report
from kotapintar.complaints.workflow import OFFICER, WORKFLOW_KEY, default_definition
from kotapintar.core.models import Department, Membership
from kotapintar.core.services.workflow import workflow_definition_create
from kotapintar.core.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    return city_with_categories()


@pytest.fixture
def people(city):
    officer = make_user("petugas", city=city)
    Membership.objects.create(user=officer, city=city, role="complaint_officer",
                              department=Department.objects.get(city=city, code="DLH"))
    return {"verifier": make_user("verifikator", city=city, roles=["complaint_verifier"]), "officer": officer,
            "citizen": make_user("warga")}


def test_the_queue_follows_the_citys_workflow_through_the_core_inbox(city, people):
    """A city lets its department officers verify reports themselves: the officers' queue shows their
    department's new reports, because the queue asks who may act in which state of the version."""
    before = report(city, people["citizen"])
    definition = default_definition()
    submitted = next(s for s in definition["states"] if s["state"] == "submitted")
    next(a for a in submitted["actions"] if a["action"] == "verify")["roles"].append(OFFICER)
    own = workflow_definition_create(city=city, key=WORKFLOW_KEY, name="Pengaduan", definition=definition,
                                     actor=None)
    ComplaintCategory.objects.filter(city=city).update(workflow=own)
    after = report(city, people["citizen"])
    other_department = report(city, people["citizen"], code="jalan-rusak")
    assert list(queue_for(city=city, user=people["officer"])) == [after]
    assert {c.pk for c in queue_for(city=city, user=people["verifier"], which="verify")} == {
        before.pk, after.pk, other_department.pk}


def test_one_deadline_flag_in_the_queue_and_the_api(city, people, client):
    soon, later = report(city, people["citizen"]), report(city, people["citizen"])
    resolved = svc.complaint_act(complaint=report(city, people["citizen"]), action="verify", actor=people["verifier"])
    resolved = svc.complaint_act(complaint=resolved, action="resolve", actor=people["verifier"], comment="Sudah.")
    now = timezone.now()
    Complaint.objects.filter(pk__in=[soon.pk, resolved.pk]).update(due_at=now + datetime.timedelta(hours=12))
    Complaint.objects.filter(pk=later.pk).update(due_at=now + datetime.timedelta(hours=36))
    client.force_login(people["verifier"])
    body = html.unescape(client.get(reverse("complaints:queue", kwargs={"city": city.slug})).content.decode())
    row = next(r for r in body.split("<tr")[1:] if soon.tracking_number in r)
    assert 'class="kp-soon"' in row and "mendekati batas waktu" in row
    assert "mendekati batas waktu" not in next(r for r in body.split("<tr")[1:] if later.tracking_number in r)
    api = APIClient()
    api.force_authenticate(people["verifier"])
    listed = api.get(f"/api/v1/cities/{city.slug}/complaints/reports/").json()["results"]
    flags = {c["tracking_number"]: c["deadline"] for c in listed}
    assert flags[soon.tracking_number] == "due_soon" and flags[later.tracking_number] == ""
    assert flags[resolved.tracking_number] == ""  # the reporter's reopen window is nobody's deadline


def test_the_report_page_for_officials_speaks_the_readers_language(city, people, client):
    complaint = report(city, people["citizen"])
    client.force_login(people["verifier"])
    url = reverse("complaints:office_detail", kwargs={"city": city.slug, "tracking": complaint.tracking_number})
    body = html.unescape(client.get(url).content.decode())
    assert "Menunggu verifikasi" in body and 'value="verify" class="">Verifikasi</button>' in body
    client.cookies["django_language"] = "en"
    body = html.unescape(client.get(url).content.decode())
    assert "Waiting for verification" in body and 'value="verify" class="">Verify</button>' in body
    assert "Menunggu verifikasi" not in body
