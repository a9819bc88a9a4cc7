"""Who reports to whom: direct superiors and direct subordinates (SVC-13, SVC-02, SVC-08).

There is no "manager" column on an employee: line management follows the org tree and the
roles. A *supervisor* of an employee holds ``org.employee:supervise`` for the employee's org
(scope "team" anchored at it, "subtree" anchored at it or above, or "all"). The *direct*
superiors are the nearest of them — the deepest anchor, as approvals route to the nearest
approver (steward/approvals/routing.py): the team lead before the sub-branch manager before the
branch manager. Someone who supervises at the same level as the employee is a peer, never a
superior (two team leads of one team do not see each other's schedules).

Everything is computed from the current supervise assignments, which are few (a bank has a
lead per team), read once per call.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

SUPERVISE = "org.employee:supervise"


@dataclass(frozen=True)
class _Anchor:
    user_id: int
    org_id: int
    path: str
    depth: int
    scope: str


def _supervise_anchors() -> list[_Anchor]:
    from steward.access.models import RoleAssignment
    from steward.org.models import Employee

    rows = (
        RoleAssignment.objects.current()
        .filter(Q(role__grants__permission=SUPERVISE), user__is_active=True)
        .exclude(user__status=Employee.Status.LEFT)
        .values_list("user_id", "org_id", "org__path", "org__depth", "scope")
        .distinct()
    )
    return [_Anchor(*row) for row in rows]


def _level_for(anchor: _Anchor, org_id: int, org_path: str) -> int | None:
    """How deep `anchor` supervises the org (None: it does not cover it). "all" counts at its
    anchor's depth when the org lies below the anchor, else above everyone (-1)."""
    from steward.access.scope import SCOPE_ALL, SCOPE_SUBTREE, SCOPE_TEAM

    below = org_path.startswith(anchor.path)
    if anchor.scope == SCOPE_ALL:
        return anchor.depth if below else -1
    if anchor.scope == SCOPE_SUBTREE and below:
        return anchor.depth
    if anchor.scope == SCOPE_TEAM and anchor.org_id == org_id:
        return anchor.depth
    return None


def _direct_superior_ids(user_id: int, org_id: int, org_path: str, anchors: list[_Anchor]) -> set[int]:
    levels: dict[int, int] = {}
    for anchor in anchors:
        level = _level_for(anchor, org_id, org_path)
        if level is not None:
            levels[anchor.user_id] = max(level, levels.get(anchor.user_id, -2))
    own_level = levels.pop(user_id, None)
    if own_level is not None:  # a supervisor's superiors sit above their own level
        levels = {uid: level for uid, level in levels.items() if level < own_level}
    if not levels:
        return set()
    nearest = max(levels.values())
    return {uid for uid, level in levels.items() if level == nearest}


def direct_superior_ids(employee) -> set[int]:
    """The ids of `employee`'s direct superiors (usually one)."""
    if employee.org_id is None:
        return set()
    return _direct_superior_ids(employee.pk, employee.org_id, employee.org.path, _supervise_anchors())


def direct_subordinate_ids(employee) -> set[int]:
    """The ids of the active employees whose direct superior `employee` is."""
    from steward.org.models import Employee

    anchors = _supervise_anchors()
    mine = [a for a in anchors if a.user_id == employee.pk]
    if not mine:
        return set()
    from steward.access.scope import SCOPE_ALL, SCOPE_TEAM

    condition = Q()
    for anchor in mine:
        if anchor.scope == SCOPE_ALL:
            condition = Q()
            break
        if anchor.scope == SCOPE_TEAM:
            condition |= Q(org_id=anchor.org_id)
        else:
            condition |= Q(org__path__startswith=anchor.path)
    candidates = (
        Employee.objects.filter(condition, is_active=True)
        .exclude(status=Employee.Status.LEFT)
        .exclude(pk=employee.pk)
        .values_list("pk", "org_id", "org__path")
    )
    return {
        pk
        for pk, org_id, org_path in candidates
        if org_path and employee.pk in _direct_superior_ids(pk, org_id, org_path, anchors)
    }


def line_ids(employee) -> set[int]:
    """The employee, their direct superiors and their direct subordinates: whose schedules they
    see (SVC-13: "直属上级和直属下级的行事历", not peers')."""
    return {employee.pk} | direct_superior_ids(employee) | direct_subordinate_ids(employee)
