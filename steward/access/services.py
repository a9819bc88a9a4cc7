"""Role and permission operations — PLT-03, PLT-04. The only code that changes roles or grants."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections import defaultdict

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from steward.access.models import ApiToken, Role, RoleAssignment, RoleGrant
from steward.access.registry import registry
from steward.access.scope import SCOPE_ALL, SCOPE_OWN, SCOPE_SUBTREE, SCOPE_TEAM, Grant
from steward.audit.services import log_bulk, log_event
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


# --- No privilege escalation (PLT-03, issue 11 point 1) ------------------------------------------
#
# Nobody gives more than they hold. Scopes are ordered own < team < subtree < all; a grant the
# actor holds *covers* a (scope, org) to be given when the scope is no wider and the org lies in
# the grant's region (all: every org; subtree at P: P and below; team at P: P itself; own: the
# actor's own org). Superusers are unrestricted. Everything below is the one place the rule lives:
# the pages, the API, the admin and the forms' choices all call it.

SCOPE_RANK = {SCOPE_OWN: 0, SCOPE_TEAM: 1, SCOPE_SUBTREE: 2, SCOPE_ALL: 3}
ASSIGN = "access.assignment:change"


class EscalationRefused(PermissionDenied):
    """The actor asked to give (or reshape) authority beyond their own. `field` names the input at fault."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def _in_region(actor, held: Grant, org) -> bool:
    if held.scope == SCOPE_ALL:
        return True
    if held.scope == SCOPE_SUBTREE:
        return bool(held.org_path) and org.path.startswith(held.org_path)
    if held.scope == SCOPE_TEAM:
        return org.pk == held.org_id
    return org.pk == actor.org_id  # own: the actor's own org, as Org.scope_q reads it


def grant_covers(actor, held: Grant, scope: str, org) -> bool:
    """Whether the actor's grant `held` reaches at least as far as `scope` anchored at `org`."""
    return SCOPE_RANK[scope] <= SCOPE_RANK[held.scope] and _in_region(actor, held, org)


def covers(actor, permission: str, scope: str, org) -> bool:
    """Whether the actor holds `permission` at least as widely as (scope, org).

    A permission without a data scope (registry ``scoped=False``) is covered by holding it at all.
    """
    if getattr(actor, "is_superuser", False):
        return True
    held = grants_for(actor, permission)
    if not held:
        return False
    if not registry.permissions[permission].scoped:
        return True
    return any(grant_covers(actor, g, scope, org) for g in held)


def _held_names(actor) -> set[str]:
    if actor.is_superuser:
        return set(registry.permissions)
    return permitted_names(actor)


def _names(names) -> str:
    """Permissions as their users know them — “Export employees”, not org.employee:export."""
    labels = sorted(str(registry.permissions[n].label) if n in registry.permissions else n for n in names)
    return ", ".join(f"“{label}”" for label in labels)


def grantable_scopes(actor) -> list[str]:
    """The scopes the actor may give at all: up to the widest of their own role-assignment grants."""
    held = grants_for(actor, ASSIGN)
    widest = max((SCOPE_RANK[g.scope] for g in held), default=-1)
    return [name for name, rank in SCOPE_RANK.items() if rank <= widest]


def assignable_orgs(actor):
    """Active orgs where the actor may assign roles (the region of their role-assignment grants)."""
    from steward.org.models import Org

    return Org.objects.visible_to(actor, ASSIGN).filter(is_active=True)


def grantable_roles(actor):
    """Active roles every permission of which the actor holds themself."""
    roles = Role.objects.filter(is_active=True)
    if actor.is_superuser:
        return roles
    if not has_permission(actor, ASSIGN):
        return roles.none()
    lacking = RoleGrant.objects.filter(role=OuterRef("pk")).exclude(permission__in=_held_names(actor))
    return roles.exclude(Exists(lacking))


