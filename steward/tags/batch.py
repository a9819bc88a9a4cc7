"""Batch actions started from a customer group (CUS-04): "do X for every member I can see".

Later apps (batch contact plans, mass SMS) register theirs here::

    from steward.tags.batch import BatchAction, register_batch_action
    register_batch_action(BatchAction("sms.send", _("Send an SMS"), "sms.message:send", start_sms))

``run(request, group, customers)`` gets the group and the members the user may see (a Customer
queryset, already scoped) and returns the response: usually a redirect to the app's own form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from steward.core.errors import DomainError


@dataclass(frozen=True)
class BatchAction:
    key: str
    label: object
    permission: str
    run: Callable  # (request, group, customers) -> HttpResponse
    icon: str = "player-play"
    order: int = 100


BATCH_ACTIONS: dict[str, BatchAction] = {}


def register_batch_action(*actions: BatchAction) -> None:
    for action in actions:
        BATCH_ACTIONS[action.key] = action


def available(user) -> list[BatchAction]:
    from steward.access.services import has_permission

    return sorted(
        (a for a in BATCH_ACTIONS.values() if has_permission(user, a.permission)), key=lambda a: (a.order, a.key)
    )


# --- the two that ship with the groups ------------------------------------------------------------

MAX_TRANSFER = 200


def export_members(request, group, customers):
    """The members list's own export: masked, watermarked, audited (steward.core.export)."""
    return HttpResponseRedirect(reverse("tags:group_detail", args=[group.pk]) + "?export=xlsx")


def request_transfer(request, group, customers):
    """The customers app's transfer request, with the members' customer numbers filled in."""
    numbers = list(customers.order_by("cif").values_list("cif", flat=True)[: MAX_TRANSFER + 1])
    if not numbers:
        raise DomainError(_("The group has no member you can see."))
    if len(numbers) > MAX_TRANSFER:
        raise DomainError(_("A transfer request takes at most %(n)d customers.") % {"n": MAX_TRANSFER})
    return HttpResponseRedirect(
        reverse("customers:transfer_request") + "?" + urlencode({"customers": " ".join(numbers)})
    )


register_batch_action(
    BatchAction(
        "tags.export", gettext_lazy("Export members"), "tags.group:export", export_members, "file-spreadsheet", 10
    ),
    BatchAction(
        "customers.transfer",
        gettext_lazy("Request transfer to another RM"),
        "customers.customer:transfer",
        request_transfer,
        "arrows-exchange",
        20,
    ),
)
