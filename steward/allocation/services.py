"""Lead allocation (分配, LEAD-03, LEAD-08): preview, run, manual allocation, saved rules, the
scheduled run of automatic rules and the approved application for leads.

The arithmetic is `steward.allocation.engine` (pure, tested for fairness); the moves are
`steward.leads.handover` (set-based, the one writer of lead holders). This module decides *which*
leads and *which* targets: the leads waiting unheld in the rule's pool that match its filter, and
the targets that may receive now — people on leave, gone, of weight 0 (weighted) or at a cap are
skipped with the reason, and the caller's data scope bounds both leads and targets.

Concurrency: a run locks its rule's row (`SELECT … FOR UPDATE`), so two runs of the same rule
are made one after the other, and hands over only leads still unheld in the source pool (the
hand-over's locking read re-checks it), so a lead claimed meanwhile is skipped, never taken twice.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from steward.access.services import require_permission
from steward.allocation import engine
from steward.allocation.models import AllocationRule, AllocationRun, Method, Mode, Path
from steward.allocation.permissions import APPROVE, CHANGE, RUN
from steward.audit.services import log_event
from steward.core.errors import DomainError
from steward.core.services import service
from steward.leads.handover import hand_over, move_to_org
from steward.leads.models import Lead, LeadMove, LeadPool
from steward.leads.pools import NEVER_HELD
from steward.org.models import Employee, Org

# Why a target received nothing (stored as the code; shown through SKIP_REASONS).
ON_LEAVE = "on_leave"
LEFT = "left"
NO_WEIGHT = "no_weight"
DAILY_CAP = "daily_cap"
TOTAL_CAP = "total_cap"
OUT_OF_SCOPE = "out_of_scope"
NOT_BELOW = "not_below"
NOBODY = "nobody"
SKIP_REASONS = {
    ON_LEAVE: gettext_lazy("On leave"),
    LEFT: gettext_lazy("Has left"),
    NO_WEIGHT: gettext_lazy("Allocation weight 0"),
    DAILY_CAP: gettext_lazy("At the daily limit"),
    TOTAL_CAP: gettext_lazy("At the most leads held"),
    OUT_OF_SCOPE: gettext_lazy("Outside your data scope"),
    NOT_BELOW: gettext_lazy("No longer in the rule's org"),
    NOBODY: gettext_lazy("Nobody there to receive leads"),
}

FILTER_KEYS = ("stages", "levels", "sources", "campaign", "created_within_days", "import_number")


def skip_reason_label(code: str) -> str:
    return str(SKIP_REASONS.get(code, code))


@dataclass
class Plan:
    """Who gets how many (and which leads), and who is skipped and why — what a run would do."""

    path: str
    method: str
    leads_found: int = 0
    # [{"id", "kind", "name", "count"}] in the targets' order; `dealt` holds the lead ids.
    shares: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    dealt: dict[int, list[int]] = field(default_factory=dict)

    @property
    def leads_allocated(self) -> int:
        return sum(share["count"] for share in self.shares)

    @property
    def leads_left(self) -> int:
        return self.leads_found - self.leads_allocated


def _rng(rng: random.Random | None) -> random.Random:
    # Fresh entropy per run: which target gets a remainder must not be predictable.
    return rng if rng is not None else random.Random()


def _start_of_local_day(now: dt.datetime) -> dt.datetime:
    return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)


def _on_leave(employee_ids: list[int], day: dt.date) -> set[int]:
    """People the attendance book has on leave that day (OFF-07), besides Employee.status."""
    from steward.attendance.services import on_leave

    return set(on_leave(employee_ids, day))


# ----------------------------------------------------------------------------- leads


def waiting_leads(rule: AllocationRule, *, actor=None, now=None):
    """The leads the rule would allocate: unheld in its pool, matching its filter, in scope."""
    now = now or timezone.now()
    # The scope's condition joins the query itself (not `pk IN (scoped ids)`, a second pass over
    # every waiting lead: a third of a 100,000-lead allocation's time).
    leads = Lead.objects.all() if actor is None else Lead.objects.visible_to(actor, RUN)
    leads = leads.filter(pool_id=rule.source_pool_id, holder__isnull=True, merged_into__isnull=True).exclude(
        stage__in=NEVER_HELD
    )
    criteria = rule.lead_filter or {}
    if criteria.get("stages"):
        leads = leads.filter(stage__in=criteria["stages"])
    if criteria.get("levels"):
        leads = leads.filter(level__in=criteria["levels"])
    if criteria.get("sources"):
        leads = leads.filter(source__in=criteria["sources"])
    if criteria.get("campaign"):
        leads = leads.filter(campaign=criteria["campaign"])
    if criteria.get("import_number"):
        leads = leads.filter(import_number=criteria["import_number"])
    if criteria.get("created_within_days"):
        leads = leads.filter(created_at__gte=now - dt.timedelta(days=int(criteria["created_within_days"])))
    return leads


# ----------------------------------------------------------------------------- targets


def _people_targets(
    employees: list[Employee], *, method: str, daily_cap, total_cap, now, skipped: list[dict]
) -> list[engine.Target]:
    """Engine targets for people, with their room under the caps; the others go to `skipped`."""
    ids = [e.pk for e in employees]
    away = _on_leave(ids, timezone.localdate(now))
    today: Counter = Counter()
    held: Counter = Counter()
    if daily_cap is not None:
        today.update(
            dict(
                LeadMove.objects.filter(
                    to_holder_id__in=ids,
                    kind__in=[LeadMove.Kind.ASSIGN, LeadMove.Kind.CLAIM],
                    at__gte=_start_of_local_day(now),
                )
                .values_list("to_holder_id")
                .annotate(n=Count("pk"))
                .values_list("to_holder_id", "n")
            )
        )
    if total_cap is not None:
        held.update(
            dict(
                Lead.objects.filter(holder_id__in=ids)
                .exclude(stage__in=NEVER_HELD)
                .values_list("holder_id")
                .annotate(n=Count("pk"))
                .values_list("holder_id", "n")
            )
        )
    targets = []
    for employee in employees:
        reason = None
        if employee.status == Employee.Status.LEFT or not employee.is_active:
            reason = LEFT
        elif employee.status == Employee.Status.ON_LEAVE or employee.pk in away:
            reason = ON_LEAVE
        elif method == Method.WEIGHTED and employee.allocation_weight == 0:
            reason = NO_WEIGHT
        room = None
        if reason is None and daily_cap is not None:
            room = max(daily_cap - today[employee.pk], 0)
            if room == 0:
                reason = DAILY_CAP
        if reason is None and total_cap is not None:
            left_to_hold = max(total_cap - held[employee.pk], 0)
            room = left_to_hold if room is None else min(room, left_to_hold)
            if left_to_hold == 0:
                reason = TOTAL_CAP
        if reason is not None:
            skipped.append({"id": employee.pk, "name": employee.name, "reason": reason})
            continue
        targets.append(engine.Target(employee.pk, weight=employee.allocation_weight, room=room))
    return targets


def _org_weights(orgs: list[Org]) -> dict[int, int]:
    """An org's weight in a weighted step: the allocation weights of its active staff (and below)."""
    weights = {}
    for org in orgs:
        total = (
            Employee.objects.filter(org__path__startswith=org.path, status=Employee.Status.ACTIVE, is_active=True)
            .aggregate(total=Sum("allocation_weight"))
            .get("total")
        )
        weights[org.pk] = int(total or 0)
    return weights


