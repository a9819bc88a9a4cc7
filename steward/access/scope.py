"""Data scope — PLT-04: which rows a user may see or act on, through one mechanism.

Every role assignment carries a scope anchored at an org:
  own     — rows the user owns (e.g. an RM's own customers; their own employee record)
  team    — rows belonging to the anchor org itself (a team)
  subtree — rows of the anchor org and every org below it (materialized-path range)
  all     — everything

A model opts in by using `ScopedQuerySet` and naming, on the model, how a row relates to
an org and to an owner (``scope_org_field`` and ``scope_owner_field``). Lists, details,
search, exports, aggregates and the API all start from ``Model.objects.visible_to(user,
permission)``; no other filter grants visibility.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import Q

SCOPE_OWN = "own"
SCOPE_TEAM = "team"
SCOPE_SUBTREE = "subtree"
SCOPE_ALL = "all"


@dataclass(frozen=True)
class Grant:
    """One (scope, anchor) under which a user holds a permission."""

    scope: str
    org_id: int | None
    org_path: str | None


def path_range_q(field: str, path: str) -> Q:
    """Rows whose materialized path starts with `path`, as an index-friendly range.

    A range (>= prefix, < prefix + '~') uses a plain B-tree index on SQLite and
    PostgreSQL alike, whatever the collation; paths only contain digits and '/'.
    """
    return Q(**{f"{field}__gte": path, f"{field}__lt": path + "~"})


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user, permission: str):
        """Only the rows `user` may reach with `permission` (e.g. "org.employee:view")."""
        from steward.access.services import grants_for

        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        grants = grants_for(user, permission)
        if not grants:
            return self.none()
        model = self.model
        condition = Q(pk__in=[])
        for grant in grants:
            if grant.scope == SCOPE_ALL:
                return self
            part = scope_condition(model, user, grant)
            if not part:  # an empty Q() means every row (bank-wide configuration such as roles)
                return self
            condition |= part
        return self.filter(condition)


def scope_condition(model, user, grant: Grant) -> Q:
    custom = getattr(model, "scope_q", None)
    if custom is not None:
        return custom(user, grant)
    org_field = getattr(model, "scope_org_field", None)
    owner_field = getattr(model, "scope_owner_field", None)
    if grant.scope == SCOPE_OWN:
        if owner_field is None:
            return Q(pk__in=[])
        return Q(**{owner_field: user.pk})
    if org_field is None:
        return Q(pk__in=[])
    if grant.scope == SCOPE_TEAM:
        return Q(**{org_field: grant.org_id})
    if grant.scope == SCOPE_SUBTREE:
        from steward.org.models import Org

        # A sub-select on the org table keeps the big table's condition an indexed IN.
        subtree = Org.objects.filter(path_range_q("path", grant.org_path)).values("pk")
        return Q(**{f"{org_field}__in": subtree})
    raise ValueError(f"Unknown scope {grant.scope!r}")


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):
    """The default manager of every scoped model: `Model.objects.visible_to(user, permission)`."""
