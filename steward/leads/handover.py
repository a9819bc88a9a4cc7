"""Leads changing hands in bulk (LEAD-03, LEAD-06, LEAD-08, LEAD-09): the one writer of holders.

Allocation, approved applications, claims' neighbours (release, invalid), and the reclaim job all
move leads through here, set-based: a locking read of the leads, UPDATEs by holder or pool (the
deadline by level in the statement), one bulk insert of the moves, and one audit entry per batch —
on PostgreSQL a hand-over to people is all of that in one statement. Every function takes the
leads it is given only if they are still where the caller expects (`only_unheld`, `only_pool`,
`expired_by`): of two runs at once, the second skips what the first took.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from django.db import connection, transaction
from django.db.models import Case, Value, When
from django.utils import timezone

from steward.audit.services import log_bulk
from steward.leads.models import Lead, LeadMove, LeadPool
from steward.leads.protection import RuleBook, first_deadline
from steward.org.models import Employee

BATCH = 2000


def _chunks(ids: list[int], size: int = BATCH) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _locked(ids: Iterable[int], *, only_unheld: bool, only_pool: int | None, only_held: bool = False, expired_by=None):
    """(id, org, level, holder, pool) of the leads still where the caller expects, locked."""
    rows = []
    for chunk in _chunks(sorted(set(ids))):
        query = Lead.objects.select_for_update().filter(pk__in=chunk, merged_into__isnull=True)
        if only_unheld:
            query = query.filter(holder__isnull=True)
        if only_held:
            query = query.filter(holder__isnull=False)
        if only_pool is not None:
            query = query.filter(pool_id=only_pool)
        if expired_by is not None:  # a follow-up recorded meanwhile saved it
            query = query.filter(protected_until__lte=expired_by)
        rows.extend(query.order_by("pk").values_list("pk", "org_id", "level", "holder_id", "pool_id"))
    return rows


def hand_over(
    actor,
    leads_by_holder: Mapping[int, Iterable[int]],
    *,
    kind: str = LeadMove.Kind.ASSIGN,
    reason: str = "",
    only_unheld: bool = False,
    only_pool: int | None = None,
    expired_by=None,
    rule=None,
    now=None,
) -> int:
    """Give each listed lead to its holder (an employee id): the holder's org, out of any pool,
    protection from now by the holder's org's rule for the lead's level, follow-ups counted afresh.
    Returns how many moved (fewer when some were no longer where `only_*` expected)."""
    now = now or timezone.now()
    wanted = {lead_id: holder_id for holder_id, ids in leads_by_holder.items() for lead_id in ids}
    if not wanted:
        return 0
    rule_id = getattr(rule, "pk", None)
    with transaction.atomic():
        holder_orgs = dict(Employee.objects.filter(pk__in=set(wanted.values())).values_list("pk", "org_id"))
        # A lead for someone who is no employee stays where it is, on every database.
        wanted = {pk: holder_id for pk, holder_id in wanted.items() if holder_id in holder_orgs}
        rules = RuleBook()
        if connection.vendor == "postgresql":
            moved = _hand_over_pg(
                wanted,
                holder_orgs,
                rules,
                now,
                only_unheld=only_unheld,
                only_pool=only_pool,
                expired_by=expired_by,
                kind=kind,
                reason=reason[:200],
                rule_id=rule_id,
            )
        else:
            rows = _locked(wanted, only_unheld=only_unheld, only_pool=only_pool, expired_by=expired_by)
            _hand_over_by_holder(rows, wanted, holder_orgs, rules, now)
            insert_moves(
                [
                    (pk, kind, pool_id, holder_id, wanted[pk], reason[:200], rule_id, now)
                    for pk, _o, _l, holder_id, pool_id in rows
                ]
            )
            moved = [row[0] for row in rows]
        log_bulk("update", Lead, moved, actor=actor, message=f"leads {kind}: {reason}"[:200])
    return len(moved)


MOVE_COLUMNS = ("lead_id", "kind", "pool_id", "from_holder_id", "to_holder_id", "reason", "rule_id", "at")
MOVE_TYPES = ("bigint", "text", "bigint", "bigint", "bigint", "text", "bigint", "timestamptz")


def insert_moves(rows: list[tuple]) -> None:
    """The moves, one per lead moved (`MOVE_COLUMNS`). On PostgreSQL one INSERT … SELECT FROM
    unnest(arrays) per 20,000: a reclaim of 50,000 leads spends no time building model objects
    (the ORM's bulk_create took longer than the database); elsewhere bulk_create."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        LeadMove.objects.bulk_create(
            [LeadMove(**dict(zip(MOVE_COLUMNS, row, strict=True))) for row in rows], batch_size=BATCH
        )
        return
    table = LeadMove._meta.db_table
    arrays = ", ".join(f"%s::{kind}[]" for kind in MOVE_TYPES)
    sql = f"INSERT INTO {table} ({', '.join(MOVE_COLUMNS)}) SELECT * FROM unnest({arrays})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 20000):
            cursor.execute(sql, [list(column) for column in zip(*rows[start : start + 20000], strict=True)])