def rule_target_orgs(rule: AllocationRule) -> list[Org]:
    """The child orgs a step-by-step rule allocates to: those named, else every active child."""
    named = list(rule.target_orgs.all()) if rule.pk else []
    if named:
        return named
    return list(Org.objects.filter(parent_id=rule.org_id, is_active=True).order_by("path"))


def _org_targets(orgs: list[Org], *, parent: Org, method: str, actor, skipped: list[dict]) -> list[engine.Target]:
    visible = None if actor is None else set(Org.objects.visible_to(actor, RUN).values_list("pk", flat=True))
    weights = _org_weights(orgs) if method == Method.WEIGHTED else {}
    targets = []
    for org in orgs:
        reason = None
        if org.parent_id != parent.pk or not org.is_active:
            reason = NOT_BELOW
        elif visible is not None and org.pk not in visible:
            reason = OUT_OF_SCOPE
        elif method == Method.WEIGHTED and weights.get(org.pk, 0) == 0:
            reason = NOBODY
        if reason is not None:
            skipped.append({"id": org.pk, "name": org.name, "reason": reason})
            continue
        targets.append(engine.Target(org.pk, weight=weights.get(org.pk, 1)))
    return targets


def _rule_people(rule: AllocationRule, actor, skipped: list[dict]) -> list[Employee]:
    people = list(rule.target_employees.select_related("org").order_by("pk"))
    visible = None if actor is None else set(Employee.objects.visible_to(actor, RUN).values_list("pk", flat=True))
    kept = []
    for person in people:
        if not person.org.path.startswith(rule.org.path):
            skipped.append({"id": person.pk, "name": person.name, "reason": NOT_BELOW})
        elif visible is not None and person.pk not in visible:
            skipped.append({"id": person.pk, "name": person.name, "reason": OUT_OF_SCOPE})
        else:
            kept.append(person)
    return kept


