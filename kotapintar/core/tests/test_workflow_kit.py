"""The workflow kit: words in the reader's language, one deadline flag, the timeline, context roles
from the module manifests, and no module reading a definition's JSON itself."""

import datetime
import re
from pathlib import Path

import pytest
from django.utils import timezone, translation

from kotapintar.core import modules
from kotapintar.core import workflow as kit
from kotapintar.core.services.workflow import definition_errors, workflow_definition_create, workflow_transition
from kotapintar.core.testing import make_city, make_user
from kotapintar.core.tests.test_workflow import DEFINITION, new_case
from kotapintar.core.tests.testapp.models import Case

PACKAGE = Path(kit.__file__).resolve().parent.parent
# A definition's JSON read by hand: its states, its actions, or the definition itself.
READS_DEFINITION = re.compile(r"""\[["'](states|actions)["']\]|\.get\(["'](states|actions)["']|\.definition\b""")


def test_no_module_outside_core_reads_a_workflow_definition():
    offenders = []
    for module in sorted(p for p in PACKAGE.iterdir() if (p / "apps.py").exists() and p.name != "core"):
        for source in module.rglob("*.py"):
            if "tests" in source.parts or "migrations" in source.parts:
                continue
            for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
                if READS_DEFINITION.search(line):
                    offenders.append(f"{source.relative_to(PACKAGE)}:{number}: {line.strip()}")
    assert offenders == [], "Use kotapintar.core.workflow instead:\n" + "\n".join(offenders)


def test_the_structural_check_sees_a_hand_walk():
    assert READS_DEFINITION.search('steps = [s for s in workflow.definition["states"]]')
    assert READS_DEFINITION.search('state.get("actions", [])')
    assert not READS_DEFINITION.search('state_label(application)')


@pytest.fixture
def city(db):
    return make_city("32.73", "bandung")


@pytest.fixture
def words(monkeypatch):
    """The test subject's words, as a module declares them (English source; no Indonesian catalogue)."""
    monkeypatch.setitem(kit._catalogues, "testapp.case", kit.Catalogue(
        states={"submitted": "Waiting for verification", "approved": "Approved case"},
        actions={"verify": "Verify", "approve": "Approve"},
        events={"verify": "Verified", "approve": "Approved"}))


def city_version(city):
    """The city's own version: it names some states and actions in Bahasa Indonesia."""
    states = [dict(s) for s in DEFINITION["states"]]
    states[0] = {**states[0], "label": "Menunggu pemeriksaan", "actions": [
        {**states[0]["actions"][0], "label": "Periksa", "event": "Sudah diperiksa"}, states[0]["actions"][1]]}
    states[2] = {**states[2], "label": "Menunggu keputusan"}
    return workflow_definition_create(city=city, key="case", name="Case", definition={"states": states}, actor=None)


def test_state_words_follow_the_reader_and_the_city_wins_for_indonesian_readers(city, words):
    case = new_case(city, city_version(city))
    with translation.override("id"):
        assert kit.state_label(case) == "Menunggu pemeriksaan"  # the city's word
        assert kit.state_label(case, "approved") == "Approved case"  # the city did not name it: the module's
        assert kit.action_label(case, "verify") == "Periksa"
        assert kit.event_label(case, "verify") == "Sudah diperiksa"
    with translation.override("en"):
        assert kit.state_label(case) == "Waiting for verification"  # a known state: the module's word
        assert kit.state_label(case, "verified") == "Menunggu keputusan"  # unknown to the module: the city's
        assert kit.state_label(case, "returned") == "Returned"  # nobody named it
        assert kit.action_label(case, "verify") == "Verify"
        assert kit.event_label(case, "verify") == "Verified"
        assert kit.event_label(case, "resubmit", to_state="submitted") == "Waiting for verification"
        assert kit.state_label(Case, "submitted") == "Waiting for verification"  # the model alone


def test_the_citys_words_must_be_text():
    states = [dict(s) for s in DEFINITION["states"]]
    states[0] = {**states[0], "label": ["Menunggu"],
                 "actions": [{**states[0]["actions"][0], "event": 3}, states[0]["actions"][1]]}
    assert definition_errors({"states": states}) == [
        "The label of state “submitted” must be text.",
        "The label and event of action “verify” of state “submitted” must be text."]


def test_actions_for_names_the_buttons(city, words):
    official = make_user("petugas", city=city, roles=["official"])
    case = new_case(city, city_version(city))
    with translation.override("id"):
        assert [(a.action, a.label) for a in kit.actions_for(case, official)] == [
            ("verify", "Periksa"), ("return", "Return")]


def test_one_deadline_flag_with_one_threshold():
    now = timezone.now()
    assert kit.deadline_flag(None, now=now) == ""
    assert kit.deadline_flag(now - datetime.timedelta(minutes=1), now=now) == "overdue"
    assert kit.deadline_flag(now + kit.DUE_SOON - datetime.timedelta(minutes=1), now=now) == "due_soon"
    assert kit.deadline_flag(now + kit.DUE_SOON + datetime.timedelta(minutes=1), now=now) == ""


def test_timeline_tells_events_with_actor_comment_and_the_city_time(city, words):
    official = make_user("petugas", city=city, roles=["official"], full_name="Petugas Satu")
    case = new_case(city, city_version(city))
    moment = datetime.datetime(2026, 3, 2, 2, 30, tzinfo=datetime.UTC)
    workflow_transition(subject=case, action="return", actor=official, comment="Lengkapi KTP.", now=moment)
    workflow_transition(subject=case, action="resubmit", actor=None, system=True, now=moment)
    with translation.override("en"):
        entries = kit.timeline(case)
    assert [(e.event, e.actor, e.comment) for e in entries] == [
        ("Returned", "Petugas Satu", "Lengkapi KTP."),  # unknown to everyone: the state it led to
        ("Waiting for verification", "System", ""),  # the state it led to, in the module's words
    ]
    assert entries[0].created_at.hour == 9 and str(entries[0].created_at.tzinfo) == "Asia/Jakarta"


def test_context_roles_come_from_the_module_manifests(db, monkeypatch):
    definition = {"states": [
        {"state": "open", "start": True, "actions": [{"action": "close", "to": "closed", "roles": ["resident"]}]},
        {"state": "closed", "terminal": True}]}
    assert any("resident" in e for e in definition_errors(definition))
    monkeypatch.setitem(modules.REGISTRY, "estates", modules.Module(
        id="estates", name="Estates", version="1", context_roles={"resident": "Resident"}))
    assert definition_errors(definition) == []
