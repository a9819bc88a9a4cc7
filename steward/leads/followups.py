"""Following a lead up (LEAD-10, LEAD-11): each follow-up is an interaction (the one record of
every touch), and it moves the lead — its stage, its holder's follow-up counts and protection
deadline, its next appointment.

Validity: a follow-up is valid when it reached the person (the interaction's outcome counts as a
contact) and, for a call, lasted at least the parameter leads.valid_call_seconds when its length is
known. Stages go forward only — new → contacted (the first follow-up that reached the person) →
intent → valid — and converted comes from the customer file (conversion.py); invalid sends the
lead to its org's invalid pool with the reason.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from steward.access.services import require_permission
from steward.basedata.services import parameter
from steward.core.errors import DomainError
from steward.interactions.models import Interaction
from steward.interactions.services import checked_manual_values, record_lead_touch
from steward.leads.defaults import VALID_CALL_SECONDS
from steward.leads.models import Lead, LeadMove, LeadPool
from steward.leads.permissions import FOLLOW_UP
from steward.leads.protection import RuleBook, deadline_after_followup

# The order of the stages a holder moves a lead through.
FORWARD = [Lead.Stage.NEW, Lead.Stage.CONTACTED, Lead.Stage.INTENT, Lead.Stage.VALID]
CLOSED = (Lead.Stage.CONVERTED, Lead.Stage.INVALID)


def is_valid_followup(values: dict) -> bool:
    if values["outcome"] != Interaction.Outcome.REACHED:
        return False
    if values["channel"] == Interaction.Channel.CALL and values.get("duration_seconds") is not None:
        return values["duration_seconds"] >= int(parameter(VALID_CALL_SECONDS) or 0)
    return True


def _held_by(actor, lead: Lead) -> Lead:
    locked = Lead.objects.select_for_update().filter(pk=lead.pk).first()
    if locked is None or locked.holder_id != actor.pk:
        raise DomainError(_("Only the lead's holder follows it up; claim it first."), field="lead")
    if locked.merged_into_id:
        raise DomainError(_("This lead was merged into another one; follow that one up."), field="lead")
    if locked.stage in CLOSED:
        raise DomainError(_("This lead is closed (%(stage)s).") % {"stage": locked.get_stage_display()}, field="lead")
    return locked


def _check_stage(lead: Lead, stage: str | None, invalid_reason: str) -> str | None:
    if not stage or stage == lead.stage:
        return None
    if stage == Lead.Stage.INVALID:
        if not invalid_reason.strip():
            raise DomainError(_("Say why the lead is invalid."), field="invalid_reason")
        return stage
    if stage not in FORWARD:
        raise DomainError(_("A lead becomes converted when the person opens an account."), field="stage")
    if FORWARD.index(stage) < FORWARD.index(lead.stage):
        raise DomainError(
            _("A lead's stage only moves forward (it is %(stage)s).") % {"stage": lead.get_stage_display()},
            field="stage",
        )
    return stage


def _enter_stage(lead: Lead, stage: str, now: dt.datetime) -> None:
    lead.stage = stage
    if stage in (Lead.Stage.INTENT, Lead.Stage.VALID) and lead.intent_at is None:
        lead.intent_at = now
    if stage == Lead.Stage.VALID and lead.valid_at is None:
        lead.valid_at = now


def record_followup(
    actor,
    lead: Lead,
    *,
    channel: str,
    direction: str = Interaction.Direction.OUTBOUND,
    occurred_at: dt.datetime,
    outcome: str,
    duration_seconds: int | None = None,
    summary: str = "",
    next_step: str = "",
    stage: str | None = None,
    invalid_reason: str = "",
    appointment_at: dt.datetime | None = None,
    appointment_note: str = "",
    now: dt.datetime | None = None,
) -> Interaction:
    """The holder records a follow-up; the lead's stage, counts, deadline and appointment follow."""
    require_permission(actor, FOLLOW_UP)
    now = now or timezone.now()
    values = checked_manual_values(
        channel=channel,
        direction=direction,
        occurred_at=occurred_at,
        duration_seconds=duration_seconds,
        outcome=outcome,
        summary=summary,
        next_step=next_step,
        now=now,
    )
    if appointment_at is not None and appointment_at <= now:
        raise DomainError(_("The next appointment must lie in the future."), field="appointment_at")
    with transaction.atomic():
        lead = _held_by(actor, lead)
        new_stage = _check_stage(lead, stage, invalid_reason)
        valid = is_valid_followup(values)
        interaction = record_lead_touch(actor, lead, values, is_valid_followup=valid, now=now)
        lead.followups += 1
        lead.last_followup_at = max(filter(None, [lead.last_followup_at, occurred_at]))
        if valid:
            lead.valid_followups += 1
        if lead.stage == Lead.Stage.NEW and interaction.is_contact:
            lead.stage = Lead.Stage.CONTACTED
        if new_stage and new_stage != Lead.Stage.INVALID:
            _enter_stage(lead, new_stage, now)
        if appointment_at is not None:
            lead.appointment_at, lead.appointment_note = appointment_at, appointment_note.strip()[:200]
        if new_stage != Lead.Stage.INVALID:
            rule = RuleBook().for_lead(lead.org_id, lead.level)
            valid_times = list(
                Interaction.objects.filter(
                    lead=lead,
                    employee_id=lead.holder_id,
                    is_valid_followup=True,
                    # The form's time has whole minutes: a call in the minute of the claim counts.
                    occurred_at__gte=(lead.assigned_at or now).replace(second=0, microsecond=0),
                )
                .order_by("-occurred_at")
                .values_list("occurred_at", flat=True)[: rule.min_valid_followups]
            )
            lead.protected_until = deadline_after_followup(
                rule,
                assigned_at=lead.assigned_at,
                stage=lead.stage,
                followups=lead.followups,
                valid_times=valid_times,
                now=now,
            )
        lead.save()
        if new_stage == Lead.Stage.INVALID:
            make_invalid(actor, lead, invalid_reason, now=now)
    return interaction


