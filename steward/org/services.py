"""Org-tree and employee operations — PLT-01, PLT-02. Views, API and commands call these."""

from __future__ import annotations

import datetime as dt

from django.contrib.sessions.models import Session
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from steward.access.scope import path_range_q
from steward.access.services import end_all_assignments, require_permission, require_visible
from steward.audit.services import log_bulk, log_event
from steward.basedata.services import code_items
from steward.core.errors import DomainError
from steward.core.services import service
from steward.org.models import Employee, GradeChange, Org, UserSession, path_segment

ORG_FIELDS = ["code", "name", "kind", "address", "phone", "business_hours", "latitude", "longitude"]


def _require_parent_in_scope(actor, parent: Org | None, permission: str) -> None:
    if parent is None:
        if (
            not actor.is_superuser
            and not Org.objects.visible_to(actor, permission).filter(parent__isnull=True).exists()
        ):
            raise DomainError(_("Only a bank-wide administrator can create a top-level org."), field="parent")
        return
    require_visible(actor, permission, parent)


@service
def create_org(actor, *, parent: Org | None, **fields) -> Org:
    """Add an org under `parent` (which must be inside the actor's scope)."""
    require_permission(actor, "org.org:add")
    _require_parent_in_scope(actor, parent, "org.org:add")
    if parent is not None and not parent.is_active:
        raise DomainError(_("The parent org %(org)s is inactive.") % {"org": parent}, field="parent")
    org = Org(parent=parent, path=f"tmp-{timezone.now().timestamp()}", **fields)
    org.full_clean(exclude=["path"])
    org.save()
    org.path = (parent.path if parent else "") + path_segment(org.pk)
    org.depth = parent.depth + 1 if parent else 0
    org.save(update_fields=["path", "depth"])
    return org


@service
def update_org(actor, org: Org, **fields) -> Org:
    """Rename an org or edit its branch details (the position in the tree moves with move_org)."""
    require_visible(actor, "org.org:change", org)
    for name, value in fields.items():
        if name not in ORG_FIELDS:
            raise DomainError(_("Field %(field)s cannot be changed here.") % {"field": name}, field=name)
        setattr(org, name, value)
    org.full_clean()
    org.save()
    return org


@service
def move_org(actor, org: Org, new_parent: Org) -> Org:
    """Re-parent `org`; its whole subtree moves with it, in one set-based UPDATE."""
    require_visible(actor, "org.org:change", org)
    require_visible(actor, "org.org:change", new_parent)
    org = Org.objects.select_for_update().get(pk=org.pk)
    new_parent = Org.objects.get(pk=new_parent.pk)
    if org.parent_id is None:
        raise DomainError(_("The head office cannot be moved."), field="parent")
    if new_parent.pk == org.pk or new_parent.is_descendant_of(org):
        raise DomainError(_("An org cannot be moved under itself or one of its own sub-orgs."), field="parent")
    if not new_parent.is_active:
        raise DomainError(_("The new parent %(org)s is inactive.") % {"org": new_parent}, field="parent")
    old_path = org.path
    new_path = new_parent.path + path_segment(org.pk)
    depth_delta = new_parent.depth + 1 - org.depth
    moved_ids = list(Org.objects.filter(path_range_q("path", old_path)).values_list("pk", flat=True))
    log_event("org.moved", org, actor=actor, changes={"parent": [str(org.parent), str(new_parent)]})
    log_bulk("org.subtree_moved", Org, moved_ids, actor=actor, message=f"{org} → {new_parent}")
    Org.objects.filter(path_range_q("path", old_path)).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + depth_delta,
    )
    Org.objects.filter(pk=org.pk).update(parent=new_parent)
    org.refresh_from_db()
    return org


@service
def set_org_active(actor, org: Org, active: bool) -> Org:
    """Deactivate an org and its subtree (refused while staff still work there), or reactivate one."""
    require_visible(actor, "org.org:change", org)
    if active:
        if org.parent and not org.parent.is_active:
            raise DomainError(_("Reactivate the parent org %(org)s first.") % {"org": org.parent})
        Org.objects.filter(pk=org.pk).update(is_active=True)
        log_event("org.reactivated", org, actor=actor)
    else:
        subtree = org.subtree()
        staff = Employee.objects.filter(org__in=subtree.values("pk")).exclude(status=Employee.Status.LEFT)
        count = staff.count()
        if count:
            raise DomainError(
                _("%(org)s still has %(count)s active employees in it or below it; move them first.")
                % {"org": org, "count": count}
            )
        ids = list(subtree.filter(is_active=True).values_list("pk", flat=True))
        subtree.update(is_active=False)
        log_bulk("org.deactivated", Org, ids, actor=actor, message=str(org))
    org.refresh_from_db()
    return org


EMPLOYEE_FIELDS = [
    "name",
    "position",
    "allocation_weight",
    "mobile",
    "id_number",
    "email",
    "hired_on",
    "language",
    "is_staff",
]


def _require_code(table_code: str, value: str, field: str) -> None:
    """Position, level and tier come from code tables: the API may not store what the page cannot offer."""
    if value and value not in {code for code, _label, _label_en in code_items(table_code)}:
        raise DomainError(_("%(value)s is not a valid choice.") % {"value": value}, field=field)


def _require_strong_password(employee: Employee, password: str) -> None:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    try:
        validate_password(password, user=employee)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages), field="password") from None


