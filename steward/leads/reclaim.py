"""The protection job (LEAD-04, LEAD-09): reclaim the leads whose holder's protection ended, and
remind holders a day (the rule's `remind_days_before`) ahead.

Set-based: one indexed read of the expired leads (`lead_protected_until`), the rule of each from
the in-memory rule book, then the hand-over writer's few UPDATEs per target pool or person, one
bulk insert of the moves (each with the rule that fired and why) and one notification per former
holder. Idempotent: a lead reclaimed has no holder and no deadline, so a second run finds nothing;
a lead followed up between the read and the write is skipped (its deadline moved).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from steward.leads.handover import hand_over, public_pools, to_pools
from steward.leads.models import Lead, LeadMove, ProtectionRule
from steward.leads.protection import BEFORE_INTENT, UNPROTECTED, RuleBook, why_expired
from steward.notices.services import notify, register_notification_kind

RECLAIMED = "leads.reclaimed"
EXPIRING = "leads.expiring"
register_notification_kind(
    RECLAIMED, _("%(count)s of your potential customers went back to the pools: their protection ended.")
)
register_notification_kind(
    EXPIRING,
    _("%(count)s of your potential customers will be reclaimed by %(when)s unless you follow them up."),
)


@dataclass
class ReclaimResult:
    expired: int = 0
    reclaimed: int = 0
    reminded: int = 0


def _expired(now):
    return (
        Lead.objects.filter(holder__isnull=False, protected_until__lte=now, merged_into__isnull=True)
        .exclude(stage__in=UNPROTECTED)
        .order_by()
    )


def reclaim_expired(*, now=None, actor=None) -> ReclaimResult:
    now = now or timezone.now()
    result = ReclaimResult()
    rows = list(
        _expired(now).values_list("pk", "org_id", "level", "holder_id", "stage", "followups", "valid_followups")
    )
    result.expired = len(rows)
    if not rows:
        return result
    book = RuleBook()
    to_pool: dict[int, list[int]] = defaultdict(list)  # target pool id or org id → leads
    to_org: dict[int, list[int]] = defaultdict(list)
    to_person: dict[tuple[int, int | None], list[int]] = defaultdict(list)
    reasons, rules, holders = {}, {}, defaultdict(int)
    said: dict[tuple, str] = {}  # one sentence per rule and case, not one translation per lead
    for pk, org_id, level, holder_id, stage, followups, valid_followups in rows:
        rule = book.for_lead(org_id, level)
        case = (
            id(rule),
            stage in BEFORE_INTENT and followups > (rule.max_followups_without_intent or followups),
            valid_followups == 0,
        )
        if case not in said:
            said[case] = why_expired(rule, stage=stage, followups=followups, valid_followups=valid_followups)
        reasons[pk] = said[case]
        rules[pk] = rule.rule
        holders[holder_id] += 1
        target = rule.rule.reclaim_to if rule.rule else ProtectionRule.ReclaimTo.ORG_POOL
        if target == ProtectionRule.ReclaimTo.POOL and rule.rule.reclaim_pool_id:
            to_pool[rule.rule.reclaim_pool_id].append(pk)
        elif target == ProtectionRule.ReclaimTo.PERSON and rule.rule.reclaim_person_id:
            to_person[(rule.rule.reclaim_person_id, rule.rule.pk)].append(pk)
        else:
            to_org[org_id].append(pk)
    with transaction.atomic():
        for org_id, pool_id in public_pools(to_org).items():
            to_pool[pool_id].extend(to_org[org_id])
        result.reclaimed += to_pools(
            actor,
            to_pool,
            kind=LeadMove.Kind.RECLAIM,
            reason=str(_("Protection ended")),
            reasons=reasons,
            rules=rules,
            only_held=True,
            expired_by=now,
            now=now,
        )
        for (person_id, _rule_pk), ids in to_person.items():
            # hand_over writes one reason per call: group the person's leads by reason.
            by_reason = defaultdict(list)
            for pk in ids:
                by_reason[reasons[pk]].append(pk)
            for reason, same in by_reason.items():
                result.reclaimed += hand_over(
                    actor,
                    {person_id: same},
                    kind=LeadMove.Kind.RECLAIM,
                    reason=reason,
                    rule=rules[same[0]],
                    expired_by=now,
                    now=now,
                )
        url = reverse("leads:list")
        for holder_id, count in holders.items():
            notify([holder_id], RECLAIMED, values={"count": count}, url=url, now=now)
    return result


def remind_expiring(*, now=None) -> int:
    """One notification per holder whose leads' protection ends within their rule's reminder
    period; each deadline is reminded of once (`reminded_for`)."""
    now = now or timezone.now()
    book = RuleBook()
    horizon_days = max([r.remind_days_before for r in book.rules.values()] + [1])
    rows = (
        Lead.objects.filter(
            holder__isnull=False,
            merged_into__isnull=True,
            protected_until__gt=now,
            protected_until__lte=now + dt.timedelta(days=horizon_days),
        )
        .exclude(stage__in=UNPROTECTED)
        .exclude(reminded_for=F("protected_until"))
        .order_by()
        .values_list("pk", "org_id", "level", "holder_id", "protected_until")
    )
    due: dict[int, list[int]] = defaultdict(list)
    soonest: dict[int, dt.datetime] = {}
    for pk, org_id, level, holder_id, until in rows:
        if until <= now + dt.timedelta(days=book.for_lead(org_id, level).remind_days_before):
            due[holder_id].append(pk)
            soonest[holder_id] = min(soonest.get(holder_id, until), until)
    if not due:
        return 0
    url = reverse("leads:list") + "?mine=true&expiring=true"
    with transaction.atomic():
        for holder_id, ids in due.items():
            when = f"{timezone.localtime(soonest[holder_id]):%Y-%m-%d %H:%M}"
            notify([holder_id], EXPIRING, values={"count": len(ids), "when": when}, url=url, now=now)
            for start in range(0, len(ids), 2000):
                Lead.objects.filter(pk__in=ids[start : start + 2000]).update(reminded_for=F("protected_until"))
    return sum(len(ids) for ids in due.values())


def run_protection(*, now=None) -> ReclaimResult:
    now = now or timezone.now()
    result = reclaim_expired(now=now)
    result.reminded = remind_expiring(now=now)
    return result


__all__ = ["ReclaimResult", "reclaim_expired", "remind_expiring", "run_protection"]