def check_assignment(actor, user, role: Role, org, scope: str) -> None:
    """Raise unless the actor may give `user` the `role` at `org` with `scope` (PLT-03).

    1. The actor holds access.assignment:change, and `user` lies inside its data scope.
    2. `org` lies in the region of one of the actor's access.assignment:change grants, and
       `scope` is no wider than a grant that reaches `org`.
    3. The actor holds every permission of `role` — and, for each permission with a data scope,
       holds it at least as widely as (scope, org): nobody hands on more than they have.
    Self-assignment follows the same rule. Superusers pass.
    """
    from steward.org.models import Employee

    require_permission(actor, ASSIGN)
    if scope not in SCOPE_RANK:
        raise DomainError(_("Unknown data scope %(scope)s.") % {"scope": scope}, field="scope")
    if actor.is_superuser:
        return
    if not Employee.objects.visible_to(actor, ASSIGN).filter(pk=user.pk).exists():
        raise EscalationRefused(_("This employee is outside your data scope."), field="user")
    held = grants_for(actor, ASSIGN)
    if not any(_in_region(actor, g, org) for g in held):
        raise EscalationRefused(_("You cannot assign roles at an org outside your data scope."), field="org")
    if not any(grant_covers(actor, g, scope, org) for g in held):
        raise EscalationRefused(
            _(
                "You cannot give the data scope “%(scope)s” at %(org)s: it reaches further than your own "
                "authority to assign roles."
            )
            % {"scope": scope_label(scope), "org": org},
            field="scope",
        )
    role_names = set(role.grants.values_list("permission", flat=True))
    lacking = role_names - _held_names(actor)
    if lacking:
        raise EscalationRefused(
            _("You cannot give the role %(role)s: it grants permissions you do not hold yourself (%(names)s).")
            % {"role": role, "names": _names(lacking)},
            field="role",
        )
    narrower = {name for name in role_names if not covers(actor, name, scope, org)}
    if narrower:
        raise EscalationRefused(
            _(
                "You cannot give the role %(role)s with the data scope “%(scope)s” at %(org)s: you hold "
                "%(names)s only more narrowly yourself."
            )
            % {"role": role, "scope": scope_label(scope), "org": org, "names": _names(narrower)},
            field="scope",
        )


def may_assign(actor, user, role: Role, org, scope: str) -> bool:
    try:
        check_assignment(actor, user, role, org, scope)
    except (PermissionDenied, DomainError):
        return False
    return True


def check_end_assignment(actor, assignment: RoleAssignment) -> None:
    """Ending stays inside scope: the holder is in the actor's scope and the assignment's own
    (scope, org) is covered by the actor's access.assignment:change grants. Holding the role's
    permissions is not needed: ending takes authority away, it gives none."""
    from steward.org.models import Employee

    require_permission(actor, ASSIGN)
    if actor.is_superuser:
        return
    if not Employee.objects.visible_to(actor, ASSIGN).filter(pk=assignment.user_id).exists():
        raise EscalationRefused(_("This employee is outside your data scope."), field="user")
    if not covers(actor, ASSIGN, assignment.scope, assignment.org):
        raise EscalationRefused(
            _(
                "You cannot end this assignment: its data scope “%(scope)s” at %(org)s reaches further than "
                "your own authority to assign roles."
            )
            % {"scope": scope_label(assignment.scope), "org": assignment.org},
        )


def may_end_assignment(actor, assignment: RoleAssignment) -> bool:
    try:
        check_end_assignment(actor, assignment)
    except PermissionDenied:
        return False
    return True


def editable_permissions(actor) -> set[str]:
    """The permissions the role editor offers the actor: those they hold themself."""
    return _held_names(actor) if has_permission(actor, "access.role:change") else set()


def check_role_edit(actor, role: Role, permission_names) -> None:
    """Raise unless the actor may save `role` granting exactly `permission_names` (PLT-03).

    * Only permissions the actor holds may be added or removed: a role that grants anything the
      actor lacks cannot be edited by them at all (not even its name or switches).
    * A permission added to a role already held by others reaches those holders at their
      assignments' scopes: the actor must hold it at least as widely as each of them.
      Re-activating a role counts as adding all of its permissions.
    Superusers pass.
    """
    require_permission(actor, "access.role:change")
    names = set(validate_permission_names(permission_names))
    if actor.is_superuser:
        return
    held = _held_names(actor)
    current: set[str] = set()
    was_active = False
    if role.pk:
        current = set(RoleGrant.objects.filter(role_id=role.pk).values_list("permission", flat=True))
        was_active = Role.objects.filter(pk=role.pk, is_active=True).exists()
        lacking = current - held
        if lacking:
            raise EscalationRefused(
                _("You cannot edit the role %(role)s: it grants permissions you do not hold yourself (%(names)s).")
                % {"role": role, "names": _names(lacking)},
                field="permissions",
            )
    lacking = names - held
    if lacking:
        raise EscalationRefused(
            _("You can only grant permissions you hold yourself; you do not hold %(names)s.")
            % {"names": _names(lacking)},
            field="permissions",
        )
    if not role.pk or not role.is_active:
        return
    added = names if not was_active else names - current
    if not added:
        return
    for assignment in RoleAssignment.objects.current().filter(role_id=role.pk).select_related("org", "user"):
        narrower = {name for name in added if not covers(actor, name, assignment.scope, assignment.org)}
        if narrower:
            raise EscalationRefused(
                _(
                    "You cannot add %(names)s to the role %(role)s: %(holder)s holds it with the data scope "
                    "“%(scope)s” at %(org)s, wider than you hold these permissions yourself."
                )
                % {
                    "names": _names(narrower),
                    "role": role,
                    "holder": assignment.user,
                    "scope": scope_label(assignment.scope),
                    "org": assignment.org,
                },
                field="permissions",
            )