@service
def create_employee(actor, *, employee_no: str, org: Org, password: str | None = None, **fields) -> Employee:
    require_permission(actor, "org.employee:add")
    if not Org.objects.visible_to(actor, "org.employee:add").filter(pk=org.pk).exists():
        raise DomainError(_("You cannot add employees to an org outside your data scope."), field="org")
    if not org.is_active:
        raise DomainError(_("The org %(org)s is inactive.") % {"org": org}, field="org")
    if fields.get("is_staff") and not actor.is_superuser:
        raise DomainError(_("Only a superuser can grant Django admin access."), field="is_staff")
    _require_code("employee_position", fields.get("position", ""), "position")
    employee = Employee(employee_no=employee_no, org=org, **fields)
    if password:
        _require_strong_password(employee, password)
        employee.set_password(password)
    else:
        employee.set_unusable_password()
    employee.full_clean(exclude=["password"])
    employee.save()
    return employee


@service
def update_employee(actor, employee: Employee, **fields) -> Employee:
    require_visible(actor, "org.employee:change", employee)
    for name, value in fields.items():
        if name not in EMPLOYEE_FIELDS:
            raise DomainError(_("Field %(field)s cannot be changed here.") % {"field": name}, field=name)
        if name == "is_staff" and value != employee.is_staff and not actor.is_superuser:
            raise DomainError(_("Only a superuser can grant Django admin access."), field="is_staff")
        if name == "position" and value != employee.position:
            _require_code("employee_position", value, "position")
        setattr(employee, name, value)
    employee.full_clean(exclude=["password"])
    employee.save()
    return employee


@service
def change_grade(
    actor, employee: Employee, *, level: str, tier: str, note: str = "", effective_on: dt.date | None = None
) -> GradeChange:
    """Promote or demote an employee (层级/级别); the change is kept as history."""
    require_visible(actor, "org.employee:grade", employee)
    _require_code("employee_level", level, "level")
    _require_code("employee_tier", tier, "tier")
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    if level == employee.level and tier == employee.tier:
        raise DomainError(_("The new level and tier are the same as the current ones."), field="level")
    change = GradeChange.objects.create(
        employee=employee,
        from_level=employee.level,
        to_level=level,
        from_tier=employee.tier,
        to_tier=tier,
        note=note,
        effective_on=effective_on or timezone.localdate(),
        changed_by=actor,
    )
    Employee.objects.filter(pk=employee.pk).update(level=level, tier=tier)
    log_event(
        "employee.grade_changed",
        employee,
        actor=actor,
        changes={"level": [change.from_level, level], "tier": [change.from_tier, tier]},
        message=note,
    )
    return change


def end_sessions(employee: Employee) -> int:
    """Log the employee out everywhere, at once — browser sessions and API tokens alike."""
    from steward.access.services import revoke_all_tokens

    keys = list(UserSession.objects.filter(user=employee).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(user=employee).delete()
    revoke_all_tokens(employee, reason=gettext_noop("left or moved"))  # translated when shown
    log_event("employee.sessions_ended", employee, message=f"{len(keys)} sessions")
    return len(keys)


@service
def set_employee_status(actor, employee: Employee, status: str, now=None) -> Employee:
    """Active / on leave / left. Leaving revokes every role and ends every session at once."""
    require_visible(actor, "org.employee:change", employee)
    if status not in Employee.Status.values:
        raise DomainError(_("Unknown status %(status)s.") % {"status": status}, field="status")
    if employee.pk == actor.pk and status == Employee.Status.LEFT:
        raise DomainError(_("You cannot mark yourself as having left."), field="status")
    now = now or timezone.now()
    employee.status = status
    if status == Employee.Status.LEFT:
        employee.is_active = False
        employee.left_at = now
        employee.save(update_fields=["status", "is_active", "left_at", "updated_at"])
        end_all_assignments(employee, actor=actor, reason=_("Employee left"), now=now)
        end_sessions(employee)
        from steward.customers.services import reassign_customers_of_leaver

        reassign_customers_of_leaver(actor, employee, now=now)
    else:
        employee.is_active = True
        employee.left_at = None
        employee.save(update_fields=["status", "is_active", "left_at", "updated_at"])
    return employee


@service
def move_employee(actor, employee: Employee, new_org: Org, now=None) -> Employee:
    """Transfer to another org. Roles were granted for the old post, so they end; sessions too."""
    require_visible(actor, "org.employee:change", employee)
    if not Org.objects.visible_to(actor, "org.employee:change").filter(pk=new_org.pk).exists():
        raise DomainError(_("The new org is outside your data scope."), field="org")
    if not new_org.is_active:
        raise DomainError(_("The org %(org)s is inactive.") % {"org": new_org}, field="org")
    if new_org.pk == employee.org_id:
        raise DomainError(_("The employee already belongs to %(org)s.") % {"org": new_org}, field="org")
    employee.org = new_org
    employee.save(update_fields=["org", "updated_at"])
    end_all_assignments(employee, actor=actor, reason=_("Employee moved to %(org)s") % {"org": new_org}, now=now)
    end_sessions(employee)
    return employee


def online_users(actor, now=None, window_minutes: int | None = None):
    """Employees with a session seen in the last few minutes, within the actor's scope."""
    from django.conf import settings

    now = now or timezone.now()
    window = dt.timedelta(minutes=window_minutes or settings.ONLINE_WINDOW_MINUTES)
    return (
        UserSession.objects.filter(
            last_seen__gte=now - window,
            user__in=Employee.objects.visible_to(actor, "org.employee:online").values("pk"),
        )
        .select_related("user", "user__org")
        .order_by("-last_seen")
    )
