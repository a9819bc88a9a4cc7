"""Duplicate potential customers (LEAD-05): the same person entered twice (the same mobile or ID
number, by blind index). A merge keeps one lead — the survivor — and moves the duplicates' whole
history onto it (follow-ups, opportunities, hand-overs); each duplicate stays, marked as merged
into the survivor, out of every list and pool, so nothing is lost and the merge can be read back.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from steward.access.services import require_permission
from steward.audit.services import log_bulk, log_event
from steward.core.errors import DomainError
from steward.interactions.models import Interaction
from steward.leads.models import Lead, LeadMove, Opportunity
from steward.leads.permissions import MERGE

STAGE_ORDER = [Lead.Stage.NEW, Lead.Stage.CONTACTED, Lead.Stage.INTENT, Lead.Stage.VALID, Lead.Stage.CONVERTED]


def duplicate_groups(user, limit: int = 200) -> list[list[Lead]]:
    """Groups of the user's visible, unmerged leads that share a mobile or an ID number."""
    visible = Lead.objects.visible_to(user, MERGE).filter(merged_into__isnull=True)
    groups = []
    for field in ("id_number_index", "mobile_index"):
        keys = (
            visible.exclude(**{field: ""})
            .order_by()
            .values(field)
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
            .values_list(field, flat=True)[:limit]
        )
        keys = list(keys)
        if not keys:
            continue
        found: dict[str, list[Lead]] = {}
        for lead in (
            visible.filter(**{f"{field}__in": keys}).select_related("holder", "org").order_by("created_at", "pk")
        ):
            found.setdefault(getattr(lead, field), []).append(lead)
        groups.extend(found.values())
    seen, unique = set(), []
    for group in groups:
        key = tuple(sorted(lead.pk for lead in group))
        if key not in seen:
            seen.add(key)
            unique.append(group)
    return unique[:limit]


def merge_leads(actor, survivor: Lead, duplicates: list[Lead], *, now=None) -> int:
    """Merge `duplicates` into `survivor`: their history moves, they are marked merged. The
    survivor keeps the furthest stage any of them reached; its holder stays (or, when it has none,
    the first duplicate's holder takes it over, as the person was being followed)."""
    require_permission(actor, MERGE)
    now = now or timezone.now()
    ids = sorted({lead.pk for lead in duplicates} - {survivor.pk})
    if not ids:
        raise DomainError(_("Choose at least one duplicate besides the lead that stays."), field="duplicates")
    visible = Lead.objects.visible_to(actor, MERGE)
    with transaction.atomic():
        locked = {lead.pk: lead for lead in visible.select_for_update().filter(pk__in=[survivor.pk, *ids])}
        if len(locked) != len(ids) + 1:
            raise DomainError(_("Some of these leads are outside your data scope."), field="duplicates")
        survivor = locked[survivor.pk]
        dups = [locked[pk] for pk in ids]
        if survivor.merged_into_id or any(d.merged_into_id for d in dups):
            raise DomainError(_("One of these leads was merged already."), field="duplicates")
        Interaction.objects.filter(lead_id__in=ids).update(lead=survivor)
        Opportunity.objects.filter(lead_id__in=ids).update(lead=survivor)
        LeadMove.objects.filter(lead_id__in=ids).update(lead=survivor)
        # The furthest stage and the missing facts come over.
        stages = [lead.stage for lead in [survivor, *dups] if lead.stage in STAGE_ORDER]
        survivor.stage = max(stages, key=STAGE_ORDER.index) if stages else survivor.stage
        for dup in dups:
            for field in ("id_number", "customer_id", "intent_at", "valid_at", "institution_id", "campaign"):
                if not getattr(survivor, field) and getattr(dup, field):
                    setattr(survivor, field, getattr(dup, field))
                    if field == "id_number":
                        survivor.id_number_index = dup.id_number_index
            survivor.followups += dup.followups if dup.holder_id == survivor.holder_id else 0
        if survivor.holder_id is None:
            heir = next((d for d in dups if d.holder_id), None)
            if heir is not None:
                survivor.holder_id, survivor.org_id, survivor.pool = heir.holder_id, heir.org_id, None
                survivor.assigned_at, survivor.protected_until = heir.assigned_at, heir.protected_until
        survivor.save()
        Lead.objects.filter(pk__in=ids).update(
            merged_into=survivor, holder=None, pool=None, protected_until=None, appointment_at=None
        )
        LeadMove.objects.bulk_create(
            [
                LeadMove(
                    lead_id=d.pk,
                    kind=LeadMove.Kind.MERGE,
                    from_holder_id=d.holder_id,
                    reason=f"→ {survivor.pk}",
                    at=now,
                )
                for d in dups
            ]
        )
        log_bulk("update", Lead, ids, actor=actor, message=f"leads merged into {survivor.pk}")
        log_event("leads.merge", survivor, actor=actor, message=f"merged {ids}")
    return len(ids)


def same_person(lead: Lead):
    """Other unmerged leads with the lead's mobile or ID number (shown on its page)."""
    q = Q(mobile_index=lead.mobile_index) if lead.mobile_index else Q(pk__in=[])
    if lead.id_number_index:
        q |= Q(id_number_index=lead.id_number_index)
    return Lead.objects.filter(q, merged_into__isnull=True).exclude(pk=lead.pk)
