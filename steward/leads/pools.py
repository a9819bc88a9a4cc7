"""Claiming a lead from a pool (LEAD-06), correct when many people act at once.

Who may claim: a holder of leads.lead:claim whom the pool's `claimers` rule admits — by default
whoever works in the pool's org or an org below it (a branch's public pool is claimed by its
sub-branches' and teams' people); or the pool's org's own staff only; or only the people named. The pool's rules, each
optional: claims per person per day, the most leads a person holds at once (库容; stages the pool
names do not count), how long a reclaimed lead stays closed to its previous holder, and how long a
newly pooled lead waits before anyone may claim it. The invalid pool is never claimed from.

Two guarantees under concurrency (PostgreSQL; SQLite runs one writer at a time anyway):

* one holder per lead — the claim is one conditional UPDATE (`holder IS NULL AND pool = P`); of
  two people claiming the same lead at once, the second finds it taken once the first commits;
* no one over a cap — the claimant's own employee row is locked (`SELECT … FOR UPDATE`) for the
  claim's transaction, so their claims are counted and made one at a time, while different people
  claim in parallel.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from steward.access.services import require_permission
from steward.audit.services import log_event
from steward.core.errors import DomainError
from steward.leads.models import Lead, LeadMove, LeadPool
from steward.leads.permissions import CLAIM
from steward.leads.protection import RuleBook, first_deadline
from steward.org.models import Employee

# A lead in these stages is not "held" for the cap: it has left the pools' business.
NEVER_HELD = (Lead.Stage.CONVERTED, Lead.Stage.INVALID)


def claimable_pools(actor):
    """The pools `actor` may claim from: those of their org and of the orgs above it."""
    org = getattr(actor, "org", None)
    if org is None:
        return LeadPool.objects.none()
    # The org's path and each ancestor's ("000001/", "000001/000004/", …).
    parts = org.path.strip("/").split("/")
    prefixes = ["".join(f"{part}/" for part in parts[:n]) for n in range(1, len(parts) + 1)]
    Claimers = LeadPool.Claimers
    shared = LeadPool.objects.filter(kind__in=[LeadPool.Kind.PUBLIC, LeadPool.Kind.DEPARTMENT]).filter(
        Q(claimers=Claimers.ORG_TREE, org__path__in=prefixes)
        | Q(claimers=Claimers.ORG, org_id=org.pk)
        | Q(claimers=Claimers.NAMED, named_claimers=actor)
    )
    own = LeadPool.objects.filter(kind=LeadPool.Kind.PERSONAL, holder=actor)
    return LeadPool.objects.filter(Q(pk__in=shared.values("pk")) | Q(pk__in=own.values("pk")))


def claimable_leads(actor):
    """The leads waiting in the pools `actor` may claim from."""
    return Lead.objects.filter(holder__isnull=True, pool__in=claimable_pools(actor))


def _start_of_local_day(now: dt.datetime) -> dt.datetime:
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def held_count(actor, pool: LeadPool) -> int:
    excluded = [*NEVER_HELD, *(pool.held_excludes_stages or [])]
    return Lead.objects.filter(holder=actor).exclude(stage__in=excluded).count()


def claim(actor, lead_id: int, *, now=None) -> Lead:
    """`actor` takes the lead out of its pool and holds it, within the pool's rules; a refusal
    says which rule. Race-safe (see the module's docstring)."""
    require_permission(actor, CLAIM)
    now = now or timezone.now()
    with transaction.atomic():
        # The claimant's claims are counted and made one at a time (their caps hold).
        Employee.objects.select_for_update().filter(pk=actor.pk).values_list("pk", flat=True).first()
        lead = Lead.objects.filter(pk=lead_id, pool__in=claimable_pools(actor)).select_related("pool").first()
        if lead is None:
            raise DomainError(_("This lead is not in a pool you may claim from."), field="lead")
        if lead.holder_id is not None:
            raise DomainError(_("Someone else has just claimed this lead."), field="lead")
        pool = lead.pool
        if pool.new_lead_cooling_hours and lead.pooled_at:
            opens = lead.pooled_at + dt.timedelta(hours=pool.new_lead_cooling_hours)
            if now < opens:
                raise DomainError(
                    _("This lead may be claimed from %(time)s.")
                    % {"time": f"{timezone.localtime(opens):%Y-%m-%d %H:%M}"},
                    field="lead",
                )
        if pool.reclaim_cooling_days:
            since = now - dt.timedelta(days=pool.reclaim_cooling_days)
            if LeadMove.objects.filter(lead=lead, kind=LeadMove.Kind.RECLAIM, from_holder=actor, at__gt=since).exists():
                raise DomainError(
                    _("This lead was reclaimed from you less than %(days)s days ago.")
                    % {"days": pool.reclaim_cooling_days},
                    field="lead",
                )
        if pool.daily_claim_cap is not None:
            today = LeadMove.objects.filter(
                to_holder=actor, kind=LeadMove.Kind.CLAIM, pool=pool, at__gte=_start_of_local_day(now)
            ).count()
            if today >= pool.daily_claim_cap:
                raise DomainError(
                    _("You have claimed %(n)s leads from this pool today, its daily limit.")
                    % {"n": pool.daily_claim_cap},
                    field="lead",
                )
        if pool.max_held is not None and held_count(actor, pool) >= pool.max_held:
            raise DomainError(
                _("You hold %(n)s leads, the most this pool allows; claim more once some are closed.")
                % {"n": pool.max_held},
                field="lead",
            )
        rule = RuleBook().for_lead(actor.org_id, lead.level)
        taken = Lead.objects.filter(pk=lead.pk, holder__isnull=True, pool=pool).update(
            holder=actor,
            org_id=actor.org_id,
            pool=None,
            pooled_at=None,
            assigned_at=now,
            protected_until=first_deadline(rule, now),
            reminded_for=None,
            followups=0,
            valid_followups=0,
            last_followup_at=None,
        )
        if taken != 1:
            raise DomainError(_("Someone else has just claimed this lead."), field="lead")
        LeadMove.objects.create(lead=lead, kind=LeadMove.Kind.CLAIM, pool=pool, to_holder=actor, at=now)
        lead.refresh_from_db()
        log_event("leads.claim", lead, actor=actor, message=f"claimed from pool {pool.pk}")
    return lead
