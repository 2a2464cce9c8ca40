"""The workflow engine: data-defined states and actions, shared by permits and complaints.

A definition is JSON:

    {"states": [
        {"state": "submitted", "start": true, "sla_days": 3, "escalate_to": "permit_head",
         "actions": [{"action": "verify", "to": "verified", "roles": ["permit_verifier"]},
                     {"action": "return", "to": "returned", "roles": ["permit_verifier"],
                      "comment_required": true}]},
        {"state": "verified", "sla_days": 5, "deemed_action": "approve",
         "actions": [{"action": "approve", "to": "approved", "roles": ["permit_head"]}]},
        {"state": "approved", "terminal": true}
    ]}

`sla_days` are working days in the city's calendar. When a state's SLA lapses the engine takes its
`deemed_action` (deemed approval, "fiktif positif") or, failing that, escalates to `escalate_to`.
Besides the roles of memberships, a subject may grant contextual roles (e.g. `applicant`) through
`workflow_roles(user)`; modules declare them in their manifest (`Module.context_roles`).

States and actions may carry a `label` (and actions an `event`) in the city's language; the words a
module shows come from `kotapintar.core.workflow`, which modules read instead of the JSON.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kotapintar.core import modules
from kotapintar.core.models import City, Membership, WorkflowDefinition, WorkflowSubject, WorkflowTransition
from kotapintar.core.selectors import user_roles
from kotapintar.core.services.audit import audit_record
from kotapintar.core.services.calendar import add_working_days
from kotapintar.core.services.events import event_emit

# The role no membership grants and no subject gives: an action whose only role is "system" is taken by
# the platform (e.g. on payment). Other such roles are the modules' context roles.
SYSTEM = "system"


class WorkflowConflict(Exception):
    """The subject was moved by someone else since the actor loaded it."""


def definition_errors(definition: dict) -> list[str]:
    """Every problem of a definition, in words an administrator understands. Empty when valid."""
    errors: list[str] = []
    states = definition.get("states") if isinstance(definition, dict) else None
    if not isinstance(states, list) or not states:
        return [_("A workflow needs a list of states.")]
    names = [s.get("state") for s in states if isinstance(s, dict)]
    if len(names) != len(states) or not all(isinstance(n, str) and n for n in names):
        return [_("Every state needs a name.")]
    for name in {n for n in names if names.count(n) > 1}:
        errors.append(_("State “%(s)s” is defined twice.") % {"s": name})
    known_roles = set(modules.all_roles()) | set(modules.all_context_roles()) | {SYSTEM}
    by_name = {s["state"]: s for s in states}
    starts = [s["state"] for s in states if s.get("start")]
    if len(starts) != 1:
        errors.append(_("Exactly one state must be the start state (found %(n)d).") % {"n": len(starts)})
    if not any(s.get("terminal") for s in states):
        errors.append(_("At least one state must be terminal."))
    for state in states:
        name, actions = state["state"], state.get("actions", [])
        action_names = [a.get("action") for a in actions]
        if state.get("terminal") and actions:
            errors.append(_("Terminal state “%(s)s” cannot have actions.") % {"s": name})
        if not state.get("terminal") and not actions:
            errors.append(_("State “%(s)s” has no action and is not terminal: items would be stuck.") % {"s": name})
        if not isinstance(state.get("label", ""), str):
            errors.append(_("The label of state “%(s)s” must be text.") % {"s": name})
        sla = state.get("sla_days")
        if sla is not None and (not isinstance(sla, int) or sla < 0):
            errors.append(_("The SLA of state “%(s)s” must be a whole number of working days.") % {"s": name})
        deemed = state.get("deemed_action")
        if deemed and deemed not in action_names:
            errors.append(_("Deemed action “%(a)s” is not an action of state “%(s)s”.") % {"a": deemed, "s": name})
        if (deemed or state.get("escalate_to")) and sla is None:
            errors.append(_("State “%(s)s” needs sla_days for its deadline rule.") % {"s": name})
        escalate = state.get("escalate_to")
        if escalate and escalate not in known_roles:
            errors.append(_("Unknown role “%(r)s” in state “%(s)s”.") % {"r": escalate, "s": name})
        for action in actions:
            label = action.get("action") or "?"
            if not all(isinstance(action.get(key, ""), str) for key in ("label", "event")):
                errors.append(_("The label and event of action “%(a)s” of state “%(s)s” must be text.")
                              % {"a": label, "s": name})
            if action_names.count(label) > 1:
                errors.append(_("Action “%(a)s” appears twice in state “%(s)s”.") % {"a": label, "s": name})
            if action.get("to") not in by_name:
                errors.append(_("Action “%(a)s” of state “%(s)s” goes to unknown state “%(t)s”.")
                              % {"a": label, "s": name, "t": action.get("to")})
            roles = action.get("roles") or []
            if not roles:
                errors.append(_("Action “%(a)s” of state “%(s)s” names no role.") % {"a": label, "s": name})
            for role in roles:
                if role not in known_roles:
                    errors.append(_("Unknown role “%(r)s” in action “%(a)s” of state “%(s)s”.")
                                  % {"r": role, "a": label, "s": name})
    if len(starts) == 1:
        seen, todo = set(), [starts[0]]
        while todo:
            current = todo.pop()
            if current in seen or current not in by_name:
                continue
            seen.add(current)
            todo.extend(a.get("to") for a in by_name[current].get("actions", []))
        for name in names:
            if name not in seen:
                errors.append(_("State “%(s)s” cannot be reached from the start state.") % {"s": name})
    return list(dict.fromkeys(errors))


def definition_validate(definition: dict) -> None:
    errors = definition_errors(definition)
    if errors:
        raise ValidationError(errors)


def workflow_definition_create(*, city: City, key: str, name: str, definition: dict, actor) -> WorkflowDefinition:
    """Save a new version of the city's workflow `key`; earlier subjects keep their version."""
    definition_validate(definition)
    with transaction.atomic():
        latest = WorkflowDefinition.objects.filter(city=city, key=key).order_by("-version").first()
        workflow = WorkflowDefinition.objects.create(
            city=city, key=key, name=name, definition=definition, version=(latest.version + 1) if latest else 1
        )
        audit_record(city=city, actor=actor, action="workflow.define", target=workflow,
                     data={"key": key, "version": workflow.version})
    return workflow


