"""Business rules of customer tags and customer groups (CUS-04, CUS-05)."""

from __future__ import annotations

import logging
import re

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import DateTimeField, IntegerField, Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from steward.access.services import has_permission, require_permission
from steward.audit.context import acting_as
from steward.audit.services import log_bulk, log_event
from steward.core.errors import DomainError
from steward.core.services import service
from steward.customers.models import Customer
from steward.segments.definition import compile_definition
from steward.tags.models import CustomerGroup, CustomerTag, GroupMember, Tag, TagCategory
from steward.tags.permissions import GROUP_ADD, GROUP_MANAGE, GROUP_VIEW, TAG_APPLY, TAG_MANAGE

logger = logging.getLogger(__name__)

CUSTOMER_VIEW = "customers.customer:view"
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
# One bulk action touches at most this many customers (a whole branch's list, not the bank).
MAX_BULK = 20000


def visible_customers(user):
    return Customer.objects.visible_to(user, CUSTOMER_VIEW)


def _code(code, field="code") -> str:
    code = (code or "").strip().lower()
    if not CODE_RE.match(code) or len(code) > 40:
        raise DomainError(
            _("A code uses lower-case letters, digits, '-' and '_' (at most 40), starting with a letter or digit."),
            field=field,
        )
    return code


def _name(name, field="name", limit=60) -> str:
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give it a name."), field=field)
    if len(name) > limit:
        raise DomainError(_("The name is too long (at most %(n)d characters).") % {"n": limit}, field=field)
    return name


# --- categories and tags -------------------------------------------------------------------------


@service
def create_category(actor, *, code, name, description="", sort_order=100):
    require_permission(actor, TAG_MANAGE)
    code = _code(code)
    if TagCategory.objects.filter(code=code).exists():
        raise DomainError(_("A tag category with code %(code)s already exists.") % {"code": code}, field="code")
    return TagCategory.objects.create(
        code=code, name=_name(name), description=description or "", sort_order=sort_order or 0
    )


@service
def update_category(actor, category, *, name, description="", sort_order=100, is_active=True):
    require_permission(actor, TAG_MANAGE)
    category.name = _name(name)
    category.description = description or ""
    category.sort_order = sort_order or 0
    category.is_active = is_active
    category.save()
    return category


def validate_rule(definition, today, code="") -> None:
    """A rule tag's definition must compile; the error names the tag and the rule at fault."""
    if not isinstance(definition, dict) or not definition.get("rules"):
        raise DomainError(_("A rule tag needs a filter definition with at least one rule."), field="definition")
    try:
        compile_definition(definition, today)
    except DomainError as error:
        message = _("Tag %(code)s: %(error)s") % {"code": code, "error": error.message} if code else error.message
        raise DomainError(message, field="definition") from error


def _clean_tag(kind, definition, today, code):
    if kind not in Tag.Kind.values:
        raise DomainError(_("Unknown tag kind."), field="kind")
    if kind == Tag.Kind.RULE:
        validate_rule(definition, today, code)
        return definition
    return None


@service
def create_tag(actor, *, category, code, name, kind=Tag.Kind.MANUAL, definition=None, description="", color="", now):
    require_permission(actor, TAG_MANAGE)
    code = _code(code)
    if Tag.objects.filter(code=code).exists():
        raise DomainError(_("A tag with code %(code)s already exists.") % {"code": code}, field="code")
    definition = _clean_tag(kind, definition, timezone.localdate(now), code)
    tag = Tag.objects.create(
        category=category,
        code=code,
        name=_name(name),
        kind=kind,
        definition=definition,
        description=description or "",
        color=color or "blue",
    )
    return tag


@service
def update_tag(actor, tag, *, category, name, definition=None, description="", color="", now):
    """The kind and the code stay as created: saved filters and rules refer to the code."""
    require_permission(actor, TAG_MANAGE)
    tag.category = category
    tag.name = _name(name)
    tag.definition = _clean_tag(tag.kind, definition, timezone.localdate(now), tag.code)
    tag.description = description or ""
    tag.color = color or tag.color
    tag.save()
    return tag


@service
def set_tag_active(actor, tag, active: bool, *, now):
    """A deactivated tag is hidden everywhere and its rule stops; its rule-made links go."""
    require_permission(actor, TAG_MANAGE)
    tag.is_active = active
    tag.save(update_fields=["is_active", "updated_at"])
    if not active and tag.kind == Tag.Kind.RULE:
        removed = _raw_delete(CustomerTag.objects.filter(tag=tag, source=CustomerTag.Source.RULE))
        log_event("tags.rule_cleared", tag, message=f"{tag.code}: {removed} removed")
    return tag


