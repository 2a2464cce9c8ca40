"""The workflow kit: what a module shows of its workflow items, without reading a definition's JSON.

A module declares the words of its workflow once, in its AppConfig.ready(), with gettext:

    workflow.labels("permits.permitapplication",
                    states={"draft": _("Draft"), ...},        # what an item is
                    actions={"approve": _("Approve"), ...},   # the buttons
                    events={"approve": _("Approved"), ...})   # what happened (timeline)

A city's own workflow version may name its states (`label`) and actions (`label`, `event`) in
Bahasa Indonesia: those names win for Indonesian readers; readers of another language get the module's
translated word when the name is a known one, else the city's word.

Besides the words: the actions a person may take (`actions_for`), the role inbox (`inbox`), one
deadline flag (`deadline_flag`), the timeline (`timeline`) and the states in order (`states`).
"""

import datetime
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kotapintar.core.models import City, WorkflowDefinition, WorkflowSubject, WorkflowTransition
from kotapintar.core.selectors import user_roles, workflow_definition
from kotapintar.core.services.workflow import Action, workflow_available_actions

# One deadline flag for every module: past the deadline, or less than this before it.
DUE_SOON = datetime.timedelta(days=1)
OVERDUE_FLAG, DUE_SOON_FLAG = "overdue", "due_soon"
CITY_LANGUAGE = "id"  # the language of the words a city writes into its own workflow versions


@dataclass(frozen=True)
class Catalogue:
    states: dict
    actions: dict
    events: dict


_catalogues: dict[str, Catalogue] = {}


def labels(model_label: str, *, states: dict, actions: dict, events: dict) -> None:
    """Register the words (gettext_lazy strings) of the workflows run by the model `app.model`."""
    _catalogues[model_label.lower()] = Catalogue(states=states, actions=actions, events=events)


def _catalogue(model) -> Catalogue:
    label = model if isinstance(model, str) else model._meta.label_lower
    return _catalogues.get(label.lower(), Catalogue({}, {}, {}))


def _definition(item) -> WorkflowDefinition:
    if isinstance(item, WorkflowDefinition):
        return item
    loaded = item._state.fields_cache.get("workflow")  # a version never changes: the cached one is as good
    return loaded if loaded is not None else workflow_definition(item.workflow_id)


def _state_config(workflow: WorkflowDefinition, state: str) -> dict:
    return next((s for s in workflow.definition.get("states", []) if s.get("state") == state), {})


def _action_config(workflow: WorkflowDefinition, action: str, state: str = "") -> dict:
    """The action as `state` has it (another state may name the same action otherwise), else the first."""
    found = [(s.get("state"), a) for s in workflow.definition.get("states", []) for a in s.get("actions", [])
             if a.get("action") == action]
    return next((a for name, a in found if name == state), found[0][1] if found else {})


def _city_word(config: dict, key: str) -> str:
    """The city's own word, for readers of the city's language only."""
    if (translation.get_language() or "").split("-")[0] == CITY_LANGUAGE:
        return config.get(key) or ""
    return ""


