"""Reads of the permits module, always scoped to a city."""

import datetime

from django.db.models import Q
from django.utils import timezone

from kotapintar.core.selectors import user_roles, workflow_definition
from kotapintar.core.services.workflow import state_of
from kotapintar.permits.models import PermitApplication, PermitType

NEARLY_DUE = datetime.timedelta(days=1)


def permit_type_catalogue(*, city):
    return PermitType.objects.filter(city=city, active=True).select_related("department")


def states_for_roles(permit_types, roles: set[str]) -> dict[int, set[str]]:
    """Per workflow id: the states in which one of `roles` has an action."""
    result: dict[int, set[str]] = {}
    for permit_type in permit_types:
        workflow = permit_type.workflow
        if workflow.pk in result:
            continue
        result[workflow.pk] = {
            state["state"] for state in workflow.definition["states"]
            if any(roles & set(action["roles"]) for action in state.get("actions", []))
        }
    return result


def inbox_for(*, city, user):
    """Applications waiting for one of the user's roles, soonest deadline first (one query)."""
    roles = user_roles(user, city)
    types = PermitType.objects.filter(city=city).select_related("workflow")
    condition = Q(pk__in=[])
    for workflow_id, states in states_for_roles(types, roles).items():
        if states:
            condition |= Q(workflow_id=workflow_id, state__in=states)
    for permit_type in types:  # overdue items escalated to one of the user's roles
        escalated_states = [s["state"] for s in permit_type.workflow.definition["states"]
                            if s.get("escalate_to") in roles]
        if escalated_states:
            condition |= Q(workflow_id=permit_type.workflow_id, state__in=escalated_states, escalated=True)
    return (PermitApplication.objects.filter(condition, city=city)
            .select_related("permit_type", "applicant", "assigned_to")
            .order_by("due_at", "pk"))


def deadline_flag(application: PermitApplication, now=None) -> str:
    """overdue, nearly_due or '' (for marking items in the inbox)."""
    if not application.due_at:
        return ""
    now = now or timezone.now()
    if application.due_at < now:
        return "overdue"
    if application.due_at - now < NEARLY_DUE:
        return "nearly_due"
    return ""


def applications_of(*, city, user):
    return (PermitApplication.objects.filter(city=city, applicant=user)
            .select_related("permit_type", "workflow").order_by("-created_at"))


def application_by_registration(*, city, number: str):
    """The public status of one application: one indexed query, only the columns the public sees."""
    return (PermitApplication.objects.filter(city=city, registration_number=number)
            .select_related("permit_type")
            .only("registration_number", "state", "submitted_at", "due_at", "workflow_id", "city_id",
                  "permit_type__name")
            .first())


def state_label(application: PermitApplication) -> str:
    return state_of(workflow_definition(application.workflow_id), application.state).get("label", application.state)
