"""The words of permit workflows (registered with the core workflow kit in apps.py).

Every permit workflow starts in `draft` and ends in `issued` (see services/types.py); a city names its
other states as it likes, and its own Indonesian names win for Indonesian readers.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

STATES = {
    "draft": _("Draft"),
    "submitted": _("Document verification"),
    "returned": _("Returned for completion"),
    "verified": _("Documents verified"),
    "inspected": _("Technically inspected"),
    "awaiting_payment": _("Awaiting payment of the retribution"),
    "issued": pgettext_lazy("workflow state", "Permit issued"),
    "rejected": _("Rejected"),
}
ACTIONS = {
    "submit": _("Submit"),
    "resubmit": _("Submit again"),
    "verify": _("Verify"),
    "return": _("Return for completion"),
    "reject": _("Reject"),
    "inspect": _("Record the technical inspection"),
    "approve": _("Approve"),
    "pay": _("Pay"),
}
EVENTS = {
    "submit": _("Submitted"),
    "resubmit": _("Submitted again"),
    "verify": _("Verified"),
    "return": _("Returned for completion"),
    "reject": _("Rejected"),
    "inspect": _("Technically inspected"),
    "approve": _("Approved"),
    "pay": _("Paid"),
}