# ----------------------------------------------------------------------------- planning


def _plan(rule: AllocationRule, *, actor, now, rng) -> Plan:
    plan = Plan(path=rule.path, method=rule.method)
    lead_ids = list(waiting_leads(rule, actor=actor, now=now).order_by("pk").values_list("pk", flat=True))
    if rule.per_run_limit is not None and len(lead_ids) > rule.per_run_limit:
        # Which leads go in this run is drawn at random too, never the oldest by creation.
        lead_ids = rng.sample(lead_ids, rule.per_run_limit)
    plan.leads_found = len(lead_ids)
    if rule.path == Path.STEP:
        orgs = rule_target_orgs(rule)
        targets = _org_targets(orgs, parent=rule.org, method=rule.method, actor=actor, skipped=plan.skipped)
        names, kind = {o.pk: o.name for o in orgs}, "org"
    else:
        people = _rule_people(rule, actor, plan.skipped)
        targets = _people_targets(
            people,
            method=rule.method,
            daily_cap=rule.daily_cap,
            total_cap=rule.total_cap,
            now=now,
            skipped=plan.skipped,
        )
        names, kind = {p.pk: p.name for p in people}, "employee"
    _deal(plan, lead_ids, targets, names, kind, rng)
    return plan


def _deal(plan: Plan, lead_ids: list[int], targets: list[engine.Target], names: dict, kind: str, rng) -> None:
    dealt = engine.deal(lead_ids, targets, plan.method, rng) if targets else {}
    plan.dealt = {key: ids for key, ids in dealt.items() if ids}
    plan.shares = [
        {"id": t.key, "kind": kind, "name": names.get(t.key, ""), "count": len(dealt.get(t.key, []))} for t in targets
    ]


def _require_rule_in_scope(actor, rule: AllocationRule, permission: str) -> None:
    require_permission(actor, permission)
    if not AllocationRule.objects.visible_to(actor, permission).filter(pk=rule.pk).exists():
        raise DomainError(_("This allocation rule is outside your data scope."), field="rule")


def preview(actor, rule: AllocationRule, *, now=None, rng: random.Random | None = None) -> Plan:
    """What running `rule` now would do: who gets how many, who is skipped and why. Writes nothing.
    (The run draws its own tie-breaks, so who gets a one-lead remainder may differ.)"""
    _require_rule_in_scope(actor, rule, RUN)
    return _plan(rule, actor=actor, now=now or timezone.now(), rng=_rng(rng))


def _hand_over(actor, plan: Plan, *, reason: str, only_pool: int | None, now) -> int:
    if not plan.dealt:
        return 0
    if plan.path == Path.STEP:
        return move_to_org(actor, plan.dealt, reason=reason, only_unheld=True, only_pool=only_pool, now=now)
    return hand_over(
        actor, plan.dealt, kind=LeadMove.Kind.ASSIGN, reason=reason, only_unheld=True, only_pool=only_pool, now=now
    )


def _record(plan: Plan, *, rule, org, mode, actor, moved: int, now) -> AllocationRun:
    return AllocationRun.objects.create(
        rule=rule,
        org=org,
        mode=mode,
        method=plan.method,
        path=plan.path,
        run_by=actor,
        at=now,
        leads_found=plan.leads_found,
        leads_moved=moved,
        shares=plan.shares,
        skipped=plan.skipped,
    )