# --- tagging customers ---------------------------------------------------------------------------


def _raw_delete(queryset) -> int:
    """One DELETE statement for the rows of `queryset`, whatever their number. The rows are
    CustomerTag / GroupMember links (audit_ignore): the caller writes the audit summary."""
    return queryset._raw_delete(queryset.db)


def _customer_ids(actor, customers, permission=CUSTOMER_VIEW) -> list[int]:
    """The ids of `customers` (a queryset or ids) that `actor` may see; an id outside the
    actor's visibility is an error naming it, never silently skipped."""
    visible = Customer.objects.visible_to(actor, permission)
    if isinstance(customers, QuerySet):
        ids = list(visible.filter(pk__in=customers.values("pk")).values_list("pk", flat=True)[: MAX_BULK + 1])
    else:
        wanted = {int(pk) for pk in customers}
        ids = list(visible.filter(pk__in=wanted).values_list("pk", flat=True))
        missing = sorted(wanted - set(ids))
        if missing:
            raise DomainError(
                _("Unknown customers or outside your data scope: %(list)s")
                % {"list": ", ".join(map(str, missing[:10]))},
                field="customers",
            )
    if not ids:
        raise DomainError(_("Select at least one customer."), field="customers")
    if len(ids) > MAX_BULK:
        raise DomainError(_("At most %(n)d customers at a time.") % {"n": MAX_BULK}, field="customers")
    return ids


def _manual_tag(tag) -> Tag:
    if not tag.is_active:
        raise DomainError(_("The tag %(tag)s is not active.") % {"tag": tag.name}, field="tag")
    if tag.kind != Tag.Kind.MANUAL:
        raise DomainError(
            _("The tag %(tag)s is computed by its rule; it cannot be put on or taken off by hand.") % {"tag": tag.name},
            field="tag",
        )
    return tag


@service
def tag_customers(actor, tag, customers, *, now) -> int:
    """Put the manual `tag` on the customers (queryset or ids) the actor may see; returns how many
    were newly tagged (already tagged ones are left as they were)."""
    require_permission(actor, TAG_APPLY)
    _manual_tag(tag)
    ids = _customer_ids(actor, customers)
    already = set(CustomerTag.objects.filter(tag=tag, customer_id__in=ids).values_list("customer_id", flat=True))
    new = [pk for pk in ids if pk not in already]
    CustomerTag.objects.bulk_create(
        [
            CustomerTag(customer_id=pk, tag=tag, source=CustomerTag.Source.MANUAL, tagged_by=actor, tagged_at=now)
            for pk in new
        ],
        batch_size=1000,
    )
    if new:
        log_bulk("tags.tagged", Customer, new, actor=actor, message=f"tag {tag.code}")
    return len(new)


@service
def untag_customers(actor, tag, customers, *, now) -> int:
    """Take the manual `tag` off the customers the actor may see; returns how many lost it."""
    require_permission(actor, TAG_APPLY)
    _manual_tag(tag)
    ids = _customer_ids(actor, customers)
    links = CustomerTag.objects.filter(tag=tag, customer_id__in=ids, source=CustomerTag.Source.MANUAL)
    removed = list(links.values_list("customer_id", flat=True))
    if removed:
        _raw_delete(CustomerTag.objects.filter(tag=tag, customer_id__in=removed, source=CustomerTag.Source.MANUAL))
        log_bulk("tags.untagged", Customer, removed, actor=actor, message=f"tag {tag.code}")
    return len(removed)


def tags_of(user, customer):
    """The active tags on `customer` as `user` may see them (nothing if the customer is out of scope)."""
    from steward.tags.permissions import TAG_VIEW

    return (
        CustomerTag.objects.visible_to(user, TAG_VIEW)
        .filter(customer=customer, tag__is_active=True)
        .select_related("tag", "tag__category", "tagged_by")
    )


# --- rule tags -----------------------------------------------------------------------------------


def rule_candidates():
    """Rule tags are evaluated bank-wide, over every customer that was not merged away."""
    return Customer.objects.exclude(status=Customer.Status.MERGED)


