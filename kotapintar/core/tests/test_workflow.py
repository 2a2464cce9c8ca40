import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from kotapintar.core.models import AuditEntry, Notification, WorkflowTransition
from kotapintar.core.services.workflow import (
    WorkflowConflict,
    definition_errors,
    workflow_available_actions,
    workflow_deadlines_run,
    workflow_definition_create,
    workflow_history,
    workflow_start,
    workflow_transition,
)
from kotapintar.core.testing import make_city, make_user
from kotapintar.core.tests.testapp.models import Case

WIB = ZoneInfo("Asia/Jakarta")

DEFINITION = {"states": [
    {"state": "submitted", "start": True, "sla_days": 3, "escalate_to": "city_admin", "actions": [
        {"action": "verify", "to": "verified", "roles": ["official"]},
        {"action": "return", "to": "returned", "roles": ["official"], "comment_required": True},
    ]},
    {"state": "returned", "actions": [{"action": "resubmit", "to": "submitted", "roles": ["applicant"]}]},
    {"state": "verified", "sla_days": 5, "deemed_action": "approve", "actions": [
        {"action": "approve", "to": "approved", "roles": ["city_admin"]},
        {"action": "reject", "to": "rejected", "roles": ["city_admin"], "comment_required": True},
    ]},
    {"state": "approved", "terminal": True},
    {"state": "rejected", "terminal": True},
]}


@pytest.fixture
def city(db):
    return make_city("32.73", "bandung")


@pytest.fixture
def workflow(city):
    return workflow_definition_create(city=city, key="case", name="Case", definition=DEFINITION, actor=None)


def new_case(city, workflow, applicant=None, now=None):
    case = Case(city=city, title="Kasus", applicant=applicant)
    workflow_start(subject=case, workflow=workflow, now=now)
    case.save()
    return case


class TestDefinitionValidation:
    def test_valid_definition_has_no_error(self, db):
        assert definition_errors(DEFINITION) == []

    @pytest.mark.parametrize("mutate, message", [
        (lambda d: d["states"].append({"state": "orphan", "actions": [
            {"action": "x", "to": "approved", "roles": ["official"]}]}), "“orphan” cannot be reached"),
        (lambda d: d["states"][0]["actions"].append({"action": "skip", "to": "nowhere", "roles": ["official"]}),
         "unknown state “nowhere”"),
        (lambda d: [s.pop("terminal", None) or s.setdefault("actions", [
            {"action": "again", "to": "submitted", "roles": ["official"]}]) for s in d["states"]],
         "At least one state must be terminal"),
        (lambda d: d["states"][0]["actions"][0].update(roles=["wizard"]), "Unknown role “wizard”"),
        (lambda d: d["states"][2].update(deemed_action="dance"), "Deemed action “dance”"),
        (lambda d: d["states"][1].update(start=True), "Exactly one state must be the start state"),
        (lambda d: d["states"][1].update(actions=[]), "“returned” has no action and is not terminal"),
    ])
    def test_broken_definitions_are_named(self, db, mutate, message):
        import copy

        definition = copy.deepcopy(DEFINITION)
        mutate(definition)
        errors = definition_errors(definition)
        assert any(message in str(e) for e in errors), errors

    def test_invalid_definition_is_not_saved(self, city):
        with pytest.raises(ValidationError):
            workflow_definition_create(city=city, key="bad", name="Bad", definition={"states": []}, actor=None)
        assert not city.workflows.exists()

    def test_new_definition_is_a_new_version(self, city, workflow):
        again = workflow_definition_create(city=city, key="case", name="Case", definition=DEFINITION, actor=None)
        assert (workflow.version, again.version) == (1, 2)