def workflow_export(workflow: WorkflowDefinition) -> dict:
    """A workflow version as data another city can adopt (configuration exchange)."""
    return {"key": workflow.key, "name": workflow.name, "definition": workflow.definition}


def workflow_adopt(*, city: City, spec: dict, actor) -> WorkflowDefinition:
    """The city's latest version of `spec["key"]` when it has the same definition, else a new version."""
    latest = WorkflowDefinition.objects.filter(city=city, key=spec["key"]).order_by("-version").first()
    if latest is not None and latest.definition == spec["definition"]:
        return latest
    return workflow_definition_create(city=city, key=spec["key"], name=spec["name"], definition=spec["definition"],
                                      actor=actor)


def definition_roles(definition: dict) -> set[str]:
    """The membership roles a definition's actions name (not context roles such as the applicant)."""
    declared = modules.all_roles()
    return {role for state in definition.get("states", []) for action in state.get("actions", [])
            for role in action.get("roles", []) if role in declared}


@dataclass(frozen=True)
class Action:
    action: str
    to: str
    roles: tuple[str, ...]
    comment_required: bool = False
    label: str = ""


def state_of(workflow: WorkflowDefinition, name: str) -> dict:
    for state in workflow.definition["states"]:
        if state["state"] == name:
            return state
    raise ValidationError(_("Unknown state “%(s)s”.") % {"s": name})


def start_state(workflow: WorkflowDefinition) -> dict:
    return next(s for s in workflow.definition["states"] if s.get("start"))


def actions_of(workflow: WorkflowDefinition, state: str) -> list[Action]:
    return [
        Action(a["action"], a["to"], tuple(a["roles"]), bool(a.get("comment_required")), a.get("label", ""))
        for a in state_of(workflow, state).get("actions", [])
    ]


def actor_roles(subject: WorkflowSubject, user) -> set[str]:
    roles = set(user_roles(user, subject.city))
    contextual = getattr(subject, "workflow_roles", None)
    if contextual and user is not None and user.is_authenticated:
        roles |= set(contextual(user))
    return roles


def workflow_available_actions(*, subject: WorkflowSubject, user) -> list[Action]:
    roles = actor_roles(subject, user)
    return [a for a in actions_of(subject.workflow, subject.state) if roles & set(a.roles)]


# Listeners per model label: callback(subject, transition). A module registers them in its AppConfig.
# `after_commit=False` listeners run inside the transition's transaction (their writes succeed or fail
# with it, e.g. issuing a permit number); the others run after commit (e.g. notifications).
_listeners: dict[tuple[str, bool], list[Callable]] = {}


def on_transition(model_label: str, callback: Callable, *, after_commit: bool = True) -> None:
    _listeners.setdefault((model_label.lower(), after_commit), []).append(callback)


def _enter(subject: WorkflowSubject, state: str, now) -> None:
    config = state_of(subject.workflow, state)
    subject.state = state
    subject.state_entered_at = now
    sla = config.get("sla_days")
    subject.due_at = add_working_days(subject.city, now, sla) if sla is not None else None
    subject.escalated = False


def workflow_start(*, subject: WorkflowSubject, workflow: WorkflowDefinition, actor=None, now=None,
                   state: str | None = None) -> None:
    """Put a new (unsaved or just created) subject into the workflow's start state, or into `state`
    when the caller has already done what the start state waits for (e.g. a confirmed report)."""
    subject.workflow = workflow
    _enter(subject, state or start_state(workflow)["state"], now or timezone.now())