def recompute_tag(tag, *, now) -> tuple[int, int]:
    """Bring one rule tag's links up to date with its rule, set-based: one DELETE of the rule-made
    links that no longer match, one INSERT … SELECT of the matching customers not yet tagged. Manual
    links are never touched (a customer tagged by hand keeps that link). Returns (added, removed)."""
    matching = rule_candidates().filter(compile_definition(tag.definition, timezone.localdate(now)))
    with transaction.atomic():
        stale = CustomerTag.objects.filter(tag=tag, source=CustomerTag.Source.RULE).exclude(
            customer_id__in=matching.values("pk")
        )
        removed = _raw_delete(stale)
        missing = (
            matching.exclude(pk__in=CustomerTag.objects.filter(tag=tag).values("customer_id"))
            .order_by()
            .annotate(
                _tag=Value(tag.pk, output_field=IntegerField()),
                _source=Value(CustomerTag.Source.RULE),
                _at=Value(now, output_field=DateTimeField()),
            )
            .values_list("pk", "_tag", "_source", "_at")
        )
        sql, params = missing.query.sql_with_params()
        table = connection.ops.quote_name(CustomerTag._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(c) for c in ("customer_id", "tag_id", "source", "tagged_at"))
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)
            added = max(cursor.rowcount, 0)
        Tag.objects.filter(pk=tag.pk).update(computed_at=now)
        log_event("tags.recomputed", tag, message=f"{tag.code}: +{added} -{removed}")
    return added, removed


def recompute_rule_tags(actor=None, *, now, tags=None) -> dict[str, tuple[int, int]]:
    """Recompute every active rule tag (or `tags`), one tag and one transaction at a time. A tag
    whose rule no longer compiles (e.g. a product code was withdrawn) is skipped and logged; the
    others still run."""
    results = {}
    queryset = Tag.objects.filter(kind=Tag.Kind.RULE, is_active=True).order_by("pk")
    if tags is not None:
        queryset = queryset.filter(pk__in=[t.pk for t in tags])
    with acting_as(actor, source="tags"):
        for tag in queryset:
            try:
                results[tag.code] = recompute_tag(tag, now=now)
            except DomainError as error:
                logger.warning("Rule tag %s was not recomputed: %s", tag.code, error.message)
                log_event("tags.recompute_failed", tag, message=str(error.message)[:500])
    return results


def recompute_now(actor, tag, *, now) -> tuple[int, int]:
    """The "recompute now" button of a rule tag."""
    require_permission(actor, TAG_MANAGE)
    if tag.kind != Tag.Kind.RULE or not tag.is_active:
        raise DomainError(_("Only an active rule tag can be recomputed."))
    with acting_as(actor):
        return recompute_tag(tag, now=now)


# --- customer groups -----------------------------------------------------------------------------


def manageable_system_groups(user):
    """System groups `user` may rename or delete: those whose org lies in the user's data scope
    for the manage permission (the plain org scope, not the audience rule of visible_to)."""
    from steward.access.scope import SCOPE_ALL, SCOPE_OWN, path_range_q
    from steward.access.services import grants_for
    from steward.org.models import Org

    system = CustomerGroup.objects.filter(kind=CustomerGroup.Kind.SYSTEM)
    if user.is_superuser:
        return system
    grants = grants_for(user, GROUP_MANAGE)
    if any(g.scope == SCOPE_ALL for g in grants):
        return system
    condition = Q(pk__in=[])
    for grant in grants:
        if grant.scope == SCOPE_OWN or not grant.org_path:
            continue
        condition |= Q(org__in=Org.objects.filter(path_range_q("path", grant.org_path)).values("pk"))
    return system.filter(condition)


def _require_group_admin(actor, group):
    """Rename / delete: a personal group by its owner only; a system group by a manager in scope."""
    if group.kind == CustomerGroup.Kind.PERSONAL:
        require_permission(actor, GROUP_ADD)
        if group.owner_id != actor.pk:
            raise PermissionDenied(_("A personal group belongs to its owner alone."))
        return
    require_permission(actor, GROUP_MANAGE)
    if not manageable_system_groups(actor).filter(pk=group.pk).exists():
        raise PermissionDenied(_("This record is outside your data scope."))


def _require_membership_change(actor, group):
    """Add / remove members: the owner of a personal group; for a system group, anyone who sees it
    and may keep groups (RMs add their own customers to the groups marketing set up)."""
    if group.kind == CustomerGroup.Kind.PERSONAL:
        _require_group_admin(actor, group)
        return
    if not (has_permission(actor, GROUP_ADD) or has_permission(actor, GROUP_MANAGE)):
        raise PermissionDenied(_("You do not have the permission “%(name)s”.") % {"name": GROUP_ADD})
    if not CustomerGroup.objects.visible_to(actor, GROUP_VIEW).filter(pk=group.pk).exists():
        raise PermissionDenied(_("This record is outside your data scope."))


