"""Who is told what about applications — PLT-10 through PLT-09.

The approvers of a step are told when an application arrives for them (submitted, moved on to
their step, forwarded or re-routed to them); the submitter is told when it is decided
(approved or rejected); the handlers are told when the submitter withdraws it. Everything goes
through the notices app's one notification path (`steward.notices.services.notify`), inside the
transaction of the decision, so an operation that rolls back tells nobody.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from steward.notices.services import notify, register_notification_kind

ARRIVED = "approvals.arrived"
APPROVED = "approvals.approved"
REJECTED = "approvals.rejected"
WITHDRAWN = "approvals.withdrawn"

register_notification_kind(ARRIVED, _("%(actor)s sent you “%(title)s” (#%(number)s) to decide: %(step)s."))
register_notification_kind(APPROVED, _("Your application “%(title)s” (#%(number)s) was approved by %(actor)s."))
register_notification_kind(REJECTED, _("Your application “%(title)s” (#%(number)s) was rejected by %(actor)s."))
register_notification_kind(WITHDRAWN, _("%(actor)s withdrew “%(title)s” (#%(number)s): it no longer waits for you."))


def _tell(recipients, kind: str, application, actor, now) -> None:
    values = {
        "title": application.title,
        "number": application.pk,
        "step": application.step_label,
        "actor": getattr(actor, "name", "") or "",
    }
    recipients = [pk for pk in recipients if pk != getattr(actor, "pk", None)]  # nobody is told their own act
    notify(recipients, kind, values=values, url=application.get_absolute_url(), now=now)


def application_arrived(application, handler_ids, actor, now) -> None:
    """The step's handlers have an application to decide."""
    _tell(handler_ids, ARRIVED, application, actor, now)


def application_decided(application, actor, now) -> None:
    """The submitter learns the final decision."""
    kind = APPROVED if application.status == application.Status.APPROVED else REJECTED
    _tell([application.submitter_id], kind, application, actor, now)


def application_withdrawn(application, handler_ids, actor, now) -> None:
    """The handlers of the withdrawn application's step need not decide it any more."""
    _tell(handler_ids, WITHDRAWN, application, actor, now)
