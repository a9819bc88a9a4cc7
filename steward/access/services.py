"""Role and permission operations — PLT-03, PLT-04. The only code that changes roles or grants."""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from steward.access.models import Role, RoleAssignment, RoleGrant
from steward.access.registry import registry
from steward.access.scope import SCOPE_ALL, Grant
from steward.audit.services import log_bulk
from steward.core.errors import DomainError
from steward.core.services import service

_CACHE_ATTR = "_steward_grants"


def _load_grants(user) -> dict[str, list[Grant]]:
    """All permissions of the user's current assignments, loaded in one query per request."""
    grants: dict[str, list[Grant]] = defaultdict(list)
    rows = (
        RoleAssignment.objects.current()
        .filter(user=user)
        .values_list("scope", "org_id", "org__path", "role__grants__permission")
    )
    for scope_name, org_id, org_path, permission in rows:
        if permission is None:
            continue
        grant = Grant(scope_name, org_id, org_path)
        if grant not in grants[permission]:
            grants[permission].append(grant)
    return dict(grants)


def grants_for(user, permission: str) -> list[Grant]:
    if permission not in registry.permissions:
        raise KeyError(f"Unregistered permission {permission!r}")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.is_superuser:
        return [Grant(SCOPE_ALL, None, None)]
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = _load_grants(user)
        setattr(user, _CACHE_ATTR, cached)
    return cached.get(permission, [])


def forget_grants(user) -> None:
    """Drop the per-request cache after the user's roles changed."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def has_permission(user, permission: str) -> bool:
    return bool(grants_for(user, permission))


def permitted_names(user) -> set[str]:
    return {name for name in registry.permissions if has_permission(user, name)}


def require_permission(user, permission: str) -> None:
    """Services call this first; a forged request therefore fails even if a view forgot."""
    if not has_permission(user, permission):
        raise PermissionDenied(_("You do not have the permission “%(name)s”.") % {"name": permission})


def require_visible(user, permission: str, obj) -> None:
    """The object must lie inside the user's data scope for `permission`."""
    require_permission(user, permission)
    if not type(obj).objects.visible_to(user, permission).filter(pk=obj.pk).exists():
        raise PermissionDenied(_("This record is outside your data scope."))


def validate_permission_names(names) -> list[str]:
    unknown = sorted(set(names) - set(registry.permissions))
    if unknown:
        raise DomainError(_("Unknown permissions: %(names)s") % {"names": ", ".join(unknown)}, field="permissions")
    return sorted(set(names))


@service
def save_role(actor, role: Role, permission_names) -> Role:
    """Create or update a role and set exactly the permissions it grants."""
    require_permission(actor, "access.role:change")
    names = validate_permission_names(permission_names)
    role.full_clean()
    role.save()
    role.grants.exclude(permission__in=names).delete()
    existing = set(role.grants.values_list("permission", flat=True))
    RoleGrant.objects.bulk_create([RoleGrant(role=role, permission=n) for n in names if n not in existing])
    return role


@service
def assign_role(actor, user, role: Role, org, scope: str) -> RoleAssignment:
    """Give `user` the `role` at `org` with a data scope. The actor must reach that org."""
    from steward.org.models import Org

    require_permission(actor, "access.assignment:change")
    if not Org.objects.visible_to(actor, "access.assignment:change").filter(pk=org.pk).exists():
        raise PermissionDenied(_("You cannot assign roles at an org outside your data scope."))
    if not user.is_active or user.status == user.Status.LEFT:
        raise DomainError(_("%(user)s has left and cannot be given roles.") % {"user": user}, field="user")
    if not role.is_active:
        raise DomainError(_("The role %(role)s is inactive.") % {"role": role}, field="role")
    if RoleAssignment.objects.current().filter(user=user, role=role, org=org).exists():
        raise DomainError(_("%(user)s already holds %(role)s at %(org)s.") % {"user": user, "role": role, "org": org})
    assignment = RoleAssignment.objects.create(user=user, role=role, org=org, scope=scope, granted_by=actor)
    forget_grants(user)
    return assignment


@service
def end_assignment(actor, assignment: RoleAssignment, reason: str = "") -> RoleAssignment:
    require_permission(actor, "access.assignment:change")
    if assignment.ended_at is None:
        assignment.ended_at = timezone.now()
        assignment.ended_by = actor if getattr(actor, "pk", None) else None
        assignment.end_reason = reason
        assignment.save(update_fields=["ended_at", "ended_by", "end_reason"])
    forget_grants(assignment.user)
    return assignment


def end_all_assignments(user, actor=None, reason: str = "", now=None) -> int:
    """Authority ends with the role: used when an employee leaves or moves (PLT-03)."""
    current = RoleAssignment.objects.filter(user=user, ended_at__isnull=True)
    ids = list(current.values_list("pk", flat=True))
    count = current.update(
        ended_at=now or timezone.now(), ended_by=actor if getattr(actor, "pk", None) else None, end_reason=reason
    )
    if ids:
        log_bulk("access.assignments_ended", RoleAssignment, ids, actor=actor, message=f"{user}: {reason}")
    forget_grants(user)
    return count