def may_edit_role(actor, role: Role) -> bool:
    if not has_permission(actor, "access.role:change"):
        return False
    if actor.is_superuser or role.pk is None:
        return True
    return set(role.grants.values_list("permission", flat=True)) <= _held_names(actor)


def scope_label(scope: str) -> str:
    from steward.access.models import SCOPE_CHOICES

    return str(dict(SCOPE_CHOICES).get(scope, scope))


@service
def save_role(actor, role: Role, permission_names) -> Role:
    """Create or update a role and set exactly the permissions it grants (never beyond the actor's own)."""
    check_role_edit(actor, role, permission_names)
    names = validate_permission_names(permission_names)
    role.full_clean()
    role.save()
    role.grants.exclude(permission__in=names).delete()
    existing = set(role.grants.values_list("permission", flat=True))
    RoleGrant.objects.bulk_create([RoleGrant(role=role, permission=n) for n in names if n not in existing])
    return role


@service
def assign_role(actor, user, role: Role, org, scope: str) -> RoleAssignment:
    """Give `user` the `role` at `org` with a data scope — never more than the actor holds (PLT-03)."""
    check_assignment(actor, user, role, org, scope)
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
    """End one assignment (kept as history); only inside the actor's own authority to assign."""
    check_end_assignment(actor, assignment)
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


# --- API tokens (PLT-11, issue 11 point 11) ------------------------------------------------------
#
# A token is shown once when issued; only its SHA-256 hash is stored. It stops working at its
# absolute expiry (system parameter security.api_token_lifetime_days at issue time), after
# security.api_token_idle_days without use (read at each use), when revoked, when rotated, and
# when its holder leaves or moves. Issuing and rotating are for the holder themself (and the
# operator's create_api_token command): nobody mints a key to act as someone else. Administrators
# with access.token:view / access.token:revoke list and revoke the tokens of employees in scope.

TOKEN_VIEW = "access.token:view"
TOKEN_REVOKE = "access.token:revoke"
TOKEN_PREFIX_LENGTH = 8
TOKEN_ACTIVE, TOKEN_EXPIRED, TOKEN_IDLE, TOKEN_REVOKED = "active", "expired", "idle", "revoked"
TOUCH_EVERY = dt.timedelta(minutes=1)


def hash_token_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_lifetime_days() -> int:
    from steward.basedata.services import parameter

    return int(parameter("security.api_token_lifetime_days"))


def token_idle_limit() -> dt.timedelta:
    from steward.basedata.services import parameter

    return dt.timedelta(days=int(parameter("security.api_token_idle_days")))


def token_state(token: ApiToken, now=None) -> str:
    """active, revoked, expired (past the absolute lifetime) or idle (unused for too long)."""
    now = now or timezone.now()
    if token.revoked_at is not None:
        return TOKEN_REVOKED
    if token.expires_at <= now:
        return TOKEN_EXPIRED
    if (token.last_used_at or token.created_at) + token_idle_limit() <= now:
        return TOKEN_IDLE
    return TOKEN_ACTIVE


def token_state_label(state: str) -> str:
    return {
        TOKEN_ACTIVE: _("active"),
        TOKEN_EXPIRED: _("expired"),
        TOKEN_IDLE: _("lapsed after idle time"),
        TOKEN_REVOKED: _("revoked"),
    }[state]


def _create_token(actor, user, name: str, days: int | None, now) -> tuple[ApiToken, str]:
    limit = token_lifetime_days()
    if days is None:
        days = limit
    if not isinstance(days, int) or days < 1 or days > limit:
        raise DomainError(
            _("A token may last between 1 and %(limit)d days.") % {"limit": limit}, field="expires_in_days"
        )
    if not user.is_active or user.status == user.Status.LEFT:
        raise DomainError(_("%(user)s has left and cannot be given API tokens.") % {"user": user}, field="user")
    key = secrets.token_hex(20)
    token = ApiToken.objects.create(
        user=user,
        name=str(name or "").strip()[:100],
        prefix=key[:TOKEN_PREFIX_LENGTH],
        key_hash=hash_token_key(key),
        created_by=actor if getattr(actor, "pk", None) else None,
        expires_at=now + dt.timedelta(days=days),
    )
    return token, key


@service
def issue_token(actor, user, name: str = "", days: int | None = None, now=None) -> tuple[ApiToken, str]:
    """A new token for `user`, returned with its key (shown once). Only for oneself — or by the
    operator (actor None: the create_api_token command)."""
    if actor is not None and actor.pk != user.pk:
        raise PermissionDenied(_("API tokens are issued only to their holder."))
    now = now or timezone.now()
    token, key = _create_token(actor, user, name, days, now)
    log_event(
        "access.token_issued",
        token,
        actor=actor,
        message=_("%(name)s, valid until %(until)s") % {"name": token.name or "—", "until": token.expires_at},
    )
    return token, key


