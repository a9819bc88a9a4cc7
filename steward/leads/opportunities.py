"""Opportunities on a lead (LEAD-11): the holder records what business may come of it and moves
it through its own stages (identified → proposal made → negotiating → won / lost)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from steward.access.services import require_permission
from steward.core.errors import DomainError
from steward.leads.models import Lead, Opportunity
from steward.leads.permissions import FOLLOW_UP

CLOSED = (Opportunity.Stage.WON, Opportunity.Stage.LOST)


def save_opportunity(actor, lead: Lead, opportunity: Opportunity, *, now=None) -> Opportunity:
    require_permission(actor, FOLLOW_UP)
    now = now or timezone.now()
    if lead.holder_id != actor.pk:
        raise DomainError(_("Only the lead's holder records its opportunities."), field="lead")
    if lead.stage == Lead.Stage.INVALID or lead.merged_into_id:
        raise DomainError(_("This lead is closed (%(stage)s).") % {"stage": lead.get_stage_display()}, field="lead")
    if opportunity.amount is not None and opportunity.amount < 0:
        raise DomainError(_("The expected amount cannot be negative."), field="amount")
    with transaction.atomic():
        opportunity.lead = lead
        if opportunity.pk is None:
            opportunity.owner = actor
            opportunity.created_at = now
        opportunity.closed_at = (opportunity.closed_at or now) if opportunity.stage in CLOSED else None
        opportunity.full_clean()
        opportunity.save()
    return opportunity
