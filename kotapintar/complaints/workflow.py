"""The default complaint workflow (LAPOR! and FixMyStreet states) on the core engine.

A city may save its own version (other SLAs, another escalation role) as long as it keeps these state
names, which the public pages, Open311 and the statistics read:

- `unconfirmed`: a report without an account waits for its e-mail confirmation (not public yet);
- `submitted` → verify within 3 working days; `verified` → answer within 5 working days;
- `in_progress`; `resolved` (the reporter may reopen until the window closes, then it is closed);
- `closed`, `rejected`, `not_our_authority` (forwarded with a reason), `duplicate` are final.

The words of the states and actions are declared here (registered with the core workflow kit in
apps.py), translated; a city's own version may name them in Bahasa Indonesia.
"""

from django.utils.translation import gettext_lazy as _

VERIFIER, OFFICER, SUPERVISOR, REPORTER = "complaint_verifier", "complaint_officer", "complaint_supervisor", "reporter"
HANDLERS = [OFFICER, VERIFIER, SUPERVISOR]
# Who sees a report in full (reporter contact, internal notes): complaint officials and the city admin.
OFFICIALS = (*HANDLERS, "complaint_admin", "city_admin")
WORKFLOW_KEY = "complaint"

OPEN_STATES = ("submitted", "verified", "in_progress")
CLOSED_STATES = ("resolved", "closed", "rejected", "not_our_authority", "duplicate")
# LAPOR!'s colours: red = no response yet, yellow = being handled, green = followed up.
STATES = {
    "unconfirmed": _("Waiting for the reporter's confirmation"),
    "submitted": _("Waiting for verification"),
    "verified": _("Sent to the department"),
    "in_progress": _("Being handled"),
    "resolved": _("Resolved"),
    "closed": _("Closed"),
    "rejected": _("Rejected"),
    "not_our_authority": _("Forwarded to the responsible authority"),
    "duplicate": _("Duplicate"),
}
ACTIONS = {
    "confirm": _("Confirm"),
    "verify": _("Verify"),
    "reject": _("Reject"),
    "forward": _("Forward (not our authority)"),
    "mark_duplicate": _("Mark as duplicate"),
    "start": _("Start handling"),
    "resolve": _("Mark as resolved"),
    "close": _("Close"),
    "reopen": _("Reopen"),
}
EVENTS = {
    "confirm": _("Confirmed by the reporter"),
    "verify": _("Verified"),
    "reject": _("Rejected"),
    "forward": _("Forwarded to the responsible authority"),
    "mark_duplicate": _("Marked as duplicate"),
    "start": _("Handling started"),
    "resolve": _("Resolved"),
    "close": _("Closed"),
    "reopen": _("Reopened"),
}
COLOURS = {"unconfirmed": "grey", "submitted": "red", "verified": "yellow", "in_progress": "yellow",
           "resolved": "green", "closed": "green", "rejected": "grey", "not_our_authority": "grey",
           "duplicate": "grey"}


def _forward(roles):
    return {"action": "forward", "to": "not_our_authority", "roles": roles, "comment_required": True}


def default_definition(*, verify_days: int = 3, answer_days: int = 5, work_days: int = 10,
                       reopen_days: int = 5) -> dict:
    return {"states": [
        {"state": "unconfirmed", "start": True, "actions": [
            {"action": "confirm", "to": "submitted", "roles": ["system"]}]},
        {"state": "submitted", "sla_days": verify_days, "escalate_to": SUPERVISOR,
         "actions": [
             {"action": "verify", "to": "verified", "roles": [VERIFIER, SUPERVISOR]},
             {"action": "reject", "to": "rejected", "roles": [VERIFIER, SUPERVISOR],
              "comment_required": True},
             _forward([VERIFIER, SUPERVISOR]),
             {"action": "mark_duplicate", "to": "duplicate", "roles": [VERIFIER, SUPERVISOR]},
         ]},
        {"state": "verified", "sla_days": answer_days, "escalate_to": SUPERVISOR,
         "actions": [
             {"action": "start", "to": "in_progress", "roles": HANDLERS},
             {"action": "resolve", "to": "resolved", "roles": HANDLERS,
              "comment_required": True},
             _forward([VERIFIER, SUPERVISOR]),
             {"action": "mark_duplicate", "to": "duplicate", "roles": [VERIFIER, SUPERVISOR]},
         ]},
        {"state": "in_progress", "sla_days": work_days, "escalate_to": SUPERVISOR,
         "actions": [
             {"action": "resolve", "to": "resolved", "roles": HANDLERS,
              "comment_required": True},
         ]},
        {"state": "resolved", "sla_days": reopen_days,
         "deemed_action": "close", "deemed_comment": "Ditutup otomatis: masa pembukaan kembali berakhir.",
         "actions": [
             {"action": "close", "to": "closed", "roles": [REPORTER, VERIFIER, SUPERVISOR]},
             {"action": "reopen", "to": "in_progress", "roles": [REPORTER],
              "comment_required": True},
         ]},
        {"state": "closed", "terminal": True},
        {"state": "rejected", "terminal": True},
        {"state": "not_our_authority", "terminal": True},
        {"state": "duplicate", "terminal": True},
    ]}