# What a hand-over resets besides the holder, org and deadline.
HANDED_OVER = {
    "pool": None,
    "pooled_at": None,
    "reminded_for": None,
    "followups": 0,
    "valid_followups": 0,
    "last_followup_at": None,
}


def _hand_over_by_holder(rows, wanted, holder_orgs, rules, now) -> None:
    """One UPDATE per holder (the deadline by level in a CASE): SQLite, a writer at a time."""
    by_holder: dict[int, list[int]] = defaultdict(list)
    levels = set()
    for pk, _org, level, _holder, _pool in rows:
        by_holder[wanted[pk]].append(pk)
        levels.add(level)
    for holder_id, ids in by_holder.items():
        org_id = holder_orgs[holder_id]
        deadline = Case(
            *[When(level=lv, then=Value(first_deadline(rules.for_lead(org_id, lv), now))) for lv in sorted(levels)]
        )
        for chunk in _chunks(ids):
            Lead.objects.filter(pk__in=chunk).update(
                holder_id=holder_id, org_id=org_id, assigned_at=now, protected_until=deadline, **HANDED_OVER
            )


def _hand_over_pg(
    wanted, holder_orgs, rules, now, *, only_unheld, only_pool, expired_by, kind, reason, rule_id
) -> list[int]:
    """PostgreSQL: the whole hand-over in one statement, whatever the number of leads — lock the
    leads still where the caller expects (in id order, so two hand-overs never deadlock; a lock
    that still lets a new interaction or opportunity name the lead, as an UPDATE's own does), give
    each its holder, the holder's org and the deadline for its level, and write its move. Only
    two arrays of ids cross the wire, and the deadlines per (holder's org, level): allocating
    100,000 leads to 1,000 people builds no row in Python. Returns the ids of the leads moved."""
    lead_table, move_table = Lead._meta.db_table, LeadMove._meta.db_table
    deadline_orgs, deadline_levels, deadline_until = [], [], []
    rules.prefetch(set(holder_orgs.values()))
    for org_id in set(holder_orgs.values()):
        # Level "": the org's every-level rule, for a lead whose level has no rule of its own.
        for level in [*Lead.Level.values, ""]:
            deadline_orgs.append(org_id)
            deadline_levels.append(level)
            deadline_until.append(first_deadline(rules.for_lead(org_id, level), now))
    lead_ids = list(wanted)
    holders = list(wanted.values())
    conditions, condition_params = ["lead.merged_into_id IS NULL"], []
    if only_unheld:
        conditions.append("lead.holder_id IS NULL")
    if only_pool is not None:
        conditions.append("lead.pool_id = %s")
        condition_params.append(only_pool)
    if expired_by is not None:  # a follow-up recorded meanwhile saved it
        conditions.append("lead.protected_until <= %s")
        condition_params.append(expired_by)
    sql = f"""
        WITH deadlines AS MATERIALIZED (
            SELECT * FROM unnest(%s::bigint[], %s::text[], %s::timestamptz[]) AS deadline(org, level, until)
        ), taken AS MATERIALIZED (
            SELECT lead.id, lead.level, lead.holder_id AS from_holder, lead.pool_id AS from_pool,
                   given.holder, holder.org
            FROM {lead_table} AS lead
            JOIN unnest(%s::bigint[], %s::bigint[]) AS given(id, holder) ON given.id = lead.id
            JOIN unnest(%s::bigint[], %s::bigint[]) AS holder(id, org) ON holder.id = given.holder
            WHERE {" AND ".join(conditions)}
            ORDER BY lead.id
            FOR NO KEY UPDATE OF lead
        ), handed AS (
            UPDATE {lead_table} AS lead
            SET holder_id = taken.holder, org_id = taken.org, pool_id = NULL, pooled_at = NULL,
                assigned_at = %s, protected_until = COALESCE(by_level.until, any_level.until),
                reminded_for = NULL, followups = 0, valid_followups = 0, last_followup_at = NULL
            FROM taken
            LEFT JOIN deadlines AS any_level ON any_level.org = taken.org AND any_level.level = ''
            LEFT JOIN deadlines AS by_level ON by_level.org = taken.org AND by_level.level = taken.level
            WHERE lead.id = taken.id
        ), moves AS (
            INSERT INTO {move_table} (lead_id, kind, pool_id, from_holder_id, to_holder_id, reason, rule_id, at)
            SELECT id, %s, from_pool, from_holder, holder, %s, %s, %s FROM taken
        )
        SELECT id FROM taken ORDER BY id
    """
    params = [
        deadline_orgs,
        deadline_levels,
        deadline_until,
        lead_ids,
        holders,
        list(holder_orgs),
        list(holder_orgs.values()),
        *condition_params,
        now,
        kind,
        reason,
        rule_id,
        now,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def public_pools(org_ids: Iterable[int]) -> dict[int, int]:
    """Each org's public pool id, made where missing."""
    from steward.leads.services import public_pool

    org_ids = set(org_ids)
    found = dict(LeadPool.objects.filter(org_id__in=org_ids, kind=LeadPool.Kind.PUBLIC).values_list("org_id", "pk"))
    for org_id in org_ids - set(found):
        found[org_id] = public_pool(org_id).pk
    return found


def to_pools(
    actor,
    leads_by_pool: Mapping[int, Iterable[int]],
    *,
    kind: str,
    reason: str = "",
    reasons: Mapping[int, str] | None = None,
    rules: Mapping[int, object] | None = None,
    only_unheld: bool = False,
    only_pool: int | None = None,
    only_held: bool = False,
    expired_by=None,
    stage: str | None = None,
    now=None,
) -> int:
    """Put each listed lead into its pool (a pool id), without a holder, and the pool's org. Used
    for a move down the org tree (kind assign), a reclaim (with the rule that fired, per lead), a
    holder giving a lead back (release) and the invalid pool (with `stage` invalid)."""
    now = now or timezone.now()
    wanted = {lead_id: pool_id for pool_id, ids in leads_by_pool.items() for lead_id in ids}
    if not wanted:
        return 0
    reasons, rules = reasons or {}, rules or {}
    with transaction.atomic():
        rows = _locked(wanted, only_unheld=only_unheld, only_pool=only_pool, only_held=only_held, expired_by=expired_by)
        pool_orgs = dict(LeadPool.objects.filter(pk__in=set(wanted.values())).values_list("pk", "org_id"))
        by_pool: dict[int, list[int]] = defaultdict(list)
        for pk, *_rest in rows:
            by_pool[wanted[pk]].append(pk)
        extra = {"stage": stage} if stage else {}
        for pool_id, ids in by_pool.items():
            for chunk in _chunks(ids):
                Lead.objects.filter(pk__in=chunk).update(
                    pool_id=pool_id,
                    org_id=pool_orgs[pool_id],
                    pooled_at=now,
                    holder=None,
                    assigned_at=None,
                    protected_until=None,
                    reminded_for=None,
                    **extra,
                )
        insert_moves(
            [
                (
                    pk,
                    kind,
                    wanted[pk],
                    holder_id,
                    None,
                    (reasons.get(pk) or reason)[:200],
                    getattr(rules.get(pk), "pk", None),
                    now,
                )
                for pk, _org, _level, holder_id, _pool in rows
            ]
        )
        log_bulk("update", Lead, [row[0] for row in rows], actor=actor, message=f"leads {kind}: {reason}"[:200])
    return len(rows)


def move_to_org(
    actor, leads_by_org: Mapping[int, Iterable[int]], *, reason: str = "", only_unheld=True, only_pool=None, now=None
) -> int:
    """Step-by-step allocation's move down a level: each listed lead into that org's public pool."""
    leads_by_org = {org_id: list(ids) for org_id, ids in leads_by_org.items()}
    pools = public_pools(leads_by_org)
    return to_pools(
        actor,
        {pools[org_id]: ids for org_id, ids in leads_by_org.items()},
        kind=LeadMove.Kind.ASSIGN,
        reason=reason,
        only_unheld=only_unheld,
        only_pool=only_pool,
        now=now,
    )
