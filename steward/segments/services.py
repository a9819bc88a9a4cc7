"""Business rules of customer segments (CUS-03)."""

from __future__ import annotations

import math

from django.utils.translation import gettext as _

from steward.access.services import require_permission, require_visible
from steward.audit.services import log_event
from steward.core.errors import DomainError
from steward.core.services import service
from steward.customers.models import Customer
from steward.segments.definition import compile_definition
from steward.segments.models import Segment, SegmentMember
from steward.segments.permissions import ADD, CHANGE, VIEW

CUSTOMER_VIEW = "customers.customer:view"


def visible_customers(user):
    return Customer.objects.visible_to(user, CUSTOMER_VIEW)


def matching(user, definition, today):
    """The customers `user` may see now that match `definition`."""
    return visible_customers(user).filter(compile_definition(definition, today))


def count(user, definition, today) -> int:
    require_permission(user, VIEW)
    return matching(user, definition, today).count()


def members(user, segment: Segment, today):
    """The segment's members as `user` may see them now — a snapshot never widens visibility."""
    require_visible(user, VIEW, segment)
    if segment.kind == Segment.Kind.SNAPSHOT:
        frozen = SegmentMember.objects.filter(segment=segment).values("customer_id")
        return visible_customers(user).filter(pk__in=frozen)
    return matching(user, segment.definition, today)


def _clean(name, kind, definition, today):
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the segment a name."), field="name")
    if kind not in Segment.Kind.values:
        raise DomainError(_("Unknown segment kind."), field="kind")
    compile_definition(definition, today)  # raises DomainError naming the rule at fault
    return name


def _snapshot(actor, segment, today, now):
    SegmentMember.objects.filter(segment=segment).delete()
    ids = matching(actor, segment.definition, today).values_list("pk", flat=True)
    SegmentMember.objects.bulk_create(
        [SegmentMember(segment=segment, customer_id=pk, taken_at=now) for pk in ids], batch_size=1000
    )
    segment.taken_at = now
    segment.save(update_fields=["taken_at", "updated_at"])


@service
def create_segment(actor, *, name, definition, kind=Segment.Kind.DYNAMIC, description="", now):
    require_permission(actor, ADD)
    today = now.date()
    name = _clean(name, kind, definition, today)
    segment = Segment.objects.create(
        name=name, description=description, kind=kind, definition=definition, owner=actor, org=actor.org
    )
    if kind == Segment.Kind.SNAPSHOT:
        _snapshot(actor, segment, today, now)
    log_event("segments.created", segment, message=f"{segment.kind}")
    return segment


def _require_change(actor, segment):
    require_visible(actor, CHANGE, segment)


@service
def update_segment(actor, segment, *, name, definition, description="", now):
    _require_change(actor, segment)
    today = now.date()
    segment.name = _clean(name, segment.kind, definition, today)
    segment.definition = definition
    segment.description = description
    segment.save()
    if segment.kind == Segment.Kind.SNAPSHOT:
        _snapshot(actor, segment, today, now)
    return segment


@service
def refresh_snapshot(actor, segment, *, now):
    _require_change(actor, segment)
    if segment.kind != Segment.Kind.SNAPSHOT:
        raise DomainError(_("Only a snapshot segment can be refreshed."))
    _snapshot(actor, segment, now.date(), now)
    log_event("segments.refreshed", segment, message=str(segment.members.count()))
    return segment


@service
def delete_segment(actor, segment, *, now):
    _require_change(actor, segment)
    log_event("segments.deleted", segment, message=segment.name)
    segment.delete()


# --- built-in screens (CUS-14, CUS-17) -----------------------------------------------------------

SCREENS = ("high_value", "at_risk", "high_potential")


def high_value(user, org=None):
    """The top 20% of the visible customers by AUM (within `org`'s subtree, if given)."""
    from steward.access.scope import path_range_q

    base = visible_customers(user)
    if org is not None:
        base = base.filter(path_range_q("org__path", org.path))
    total = base.count()
    if not total:
        return base.none()
    top = math.ceil(total * 0.2)
    ids = base.order_by("-aum", "pk").values("pk")[:top]
    return base.filter(pk__in=list(ids.values_list("pk", flat=True)))


def at_risk(user):
    """AUM down by 30% or more against 30 days ago."""
    from decimal import Decimal

    from django.db.models import DecimalField, ExpressionWrapper, F

    threshold = ExpressionWrapper(F("aum_30_days_ago") * Decimal("0.7"), output_field=DecimalField())
    return visible_customers(user).filter(aum_30_days_ago__gt=0, aum__lt=threshold)


def high_potential(user, today):
    from steward.basedata.services import parameter
    from steward.segments.defaults import HIGH_POTENTIAL_KEY

    return matching(user, parameter(HIGH_POTENTIAL_KEY), today)


def screen(user, key, today, org=None):
    require_permission(user, VIEW)
    if key == "high_value":
        return high_value(user, org)
    if key == "at_risk":
        return at_risk(user)
    if key == "high_potential":
        return high_potential(user, today)
    raise DomainError(_("Unknown screen."))
