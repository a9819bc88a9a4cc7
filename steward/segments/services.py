"""Business rules of customer segments (CUS-03)."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from django.db.models import BooleanField, DecimalField, Exists, ExpressionWrapper, F, OuterRef, Q, Subquery
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
    ids = base.order_by("-figures__aum", "pk").values("pk")[:top]
    return base.filter(pk__in=list(ids.values_list("pk", flat=True)))


# The customer's derived figures (the 1:1 `figures` row) the at-risk rules read.
LATEST_DATA_DATE = "figures__as_of"  # the day the customer's balances and figures are as of
AUM = "figures__aum"
AUM_30_DAYS_AGO = "figures__aum_30_days_ago"


AT_RISK_RULES = ("aum_drop", "maturity")
AT_RISK_AUM_DROP = Decimal("0.30")  # "AUM down 30% or more in 30 days"


def _aum_drop_q() -> Q:
    before = F(AUM_30_DAYS_AGO)
    threshold = ExpressionWrapper(before * (1 - AT_RISK_AUM_DROP), output_field=DecimalField())
    return Q(**{f"{AUM_30_DAYS_AGO}__gt": 0, f"{AUM}__lt": threshold})


def _unreinvested_maturities(today):
    """The customer's accounts in a (non-loan) product that matured in the last N days, on or
    before the customer's latest data date, with nothing reinvested since: no account opened on
    or after that maturity date in a non-liability product with a positive balance on the
    latest data date. Correlated to the outer Customer row (OuterRef)."""
    from steward.basedata.services import parameter
    from steward.holdings.models import Account
    from steward.segments.defaults import AT_RISK_MATURITY_DAYS_KEY

    days = int(parameter(AT_RISK_MATURITY_DAYS_KEY))
    latest = LATEST_DATA_DATE
    reinvested = Account.objects.filter(
        customer_id=OuterRef("customer_id"),
        opened_on__gte=OuterRef("product__maturity_date"),
        product__is_liability=False,
        daily_balances__data_date=OuterRef(OuterRef(latest)),
        daily_balances__balance__gt=0,
    ).exclude(pk=OuterRef("pk"))
    return (
        Account.objects.filter(
            customer_id=OuterRef("pk"),
            product__is_liability=False,
            product__maturity_date__gte=today - dt.timedelta(days=days),
            product__maturity_date__lte=today,
        )
        .filter(product__maturity_date__lte=OuterRef(latest))
        .filter(~Exists(reinvested))
        .order_by("-product__maturity_date", "product__code")
    )


def at_risk_condition(rule, today) -> Q:
    """The Q for one at-risk rule ("aum_drop" or "maturity"), or for either when `rule` is empty."""
    if rule == "aum_drop":
        return _aum_drop_q()
    if rule == "maturity":
        return Q(Exists(_unreinvested_maturities(today)))
    if rule:
        raise DomainError(_("Unknown at-risk rule: %(rule)s.") % {"rule": rule}, field="rule")
    return _aum_drop_q() | Q(Exists(_unreinvested_maturities(today)))


def at_risk(user, today, rule=None):
    """Customers at risk of leaving (CUS-17): AUM down by 30% or more against 30 days ago, or a
    product matured in the last `segments.at_risk_maturity_days` days and not reinvested.

    Each row carries what the page shows as its reason: `at_risk_aum_drop` (bool),
    `at_risk_aum_now` / `at_risk_aum_before`, `at_risk_product` and `at_risk_matured_on`
    (the latest unreinvested maturity, or None).
    """
    matured = _unreinvested_maturities(today)
    return (
        visible_customers(user)
        .filter(at_risk_condition(rule, today))
        .annotate(
            at_risk_aum_drop=ExpressionWrapper(_aum_drop_q(), output_field=BooleanField()),
            at_risk_aum_now=F(AUM),
            at_risk_aum_before=F(AUM_30_DAYS_AGO),
            at_risk_product=Subquery(matured.values("product__name")[:1]),
            at_risk_matured_on=Subquery(matured.values("product__maturity_date")[:1]),
        )
    )


def at_risk_reasons(customer) -> list[str]:
    """Why a row of `at_risk()` is on the screen, in the reader's language."""
    reasons = []
    if customer.at_risk_aum_drop:
        before, now = customer.at_risk_aum_before, customer.at_risk_aum_now
        drop = ((before - now) / before * 100).quantize(Decimal("1"))
        # The percentage is a placeholder: "30% in" would read as a format code to gettext tools.
        reasons.append(_("AUM down %(percent)s in 30 days") % {"percent": f"{drop}%"})
    if customer.at_risk_matured_on:
        reasons.append(
            _("%(product)s matured on %(date)s, not reinvested")
            % {"product": customer.at_risk_product, "date": customer.at_risk_matured_on.isoformat()}
        )
    return reasons


def high_potential(user, today):
    from steward.basedata.services import parameter
    from steward.segments.defaults import HIGH_POTENTIAL_KEY

    return matching(user, parameter(HIGH_POTENTIAL_KEY), today)


def screen(user, key, today, org=None):
    require_permission(user, VIEW)
    if key == "high_value":
        return high_value(user, org)
    if key == "at_risk":
        return at_risk(user, today)
    if key == "high_potential":
        return high_potential(user, today)
    raise DomainError(_("Unknown screen."))