def groups_for_membership(user):
    """The groups `user` may add customers to or remove them from (the list actions' targets)."""
    groups = CustomerGroup.objects.none()
    if has_permission(user, GROUP_ADD):
        groups = CustomerGroup.objects.visible_to(user, GROUP_VIEW)
    elif has_permission(user, GROUP_MANAGE):
        groups = CustomerGroup.objects.visible_to(user, GROUP_VIEW).filter(kind=CustomerGroup.Kind.SYSTEM)
    return groups.order_by("kind", "name", "pk")


def _group_fields(actor, kind, name, org):
    name = _name(name, limit=100)
    if kind not in CustomerGroup.Kind.values:
        raise DomainError(_("Unknown group kind."), field="kind")
    if kind == CustomerGroup.Kind.SYSTEM:
        if org is None:
            raise DomainError(_("A system group belongs to an org: choose one."), field="org")
        from steward.access.scope import SCOPE_ALL, SCOPE_OWN
        from steward.access.services import grants_for

        grants = grants_for(actor, GROUP_MANAGE)
        in_scope = actor.is_superuser or any(
            g.scope == SCOPE_ALL
            or (g.scope != SCOPE_OWN and g.org_path and org.path >= g.org_path and org.path < g.org_path + "~")
            for g in grants
        )
        if not in_scope:
            raise DomainError(_("The org %(org)s is outside your data scope.") % {"org": org}, field="org")
    return name


@service
def create_group(actor, *, name, kind=CustomerGroup.Kind.PERSONAL, description="", org=None):
    require_permission(actor, GROUP_MANAGE if kind == CustomerGroup.Kind.SYSTEM else GROUP_ADD)
    name = _group_fields(actor, kind, name, org)
    personal = kind == CustomerGroup.Kind.PERSONAL
    return CustomerGroup.objects.create(
        name=name,
        kind=kind,
        description=description or "",
        owner=actor if personal else None,
        org=None if personal else org,
        created_by=actor,
    )


@service
def update_group(actor, group, *, name, description="", org=None):
    _require_group_admin(actor, group)
    group.name = _group_fields(actor, group.kind, name, org if group.kind == CustomerGroup.Kind.SYSTEM else None)
    group.description = description or ""
    if group.kind == CustomerGroup.Kind.SYSTEM:
        group.org = org
    group.save()
    return group


@service
def delete_group(actor, group):
    _require_group_admin(actor, group)
    ids = list(GroupMember.objects.filter(group=group).values_list("customer_id", flat=True))
    if ids:
        log_bulk("tags.group_removed", Customer, ids, actor=actor, message=f"group {group.pk} deleted")
    _raw_delete(GroupMember.objects.filter(group=group))
    group.delete()


@service
def add_members(actor, group, customers, *, now) -> int:
    """Add the customers (queryset or ids) the actor may see; returns how many joined."""
    _require_membership_change(actor, group)
    ids = _customer_ids(actor, customers)
    already = set(GroupMember.objects.filter(group=group, customer_id__in=ids).values_list("customer_id", flat=True))
    new = [pk for pk in ids if pk not in already]
    GroupMember.objects.bulk_create(
        [GroupMember(group=group, customer_id=pk, added_by=actor, added_at=now) for pk in new], batch_size=1000
    )
    if new:
        log_bulk("tags.group_added", Customer, new, actor=actor, message=f"group {group.pk} {group.name}")
    return len(new)


@service
def remove_members(actor, group, customers, *, now) -> int:
    """Remove the customers the actor may see (others' customers in a system group stay)."""
    _require_membership_change(actor, group)
    ids = _customer_ids(actor, customers)
    removed = list(GroupMember.objects.filter(group=group, customer_id__in=ids).values_list("customer_id", flat=True))
    if removed:
        _raw_delete(GroupMember.objects.filter(group=group, customer_id__in=removed))
        log_bulk("tags.group_removed", Customer, removed, actor=actor, message=f"group {group.pk} {group.name}")
    return len(removed)


def members(user, group):
    """The group's members as `user` may see them now (the group itself must be visible)."""
    if not CustomerGroup.objects.visible_to(user, GROUP_VIEW).filter(pk=group.pk).exists():
        raise PermissionDenied(_("This record is outside your data scope."))
    return visible_customers(user).filter(pk__in=GroupMember.objects.filter(group=group).values("customer_id"))


def groups_of(user, customer):
    """The groups `user` sees that contain `customer`."""
    return CustomerGroup.objects.visible_to(user, GROUP_VIEW).filter(
        pk__in=GroupMember.objects.filter(customer=customer).values("group_id")
    )