def _run_locked(actor, rule: AllocationRule, *, mode: str, now, rng) -> AllocationRun:
    plan = _plan(rule, actor=actor, now=now, rng=rng)
    moved = _hand_over(
        actor, plan, reason=_("Allocation rule %(name)s") % {"name": rule.name}, only_pool=rule.source_pool_id, now=now
    )
    if moved != plan.leads_allocated:
        # A lead was claimed between the plan and the hand-over (the hand-over skipped it): the
        # record says what really moved, target by target.
        _recount(plan)
    run = _record(plan, rule=rule, org=rule.org, mode=mode, actor=actor, moved=moved, now=now)
    log_event(
        "allocation.run",
        run,
        actor=actor,
        message=f"rule {rule.pk}: {moved} of {plan.leads_found} leads, {len(plan.skipped)} skipped",
    )
    return run


def _recount(plan: Plan) -> None:
    if plan.path == Path.STEP:
        counts = Counter(
            dict(
                Lead.objects.filter(pk__in=[pk for ids in plan.dealt.values() for pk in ids], holder__isnull=True)
                .values_list("org_id")
                .annotate(n=Count("pk"))
                .values_list("org_id", "n")
            )
        )
    else:
        counts = Counter()
        for holder_id, ids in plan.dealt.items():
            counts[holder_id] = Lead.objects.filter(pk__in=ids, holder_id=holder_id).count()
    for share in plan.shares:
        share["count"] = counts.get(share["id"], 0)


@service
def run(actor, rule: AllocationRule, *, now=None, rng: random.Random | None = None) -> AllocationRun:
    """Run `rule` now, by hand (semi-automatic, LEAD-08): in one transaction, the rule's row
    locked so a second run of it waits and then finds only what is left."""
    _require_rule_in_scope(actor, rule, RUN)
    now = now or timezone.now()
    rule = AllocationRule.objects.select_for_update(of=("self",)).select_related("org").get(pk=rule.pk)
    if not rule.is_active:
        raise DomainError(_("This allocation rule is switched off."), field="rule")
    return _run_locked(actor, rule, mode=Mode.SEMI_AUTOMATIC, now=now, rng=_rng(rng))


def due_rules(now) -> list[int]:
    """The automatic rules whose daily time has come today and that have not run today."""
    local = timezone.localtime(now)
    ran_today = AllocationRun.objects.filter(mode=Mode.AUTOMATIC, at__gte=_start_of_local_day(now)).values("rule_id")
    return list(
        AllocationRule.objects.filter(is_active=True, mode=Mode.AUTOMATIC, run_at__lte=local.time())
        .exclude(pk__in=ran_today)
        .order_by("org__path", "pk")
        .values_list("pk", flat=True)
    )


def run_due_rules(*, now=None, rng: random.Random | None = None) -> dict:
    """The scheduled job's work: each due automatic rule once a day, each in its own transaction
    (one failing rule does not undo the others). Re-running it the same day does nothing more."""
    now = now or timezone.now()
    counts = {"processed": 0, "updated": 0}
    for rule_id in due_rules(now):
        with transaction.atomic():
            rule = AllocationRule.objects.select_for_update(of=("self",)).select_related("org").get(pk=rule_id)
            # Re-checked under the lock: another worker may have run it meanwhile.
            if rule_id not in due_rules(now):
                continue
            run_record = _run_locked(None, rule, mode=Mode.AUTOMATIC, now=now, rng=_rng(rng))
        counts["processed"] += 1
        counts["updated"] += run_record.leads_moved
    return counts


# ----------------------------------------------------------------------------- manual allocation


def _common_org(org_ids) -> Org:
    """The nearest org above (or at) every org named."""
    paths = list(Org.objects.filter(pk__in=set(org_ids)).values_list("path", flat=True))
    parts = [path.strip("/").split("/") for path in paths]
    common = []
    for segment in zip(*parts, strict=False):
        if len(set(segment)) != 1:
            break
        common.append(segment[0])
    return Org.objects.get(pk=int(common[-1]))