class TestTransitions:
    def test_start_sets_due_date_in_working_days(self, city, workflow):
        # Friday 2026-11-27 10:00 WIB + 3 working days = Wednesday 2026-12-02, end of day
        case = new_case(city, workflow, now=datetime.datetime(2026, 11, 27, 10, tzinfo=WIB))
        assert case.state == "submitted"
        assert case.due_at.astimezone(WIB) == datetime.datetime(2026, 12, 2, 23, 59, 59, tzinfo=WIB)

    def test_role_may_act_and_history_and_audit_are_written(self, city, workflow):
        official = make_user("petugas", city=city, roles=["official"])
        case = new_case(city, workflow)
        case = workflow_transition(subject=case, action="verify", actor=official)
        assert case.state == "verified"
        assert Case.objects.get(pk=case.pk).state == "verified"
        (transition,) = workflow_history(case)
        assert (transition.action, transition.from_state, transition.to_state, transition.actor) == (
            "verify", "submitted", "verified", official)
        entry = AuditEntry.objects.filter(city=city, action="workflow.verify").get()
        assert entry.actor == official and entry.data["to"] == "verified"

    def test_wrong_role_changes_nothing(self, city, workflow):
        citizen = make_user("warga")
        case = new_case(city, workflow)
        with pytest.raises(PermissionDenied):
            workflow_transition(subject=case, action="verify", actor=citizen)
        assert Case.objects.get(pk=case.pk).state == "submitted"
        assert not WorkflowTransition.objects.exists()

    def test_role_in_another_city_does_not_count(self, city, workflow):
        other = make_city("71.71", "manado")
        official_elsewhere = make_user("petugas", city=other, roles=["official"])
        case = new_case(city, workflow)
        with pytest.raises(PermissionDenied):
            workflow_transition(subject=case, action="verify", actor=official_elsewhere)

    def test_action_not_available_in_state(self, city, workflow):
        admin = make_user("admin", city=city, roles=["city_admin"])
        case = new_case(city, workflow)
        with pytest.raises(ValidationError, match="not possible"):
            workflow_transition(subject=case, action="approve", actor=admin)

    def test_comment_required(self, city, workflow):
        official = make_user("petugas", city=city, roles=["official"])
        case = new_case(city, workflow)
        with pytest.raises(ValidationError, match="needs a comment"):
            workflow_transition(subject=case, action="return", actor=official, comment="  ")
        assert Case.objects.get(pk=case.pk).state == "submitted"

    def test_contextual_applicant_role(self, city, workflow):
        official = make_user("petugas", city=city, roles=["official"])
        applicant, stranger = make_user("pemohon"), make_user("orang")
        case = new_case(city, workflow, applicant=applicant)
        case = workflow_transition(subject=case, action="return", actor=official, comment="Lengkapi KTP")
        assert [a.action for a in workflow_available_actions(subject=case, user=applicant)] == ["resubmit"]
        assert workflow_available_actions(subject=case, user=stranger) == []
        with pytest.raises(PermissionDenied):
            workflow_transition(subject=case, action="resubmit", actor=stranger)
        assert workflow_transition(subject=case, action="resubmit", actor=applicant).state == "submitted"

    def test_stale_view_is_a_conflict(self, city, workflow):
        official = make_user("petugas", city=city, roles=["official"])
        case = new_case(city, workflow)
        workflow_transition(subject=case, action="verify", actor=official, expected_state="submitted")
        with pytest.raises(WorkflowConflict):
            workflow_transition(subject=case, action="return", actor=official, comment="x",
                                expected_state="submitted")
        assert Case.objects.get(pk=case.pk).state == "verified"


class TestDeadlines:
    def test_deemed_approval_when_decision_sla_lapses(self, city, workflow):
        official = make_user("petugas", city=city, roles=["official"])
        start = datetime.datetime(2026, 11, 2, 9, tzinfo=WIB)
        case = new_case(city, workflow, now=start)
        case = workflow_transition(subject=case, action="verify", actor=official, now=start)
        assert workflow_deadlines_run(now=case.due_at - datetime.timedelta(minutes=1))["deemed"] == 0
        assert Case.objects.get(pk=case.pk).state == "verified"
        counts = workflow_deadlines_run(now=case.due_at + datetime.timedelta(seconds=1))
        assert counts["deemed"] == 1
        case.refresh_from_db()
        assert case.state == "approved"
        last = workflow_history(case).last()
        assert (last.action, last.role, last.actor) == ("approve", "system", None)

    def test_overdue_item_escalates_once_and_notifies(self, city, workflow, mailoutbox,
                                                      django_capture_on_commit_callbacks):
        admin = make_user("kepala", city=city, roles=["city_admin"])
        case = new_case(city, workflow, now=datetime.datetime(2026, 11, 2, 9, tzinfo=WIB))
        later = timezone.now() + datetime.timedelta(days=400)
        with django_capture_on_commit_callbacks(execute=True):
            assert workflow_deadlines_run(now=later)["escalated"] == 1
        assert workflow_deadlines_run(now=later)["escalated"] == 0
        case.refresh_from_db()
        assert case.escalated and case.state == "submitted"
        assert Notification.objects.filter(user=admin, status="sent").count() == 1
        assert [m.to for m in mailoutbox] == [[admin.email]]
        assert AuditEntry.objects.filter(action="workflow.escalate", object_id=str(case.pk)).count() == 1


@pytest.mark.django_db(transaction=True)
def test_exactly_one_of_concurrent_transitions_wins():
    if connection.vendor != "postgresql":
        pytest.skip("runs on PostgreSQL only: SQLite ignores select_for_update")
    import threading

    city = make_city("32.73", "bandung")
    workflow = workflow_definition_create(city=city, key="case", name="Case", definition=DEFINITION, actor=None)
    officials = [make_user(f"petugas{i}", city=city, roles=["official"]) for i in range(8)]
    case = new_case(city, workflow)
    results, barrier = [], threading.Barrier(len(officials))

    def act(user):
        barrier.wait()
        try:
            workflow_transition(subject=case, action="verify", actor=user, expected_state="submitted")
            results.append("ok")
        except WorkflowConflict:
            results.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(u,)) for u in officials]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["conflict"] * 7 + ["ok"]
    assert WorkflowTransition.objects.filter(subject_id=case.pk).count() == 1