@service
def rotate_token(actor, token: ApiToken, days: int | None = None, now=None) -> tuple[ApiToken, str]:
    """Replace a usable token by a new one with the same name; the old one stops working at once."""
    if actor is not None and actor.pk != token.user_id:
        raise PermissionDenied(_("Only the holder can rotate an API token."))
    now = now or timezone.now()
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token_state(token, now) != TOKEN_ACTIVE:
        raise DomainError(
            _("This token is %(state)s; issue a new one instead.")
            % {"state": token_state_label(token_state(token, now))}
        )
    new, key = _create_token(actor, token.user, token.name, days, now)
    token.revoked_at, token.revoked_by, token.revoke_reason = now, actor, gettext_noop("rotated")
    token.replaced_by = new
    token.save(update_fields=["revoked_at", "revoked_by", "revoke_reason", "replaced_by"])
    log_event("access.token_rotated", token, actor=actor, message=_("replaced by %(prefix)s…") % {"prefix": new.prefix})
    return new, key


def may_manage_tokens_of(actor, user, permission: str) -> bool:
    """Oneself always; someone else with `permission` over that employee's record."""
    from steward.org.models import Employee

    if actor.pk == user.pk:
        return True
    return (
        has_permission(actor, permission) and Employee.objects.visible_to(actor, permission).filter(pk=user.pk).exists()
    )


@service
def revoke_token(actor, token: ApiToken, reason: str = "", now=None) -> ApiToken:
    """Stop a token at once: its holder, or an administrator with access.token:revoke over them."""
    if actor is not None and not may_manage_tokens_of(actor, token.user, TOKEN_REVOKE):
        raise PermissionDenied(_("You cannot revoke this employee's API tokens."))
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = now or timezone.now()
        token.revoked_by = actor if getattr(actor, "pk", None) else None
        token.revoke_reason = str(reason or "").strip()[:200]
        token.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        log_event("access.token_revoked", token, actor=actor, message=token.revoke_reason)
    return token


def revoke_all_tokens(user, actor=None, reason: str = "", now=None) -> int:
    """Every token of `user` stops at once (leaving, moving, "revoke all"); audited as one batch."""
    current = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    ids = list(current.values_list("pk", flat=True))
    if not ids:
        return 0
    current.update(
        revoked_at=now or timezone.now(),
        revoked_by=actor if getattr(actor, "pk", None) else None,
        revoke_reason=(reason or "")[:200],
    )
    log_bulk("access.tokens_revoked", ApiToken, ids, actor=actor, message=f"{user}: {reason}")
    return len(ids)


@service
def revoke_tokens_of(actor, user, reason: str = "") -> int:
    """The "revoke all" button: the holder, or an administrator with access.token:revoke over them."""
    if not may_manage_tokens_of(actor, user, TOKEN_REVOKE):
        raise PermissionDenied(_("You cannot revoke this employee's API tokens."))
    return revoke_all_tokens(user, actor=actor, reason=reason)


def tokens_visible_to(actor, user=None):
    """The tokens `actor` may list: their own, plus (with access.token:view) those of employees in scope."""
    from steward.org.models import Employee

    queryset = ApiToken.objects.select_related("user", "revoked_by", "created_by")
    if user is not None:
        if not may_manage_tokens_of(actor, user, TOKEN_VIEW):
            raise PermissionDenied(_("You cannot see this employee's API tokens."))
        return queryset.filter(user=user)
    if has_permission(actor, TOKEN_VIEW):
        visible = Employee.objects.visible_to(actor, TOKEN_VIEW).values("pk")
        return queryset.filter(Q(user=actor) | Q(user__in=visible))
    return queryset.filter(user=actor)


def authenticate_token(key: str, now=None):
    """The (user, token) for a key, or a DomainError saying why it is refused (the API answers 401)."""
    now = now or timezone.now()
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token_key(key)).first()
    if token is None:
        raise DomainError(_("Invalid token."))
    state = token_state(token, now)
    if state == TOKEN_REVOKED:
        raise DomainError(
            _("This API token was revoked on %(when)s. Obtain a new one.")
            % {"when": timezone.localtime(token.revoked_at).strftime("%Y-%m-%d %H:%M")}
        )
    if state == TOKEN_EXPIRED:
        raise DomainError(
            _("This API token expired on %(when)s. Obtain a new one.")
            % {"when": timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M")}
        )
    if state == TOKEN_IDLE:
        raise DomainError(
            _("This API token was not used for %(days)d days and has lapsed. Obtain a new one.")
            % {"days": token_idle_limit().days}
        )
    if not token.user.is_active:
        raise DomainError(_("User inactive or deleted."))
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        # At most once a minute per token: a busy integration does not write on every call.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token.user, token