def invalid_pool(org_id: int) -> LeadPool:
    from steward.org.models import Org

    pool, _created = LeadPool.objects.get_or_create(
        org_id=org_id,
        kind=LeadPool.Kind.INVALID,
        defaults={"name": str(_("Invalid pool of %(org)s") % {"org": Org.objects.get(pk=org_id).name})},
    )
    return pool


def make_invalid(actor, lead: Lead, reason: str, *, now=None) -> None:
    """The lead is not worth following (a wrong number, not interested at all): to its org's
    invalid pool, with the reason; never claimed from there."""
    from steward.leads.handover import to_pools

    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the lead is invalid."), field="invalid_reason")
    now = now or timezone.now()
    with transaction.atomic():
        to_pools(
            actor,
            {invalid_pool(lead.org_id).pk: [lead.pk]},
            kind=LeadMove.Kind.INVALIDATE,
            reason=reason,
            stage=Lead.Stage.INVALID,
            now=now,
        )
        Lead.objects.filter(pk=lead.pk).update(invalid_reason=reason[:200], appointment_at=None)


def release(actor, lead: Lead, reason: str = "", *, now=None) -> None:
    """The holder gives the lead back to its org's public pool (it is free for others at once)."""
    from steward.leads.handover import public_pools, to_pools

    with transaction.atomic():
        lead = _held_by(actor, lead)
        pool_id = public_pools([lead.org_id])[lead.org_id]
        to_pools(actor, {pool_id: [lead.pk]}, kind=LeadMove.Kind.RELEASE, reason=reason.strip(), now=now)
        Lead.objects.filter(pk=lead.pk).update(appointment_at=None)


def set_stage(actor, lead: Lead, stage: str, *, invalid_reason: str = "", now=None) -> Lead:
    """The holder moves the stage forward (or to invalid) without a follow-up to record."""
    require_permission(actor, FOLLOW_UP)
    now = now or timezone.now()
    with transaction.atomic():
        lead = _held_by(actor, lead)
        new_stage = _check_stage(lead, stage, invalid_reason)
        if new_stage is None:
            return lead
        if new_stage == Lead.Stage.INVALID:
            make_invalid(actor, lead, invalid_reason, now=now)
        else:
            _enter_stage(lead, new_stage, now)
            lead.save()
    lead.refresh_from_db()
    return lead