def _humanise(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _item(item, model) -> tuple[WorkflowDefinition | None, object]:
    """(definition, model) of a subject; of a definition and the model whose workflows it runs; or of
    a subject model alone (no definition: the module's words)."""
    if isinstance(item, type):
        return None, item
    if isinstance(item, WorkflowDefinition):
        assert model is not None, "A definition alone does not say whose words to use: pass model=."
        return item, model
    return _definition(item), type(item)


def state_label(item, state: str | None = None, *, model=None) -> str:
    """What the state is called, in the reader's language. `item` is a subject (its current state by
    default), a definition with the subject model (class or "app.model") of its workflows, or a
    subject model alone (the module's word, e.g. for a filter of every version's items)."""
    workflow, model = _item(item, model)
    state = state or item.state
    config = _state_config(workflow, state) if workflow else {}
    return (_city_word(config, "label") or str(_catalogue(model).states.get(state, ""))
            or config.get("label") or _humanise(state))


def action_label(item, action: str, *, model=None) -> str:
    """The button of an action ("Approve") in the subject's current state."""
    workflow, model = _item(item, model)
    config = _action_config(workflow, action, getattr(item, "state", "")) if workflow else {}
    return (_city_word(config, "label") or str(_catalogue(model).actions.get(action, ""))
            or config.get("label") or _humanise(action))


def event_label(item, action: str, *, model=None, from_state: str = "", to_state: str = "") -> str:
    """What happened when the action was taken ("Approved"). An action the module does not know and
    the city did not name is told by the state it led to."""
    workflow, model = _item(item, model)
    config = _action_config(workflow, action, from_state) if workflow else {}
    word = _city_word(config, "event") or str(_catalogue(model).events.get(action, ""))
    if word:
        return word
    if to_state:
        return state_label(workflow or model, to_state, model=model)
    return _humanise(action)


@dataclass(frozen=True)
class State:
    name: str
    label: str
    start: bool
    terminal: bool
    sla_days: int | None


def states(workflow: WorkflowDefinition, *, model) -> list[State]:
    """The states of a workflow in its own order, named in the reader's language."""
    return [State(s["state"], state_label(workflow, s["state"], model=model), bool(s.get("start")),
                  bool(s.get("terminal")), s.get("sla_days"))
            for s in workflow.definition.get("states", [])]


def actions_for(subject: WorkflowSubject, user) -> list[Action]:
    """The actions `user` may take on `subject` now, with their buttons' words."""
    return [replace(a, label=action_label(subject, a.action)) for a in workflow_available_actions(subject=subject,
                                                                                                 user=user)]


def deadline_flag(due_at: datetime.datetime | None, *, now: datetime.datetime | None = None) -> str:
    """OVERDUE_FLAG past the deadline, DUE_SOON_FLAG less than DUE_SOON before it, else ''."""
    if due_at is None:
        return ""
    now = now or timezone.now()
    if due_at < now:
        return OVERDUE_FLAG
    return DUE_SOON_FLAG if due_at - now < DUE_SOON else ""


def inbox(*, city: City, user, model: type[WorkflowSubject], where: Q | None = None) -> QuerySet:
    """The role inbox: the city's `model` items whose current state has an action one of the user's
    roles may take, and the overdue items escalated to one of them; soonest deadline first. `where`
    is the module's own restriction (e.g. an officer's department)."""
    roles = user_roles(user, city)
    condition = Q(pk__in=[])
    for workflow in WorkflowDefinition.objects.filter(city=city).only("pk", "definition"):
        waiting, escalated = [], []
        for state in workflow.definition.get("states", []):
            if any(roles & set(a.get("roles", [])) for a in state.get("actions", [])):
                waiting.append(state["state"])
            elif state.get("escalate_to") in roles:
                escalated.append(state["state"])
        if waiting:
            condition |= Q(workflow_id=workflow.pk, state__in=waiting)
        if escalated:
            condition |= Q(workflow_id=workflow.pk, state__in=escalated, escalated=True)
    items = model.objects.filter(condition, city=city)
    if where is not None:
        items = items.filter(where)
    return items.order_by("due_at", "pk")


@dataclass(frozen=True)
class TimelineEntry:
    action: str
    event: str  # past tense: "Approved"
    from_state: str
    to_state: str
    actor: str  # the person's name, or "System"
    role: str
    comment: str
    created_at: datetime.datetime  # in the city's time zone


def timeline(subject: WorkflowSubject) -> list[TimelineEntry]:
    """Every action taken on the subject, oldest first, told as events in the reader's language."""
    zone = ZoneInfo(subject.city.timezone)
    transitions = WorkflowTransition.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk).select_related("actor")
    return [TimelineEntry(
        action=t.action, event=event_label(subject, t.action, from_state=t.from_state, to_state=t.to_state),
        from_state=t.from_state, to_state=t.to_state, actor=t.actor.display_name if t.actor else _("System"),
        role=t.role, comment=t.comment, created_at=t.created_at.astimezone(zone),
    ) for t in transitions]