def _record(subject, action: str, from_state: str, actor, role: str, comment: str, now) -> WorkflowTransition:
    transition = WorkflowTransition.objects.create(
        city=subject.city, subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk,
        action=action, from_state=from_state, to_state=subject.state,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        role=role, comment=comment, created_at=now,
    )
    audit_record(city=subject.city, actor=actor or SYSTEM, action=f"workflow.{action}", target=subject,
                 data={"from": from_state, "to": subject.state, "role": role, "comment": comment})
    event_emit(subject.city, f"{subject._meta.label_lower}.transition", subject,
               {"action": action, "from": from_state, "to": subject.state, "role": role})
    for listener in _listeners.get((subject._meta.label_lower, False), []):
        listener(subject, transition)
    later = _listeners.get((subject._meta.label_lower, True), [])
    if later:
        transaction.on_commit(lambda: [listener(subject, transition) for listener in later])
    return transition


def workflow_transition(
    *, subject: WorkflowSubject, action: str, actor, comment: str = "", expected_state: str | None = None,
    system: bool = False, now=None,
) -> WorkflowSubject:
    """Take `action` on `subject` as `actor`. Locks the row, checks state and role, records history and
    audit, schedules notifications on commit. Returns the updated subject.

    `expected_state` is the state the actor saw; if someone moved the item since, WorkflowConflict.
    """
    from kotapintar.core.workflow import action_label, state_label  # the kit reads through this engine

    now = now or timezone.now()
    model = type(subject)
    with transaction.atomic():
        locked = model.objects.select_for_update().select_related("workflow", "city").get(pk=subject.pk)
        if expected_state is not None and locked.state != expected_state:
            raise WorkflowConflict(_("This item was already moved to “%(s)s” by someone else. Reload to see it.")
                                   % {"s": state_label(locked)})
        candidates = {a.action: a for a in actions_of(locked.workflow, locked.state)}
        chosen = candidates.get(action)
        if chosen is None:
            raise ValidationError(_("“%(a)s” is not possible while the item is “%(s)s”.")
                                  % {"a": action_label(locked, action), "s": state_label(locked)})
        if system:
            role = SYSTEM
        else:
            held = actor_roles(locked, actor) & set(chosen.roles)
            if not held:
                raise PermissionDenied(_("Your role may not take the action “%(a)s”.")
                                       % {"a": action_label(locked, action)})
            role = sorted(held)[0]
        comment = (comment or "").strip()
        if chosen.comment_required and not comment:
            raise ValidationError(_("The action “%(a)s” needs a comment.") % {"a": action_label(locked, action)})
        from_state = locked.state
        _enter(locked, chosen.to, now)
        locked.save(update_fields=["state", "state_entered_at", "due_at", "escalated"])
        _record(locked, action, from_state, actor, role, comment, now)
    return locked


def workflow_history(subject: WorkflowSubject):
    return WorkflowTransition.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk
    ).select_related("actor")


def subject_models() -> list[type[WorkflowSubject]]:
    return [m for m in apps.get_models() if issubclass(m, WorkflowSubject)]


def workflow_deadlines_run(*, now=None) -> dict:
    """Apply deadline rules to every overdue item: deemed action first, else escalate once."""
    from kotapintar.core.services.notifications import notification_send

    now = now or timezone.now()
    counts = {"deemed": 0, "escalated": 0}
    for model in subject_models():
        overdue = model.objects.filter(due_at__lt=now, escalated=False).select_related("workflow", "city")
        for subject in overdue.iterator(chunk_size=500):
            config = state_of(subject.workflow, subject.state)
            deemed = config.get("deemed_action")
            try:
                if deemed:
                    workflow_transition(subject=subject, action=deemed, actor=None, system=True,
                                        expected_state=subject.state, now=now,
                                        comment=config.get("deemed_comment")
                                        or _("Deemed approved: the decision time lapsed."))
                    counts["deemed"] += 1
                    continue
            except WorkflowConflict:
                continue
            with transaction.atomic():
                moved = model.objects.filter(pk=subject.pk, state=subject.state, escalated=False).update(
                    escalated=True
                )
                if not moved:
                    continue
                role = config.get("escalate_to")
                audit_record(city=subject.city, actor=SYSTEM, action="workflow.escalate", target=subject,
                             data={"state": subject.state, "to_role": role or ""})
                if role:
                    members = Membership.objects.filter(city=subject.city, role=role).select_related("user")
                    for member in members:
                        notification_send(
                            user=member.user, city=subject.city,
                            subject=_("Overdue: %(item)s") % {"item": subject},
                            body=_("%(item)s has passed its deadline in state “%(s)s” and was escalated to you.")
                            % {"item": subject, "s": subject.state},
                        )
                counts["escalated"] += 1
    return counts
