"""Who may decide a step: supervisors up the org tree, or peers at the same org — PLT-09.

A user "holds a permission for an org" when one of their current role assignments grants
it with a scope covering that org: "all", "subtree" anchored at the org or above it, or
"team" anchored at the org itself ("own" never covers someone else's request). The
*level* of a holder is the depth of the anchor org, so the nearest supervisor is the
deepest anchor: team lead (team) before sub-branch manager before branch manager.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from steward.access.models import RoleAssignment
from steward.access.scope import SCOPE_ALL, SCOPE_SUBTREE, SCOPE_TEAM
from steward.access.services import grants_for
from steward.approvals.registry import SAME_LEVEL, Step


@dataclass(frozen=True)
class Holder:
    user_id: int
    level: int  # depth of the anchor org; -1 for an "all" grant anchored off the org's path
    org_id: int
    org_kind: str


@dataclass
class Route:
    """The outcome of routing one step."""

    handler_ids: list[int] = field(default_factory=list)
    # People who would have been asked but already approved an earlier step: the step is skipped.
    already_approved_ids: list[int] = field(default_factory=list)

    @property
    def skipped(self) -> bool:
        return not self.handler_ids and bool(self.already_approved_ids)


def org_path_ids(org) -> list[int]:
    return [int(part) for part in org.path.strip("/").split("/") if part]


def holders(permission: str, org) -> list[Holder]:
    """Every active employee holding `permission` for `org`, with the level of their anchor."""
    from steward.org.models import Employee

    path_ids = org_path_ids(org)
    rows = (
        RoleAssignment.objects.current()
        .filter(role__grants__permission=permission, user__is_active=True)
        .exclude(user__status=Employee.Status.LEFT)
        .filter(Q(scope=SCOPE_ALL) | Q(scope=SCOPE_TEAM, org_id=org.pk) | Q(scope=SCOPE_SUBTREE, org_id__in=path_ids))
        .values_list("user_id", "org_id", "org__depth", "org__kind")
        .distinct()
    )
    result = []
    for user_id, org_id, depth, kind in rows:
        level = depth if org_id in path_ids else -1
        result.append(Holder(user_id, level, org_id, kind))
    return result


def route_step(step: Step, org, *, submitter_id: int, earlier_approver_ids=()) -> Route:
    """The handlers of `step` for an application of `org` (never the submitter)."""
    found = [h for h in holders(step.required_permission, org) if h.user_id != submitter_id]
    if step.org_kinds:
        found = [h for h in found if h.org_kind in step.org_kinds]
    if step.route == SAME_LEVEL:
        found = [h for h in found if h.org_id == org.pk]
    elif found:
        nearest = max(h.level for h in found)
        found = [h for h in found if h.level == nearest]
    ids = sorted({h.user_id for h in found})
    earlier = set(earlier_approver_ids)
    return Route([i for i in ids if i not in earlier], [i for i in ids if i in earlier])


def holds_for(user, permission: str, org) -> bool:
    """Whether the user's current grants of `permission` cover `org` (checked at every decision)."""
    for grant in grants_for(user, permission):
        if grant.scope == SCOPE_ALL:
            return True
        if grant.scope == SCOPE_SUBTREE and grant.org_path and org.path.startswith(grant.org_path):
            return True
        if grant.scope == SCOPE_TEAM and grant.org_id == org.pk:
            return True
    return False