def _manual_plan(actor, lead_ids, target_ids, method: str, *, now, rng) -> tuple[Plan, list[int]]:
    require_permission(actor, RUN)
    if method not in engine.METHODS:
        raise DomainError(_("Choose even, random or weighted allocation."), field="method")
    lead_ids = sorted({int(pk) for pk in lead_ids})
    target_ids = sorted({int(pk) for pk in target_ids})
    if not lead_ids:
        raise DomainError(_("Choose at least one lead."), field="leads")
    if not target_ids:
        raise DomainError(_("Choose at least one person to receive the leads."), field="targets")
    found = list(
        Lead.objects.visible_to(actor, RUN)
        .filter(pk__in=lead_ids, holder__isnull=True, pool__isnull=False, merged_into__isnull=True)
        .exclude(pool__kind=LeadPool.Kind.INVALID)
        .values_list("pk", "org_id")
    )
    missing = sorted(set(lead_ids) - {pk for pk, _org in found})
    if missing:
        raise DomainError(
            _("These leads are not waiting in a pool of your data scope: %(ids)s")
            % {"ids": ", ".join(str(pk) for pk in missing[:10])},
            field="leads",
        )
    people = list(Employee.objects.visible_to(actor, RUN).filter(pk__in=target_ids).order_by("pk"))
    unknown = sorted(set(target_ids) - {p.pk for p in people})
    if unknown:
        raise DomainError(
            _("These people are outside your data scope: %(ids)s") % {"ids": ", ".join(str(pk) for pk in unknown[:10])},
            field="targets",
        )
    plan = Plan(path=Path.DIRECT, method=method, leads_found=len(found))
    targets = _people_targets(people, method=method, daily_cap=None, total_cap=None, now=now, skipped=plan.skipped)
    _deal(plan, [pk for pk, _org in found], targets, {p.pk: p.name for p in people}, "employee", rng)
    return plan, [org for _pk, org in found]


def preview_manual(actor, lead_ids, target_ids, method: str, *, now=None, rng=None) -> Plan:
    """What allocating the picked leads to the picked people would do (manual mode). Writes nothing."""
    plan, _orgs = _manual_plan(actor, lead_ids, target_ids, method, now=now or timezone.now(), rng=_rng(rng))
    return plan


@service
def allocate_manually(actor, lead_ids, target_ids, method: str, *, now=None, rng=None) -> AllocationRun:
    """Allocate the picked leads to the picked people (manual mode, LEAD-08), within the actor's scope."""
    now = now or timezone.now()
    plan, orgs = _manual_plan(actor, lead_ids, target_ids, method, now=now, rng=_rng(rng))
    moved = _hand_over(actor, plan, reason=_("Manual allocation"), only_pool=None, now=now)
    if moved != plan.leads_allocated:
        _recount(plan)
    run_record = _record(plan, rule=None, org=_common_org(orgs), mode=Mode.MANUAL, actor=actor, moved=moved, now=now)
    log_event("allocation.run", run_record, actor=actor, message=f"manual: {moved} of {plan.leads_found} leads")
    return run_record


# ----------------------------------------------------------------------------- rules


def _clean_filter(raw) -> dict:
    if raw in (None, ""):
        return {}
    if not isinstance(raw, dict):
        raise DomainError(_("The lead filter must be a set of named criteria."), field="lead_filter")
    unknown = sorted(set(raw) - set(FILTER_KEYS))
    if unknown:
        raise DomainError(
            _("Unknown lead filter criteria: %(names)s") % {"names": ", ".join(unknown)}, field="lead_filter"
        )
    cleaned = {}
    for key, choices in (
        ("stages", Lead.Stage.values),
        ("levels", Lead.Level.values),
        ("sources", Lead.Source.values),
    ):
        values = raw.get(key) or []
        if not isinstance(values, list) or any(value not in choices for value in values):
            raise DomainError(_("Choose the %(name)s from the list offered.") % {"name": key}, field="lead_filter")
        if values:
            cleaned[key] = sorted(set(values))
    for key in ("campaign", "import_number"):
        value = str(raw.get(key) or "").strip()
        if len(value) > 100:
            raise DomainError(_("A filter text may be at most 100 characters long."), field="lead_filter")
        if value:
            cleaned[key] = value
    days = raw.get("created_within_days")
    if days not in (None, ""):
        try:
            days = int(days)
        except (TypeError, ValueError):
            days = -1
        if not 1 <= days <= 3650:
            raise DomainError(_("“Created within days” must be between 1 and 3650."), field="lead_filter")
        cleaned["created_within_days"] = days
    return cleaned


