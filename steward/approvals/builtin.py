"""The two built-in application types of 003 §1.15 that prove the engine.

* Leave application (请假申请): one step, the supervisor. Approval changes nothing else —
  the approved application *is* the leave record (a later attendance module reads it);
  the employee's status is not touched, because a leave usually starts later than it is
  approved.
* Activity proposal (活动签呈): a chain — the supervisor, then the manager of the
  (sub-)branch above. Approval records the decision; a later activities module may
  create the activity from it.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from steward.approvals.forms import CALENDAR_DAY_LEAVE_TYPES, LEAVE_TYPE_TABLE, ActivityProposalForm, LeaveForm
from steward.approvals.registry import SUPERVISOR, ApplicationType, Step, application_types
from steward.basedata.calendar import business_days_between
from steward.basedata.defaults import CODE_TABLES, CodeTableSpec
from steward.basedata.services import code_label

LEAVE_TYPES = CodeTableSpec(
    LEAVE_TYPE_TABLE,
    "请假类型",
    "Leave types",
    [
        ("annual", "年休假", "Annual leave"),
        ("sick", "病假", "Sick leave"),
        ("personal", "事假", "Personal leave"),
        ("marriage", "婚假", "Marriage leave"),
        ("maternity", "产假", "Maternity leave"),
        ("paternity", "陪产假", "Paternity leave"),
        ("bereavement", "丧假", "Bereavement leave"),
        ("compensatory", "调休", "Time off in lieu"),
    ],
)


def leave_days(leave_type: str, start, end) -> int:
    """The days a leave takes, both ends included: business days of the holiday calendar (weekends
    and public holidays are not taken, weekend days worked in lieu are), or calendar days for the
    kinds the law counts so (see docs/approvals.md)."""
    if leave_type in CALENDAR_DAY_LEAVE_TYPES:
        return (end - start).days + 1
    return business_days_between(start, end)


class LeaveApplication(ApplicationType):
    key = "approvals.leave"
    label = _("Leave application")
    description = _("Time off work; decided by your supervisor.")
    form_class = LeaveForm
    steps = (Step(_("Supervisor approval"), SUPERVISOR),)

    def prepare(self, cleaned, submitter):
        start, end = cleaned["start_date"], cleaned["end_date"]
        return {**cleaned, "days": leave_days(cleaned["leave_type"], start, end)}

    def default_title(self, payload):
        days = payload["days"]
        values = {
            "kind": code_label(LEAVE_TYPE_TABLE, payload["leave_type"]),
            "start": payload["start_date"],
            "end": payload["end_date"],
            "days": days,
        }
        if days == 1:
            return gettext("%(kind)s %(start)s (1 day)") % values
        return (
            ngettext(
                "%(kind)s %(start)s – %(end)s (%(days)s day)", "%(kind)s %(start)s – %(end)s (%(days)s days)", days
            )
            % values
        )

    def display(self, payload):
        return [*super().display(payload), (gettext("Days"), str(payload.get("days", "")))]


class ActivityProposal(ApplicationType):
    key = "approvals.activity_proposal"
    label = _("Activity proposal")
    description = _("An activity and its budget; decided by your supervisor, then the branch manager.")
    form_class = ActivityProposalForm
    steps = (
        Step(_("Supervisor approval"), SUPERVISOR),
        Step(_("Branch manager approval"), SUPERVISOR, org_kinds=("sub_branch", "branch")),
    )

    def prepare(self, cleaned, submitter):
        return {**cleaned, "budget": cleaned["budget"].quantize(Decimal("0.01"))}

    def default_title(self, payload):
        return gettext("Activity proposal: %(name)s on %(date)s") % {
            "name": payload["name"],
            "date": payload["activity_date"],
        }

    def format_value(self, name, field, value):
        if name == "budget" and value not in (None, ""):
            return f"¥{Decimal(str(value)):,.2f}"
        return super().format_value(name, field, value)


def register_builtin_types() -> None:
    if not any(spec.code == LEAVE_TYPES.code for spec in CODE_TABLES):
        CODE_TABLES.append(LEAVE_TYPES)  # created after `migrate`, like every declared code table
    for application_type in (LeaveApplication(), ActivityProposal()):
        if application_types.get(application_type.key) is None:
            application_types.register(application_type)