@service
def save_rule(actor, rule: AllocationRule, *, target_orgs=(), target_employees=()) -> AllocationRule:
    """Add or change a rule (LEAD-08) of an org in the actor's scope; its pool and targets must lie
    in that org, and the targets in the actor's scope."""
    require_permission(actor, CHANGE)
    orgs_in_scope = Org.objects.visible_to(actor, CHANGE)
    if rule.pk and not AllocationRule.objects.visible_to(actor, CHANGE).filter(pk=rule.pk).exists():
        raise DomainError(_("This allocation rule is outside your data scope."), field="org")
    if not orgs_in_scope.filter(pk=rule.org_id).exists():
        raise DomainError(_("Choose an org in your data scope."), field="org")
    org = Org.objects.get(pk=rule.org_id)
    pool = LeadPool.objects.filter(pk=rule.source_pool_id).select_related("org").first()
    if pool is None or pool.kind not in (LeadPool.Kind.PUBLIC, LeadPool.Kind.DEPARTMENT):
        raise DomainError(_("Choose a public or department pool."), field="source_pool")
    if not pool.org.path.startswith(org.path):
        raise DomainError(_("The pool must belong to the rule's org or an org below it."), field="source_pool")
    rule.lead_filter = _clean_filter(rule.lead_filter)
    if rule.mode == Mode.AUTOMATIC and rule.run_at is None:
        raise DomainError(_("An automatic rule needs its daily run time."), field="run_at")
    target_orgs, target_employees = list(target_orgs), list(target_employees)
    if rule.path == Path.STEP:
        strays = [o.name for o in target_orgs if o.parent_id != org.pk]
        if strays:
            raise DomainError(
                _("Step by step allocates only to the org's direct child orgs: %(names)s is not one.")
                % {"names": ", ".join(strays[:5])},
                field="target_orgs",
            )
        if not target_orgs and not Org.objects.filter(parent=org, is_active=True).exists():
            raise DomainError(_("This org has no child orgs to allocate to."), field="target_orgs")
        target_employees = []
    else:
        if not target_employees:
            raise DomainError(_("Choose the people who receive the leads."), field="target_employees")
        in_scope = set(
            Employee.objects.visible_to(actor, CHANGE)
            .filter(pk__in=[e.pk for e in target_employees], org__path__startswith=org.path)
            .values_list("pk", flat=True)
        )
        strays = [e.name for e in target_employees if e.pk not in in_scope]
        if strays:
            raise DomainError(
                _("Only people of the rule's org (and below) in your data scope may receive: %(names)s")
                % {"names": ", ".join(strays[:5])},
                field="target_employees",
            )
        target_orgs = []
    if rule.pk is None:
        rule.created_by = actor
    rule.save()
    rule.target_orgs.set(target_orgs)
    rule.target_employees.set(target_employees)
    return rule


# ----------------------------------------------------------------------------- applications for leads


def apply_lead_request(actor, application) -> int:
    """On approval of an "allocation.lead_request" application (LEAD-08): the applicant gets the
    leads named, or that many of the pool's longest-waiting leads, if they are still unheld.
    Refuses (the application stays pending) when none is left."""
    require_permission(actor, APPROVE)
    payload = application.payload
    applicant = application.submitter
    waiting = Lead.objects.filter(pool_id=payload["pool_id"], holder__isnull=True, merged_into__isnull=True).exclude(
        stage__in=NEVER_HELD
    )
    if payload.get("lead_ids"):
        ids = list(waiting.filter(pk__in=payload["lead_ids"]).values_list("pk", flat=True))
    else:
        ids = list(waiting.order_by("pooled_at", "pk").values_list("pk", flat=True)[: int(payload["count"])])
    if not ids:
        raise DomainError(_("No lead asked for is still waiting in the pool."))
    return hand_over(
        actor,
        {applicant.pk: ids},
        kind=LeadMove.Kind.ASSIGN,
        reason=_("Application %(id)s approved") % {"id": application.pk},
        only_unheld=True,
        only_pool=payload["pool_id"],
    )
