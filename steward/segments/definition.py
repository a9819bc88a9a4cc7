"""The filter-definition language of customer segments and its compiler (CUS-03, CUS-07).

A definition is JSON: a group ``{"op": "and" | "or", "rules": [...]}`` whose rules are either
conditions ``{"field": ..., "operator": ..., "value": ...}`` or nested groups. ``compile_definition``
turns it into a ``Q`` on Customer; the caller always applies it on top of
``Customer.objects.visible_to(user, ...)`` (see ``segment_queryset``), so data scope and
confidentiality hold whatever the definition says.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db.models import Exists, OuterRef, Q
from django.db.models.lookups import Exact, In
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from steward.core.db_functions import MonthOf
from steward.core.errors import DomainError

MAX_DEPTH = 5
MAX_RULES = 100
MAX_AGE = 150
RISK_LEVELS = ("R1", "R2", "R3", "R4", "R5")


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: object
    kind: str  # int_range | money | choice | text | fk | org | date | month | holds
    operators: tuple[str, ...]
    choices: tuple = field(default=())


OPERATOR_LABELS = {
    "between": gettext_lazy("between"),
    "gte": gettext_lazy("at least"),
    "lte": gettext_lazy("at most"),
    "eq": gettext_lazy("is"),
    "in": gettext_lazy("is one of"),
    "before": pgettext_lazy("date condition", "before"),
    "after": pgettext_lazy("date condition", "after"),
    "never": gettext_lazy("never"),
    "holds": gettext_lazy("holds"),
    "not_holds": gettext_lazy("does not hold"),
    "within": gettext_lazy("in subtree of"),
    "has": gettext_lazy("has tag"),
    "not_has": gettext_lazy("does not have tag"),
}

MONEY_OPS = ("between", "gte", "lte")

FIELDS: dict[str, FieldSpec] = {
    spec.key: spec
    for spec in (
        FieldSpec("age", gettext_lazy("Age"), "int_range", ("between", "gte", "lte")),
        FieldSpec("gender", gettext_lazy("Gender"), "choice", ("eq", "in"), ("M", "F", "U")),
        FieldSpec("province", gettext_lazy("Mobile province"), "text", ("eq", "in")),
        FieldSpec("city", gettext_lazy("Mobile city"), "text", ("eq", "in")),
        FieldSpec("risk_level", gettext_lazy("Risk rating"), "choice", ("gte", "lte", "eq", "in"), RISK_LEVELS),
        FieldSpec("tier", pgettext_lazy("customer", "tier"), "text", ("eq", "in")),
        FieldSpec("aum", gettext_lazy("AUM"), "money", MONEY_OPS),
        FieldSpec("avg_daily_assets_month", gettext_lazy("Average daily assets (month)"), "money", MONEY_OPS),
        FieldSpec("avg_daily_assets_quarter", gettext_lazy("Average daily assets (quarter)"), "money", MONEY_OPS),
        FieldSpec("avg_daily_assets_year", gettext_lazy("Average daily assets (year)"), "money", MONEY_OPS),
        FieldSpec("product", gettext_lazy("Product (code)"), "holds", ("holds", "not_holds")),
        FieldSpec("category", gettext_lazy("Product category (code)"), "holds", ("holds", "not_holds")),
        FieldSpec("owner", gettext_lazy("Relationship manager (employee no.)"), "fk", ("eq", "in")),
        FieldSpec("org", gettext_lazy("Managing org (code, with its subtree)"), "org", ("within",)),
        FieldSpec("last_contact", gettext_lazy("Last contact"), "date", ("before", "after", "never")),
        FieldSpec("birthday_month", gettext_lazy("Birthday month"), "month", ("eq", "in")),
        FieldSpec("tag", gettext_lazy("Tag (code)"), "tag", ("has", "not_has")),
    )
}


def _fail(index: str, spec_key: str | None, message: str):
    where = _("Rule %(index)s") % {"index": index}
    if spec_key:
        where = _("Rule %(index)s (%(field)s)") % {"index": index, "field": spec_key}
    raise DomainError(f"{where}: {message}", field="definition")


def check_shape(definition) -> None:
    """The structure alone, without recursion (PLT-11): a group object whose ``rules`` is a list of
    objects, nested at most MAX_DEPTH groups deep and holding at most MAX_RULES rules. Raises a
    DomainError naming the rule at fault, whatever the input (a definition nested 900 deep, a rule
    that is a number). The builder and the compiler both start here."""
    if not isinstance(definition, dict):
        raise DomainError(_("A filter definition must be a group object with 'op' and 'rules'."), field="definition")
    count = 0
    pending = [(definition, "", 0)]
    while pending:
        group, prefix, depth = pending.pop()
        label = prefix or "0"
        if depth >= MAX_DEPTH:
            _fail(label, None, _("groups are nested too deeply (at most %(n)d levels).") % {"n": MAX_DEPTH})
        rules = group.get("rules")
        if not isinstance(rules, list):
            _fail(label, None, _("a group needs a list of rules."))
        children = []
        for position, rule in enumerate(rules, start=1):
            index = f"{prefix}.{position}" if prefix else str(position)
            count += 1
            if count > MAX_RULES:
                _fail(index, None, _("a definition may hold at most %(n)d rules.") % {"n": MAX_RULES})
            if not isinstance(rule, dict):
                _fail(index, None, _("a rule must be an object."))
            if "rules" in rule:
                children.append((rule, index, depth + 1))
        pending.extend(reversed(children))


def compile_definition(definition, today: dt.date) -> Q:
    """The Q selecting the customers that `definition` describes, with ages relative to `today`."""
    check_shape(definition)
    counter = [0]
    return _group(definition, today, "", 0, counter)


def _group(group, today, prefix, depth, counter) -> Q:
    label = prefix or "0"
    if depth >= MAX_DEPTH:
        _fail(label, None, _("groups are nested too deeply (at most %(n)d levels).") % {"n": MAX_DEPTH})
    op = group.get("op", "and")
    if op not in ("and", "or"):
        _fail(label, None, _("a group's operator must be 'and' or 'or', not %(op)r.") % {"op": op})
    rules = group.get("rules")
    if not isinstance(rules, list):
        _fail(label, None, _("a group needs a list of rules."))
    result = Q()
    for position, rule in enumerate(rules, start=1):
        index = f"{prefix}.{position}" if prefix else str(position)
        counter[0] += 1
        if counter[0] > MAX_RULES:
            _fail(index, None, _("a definition may hold at most %(n)d rules.") % {"n": MAX_RULES})
        if not isinstance(rule, dict):
            _fail(index, None, _("a rule must be an object."))
        if "rules" in rule:
            condition = _group(rule, today, index, depth + 1, counter)
        else:
            condition = _rule(rule, today, index)
        result = (result & condition) if op == "and" else (result | condition)
    if op == "or" and not rules:
        return Q(pk__in=[])
    return result


def _rule(rule, today, index) -> Q:
    key = rule.get("field")
    spec = FIELDS.get(key) if isinstance(key, str) else None
    if spec is None:
        _fail(index, None, _("unknown field %(field)r.") % {"field": key})
    operator = rule.get("operator")
    if not isinstance(operator, str) or operator not in spec.operators:
        _fail(
            index,
            key,
            _("operator %(op)r is not allowed; use one of %(ops)s.")
            % {"op": operator, "ops": ", ".join(spec.operators)},
        )
    value = rule.get("value")
    builder = _BUILDERS[spec.kind]
    return builder(spec, operator, value, today, index)


# --- value parsing -----------------------------------------------------------------------------


def _list(spec, value, index) -> list:
    values = value if isinstance(value, list) else [value]
    values = [v for v in values if v not in (None, "")]
    if not values:
        _fail(index, spec.key, _("give at least one value."))
    return values


def _pair(spec, value, index):
    if not isinstance(value, list | tuple) or len(value) != 2:
        _fail(index, spec.key, _("'between' needs two values [from, to]."))
    return value


def _int(spec, value, index) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        _fail(index, spec.key, _("%(value)r is not a whole number.") % {"value": value})


def _money(spec, value, index) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        amount = None
    if amount is None or not amount.is_finite():
        _fail(index, spec.key, _("%(value)r is not an amount.") % {"value": value})
    return amount


def _date(spec, value, index) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        _fail(index, spec.key, _("%(value)r is not a date (YYYY-MM-DD).") % {"value": value})


# --- builders per kind --------------------------------------------------------------------------


def _shift_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _age(spec, operator, value, today, index) -> Q:
    def at_least(age):  # born on or before today - age years
        return Q(birth_date__lte=_shift_years(today, age))

    def at_most(age):  # born after today - (age + 1) years
        return Q(birth_date__gt=_shift_years(today, age + 1))

    if operator == "between":
        low, high = (_int(spec, v, index) for v in _pair(spec, value, index))
        if low > high:
            _fail(index, spec.key, _("the lower bound is above the upper bound."))
        if low < 0:
            _fail(index, spec.key, _("an age cannot be negative."))
        if high > MAX_AGE:
            _fail(index, spec.key, _("an age is at most %(n)d.") % {"n": MAX_AGE})
        return at_least(low) & at_most(high)
    age = _int(spec, value, index)
    if age < 0:
        _fail(index, spec.key, _("an age cannot be negative."))
    if age > MAX_AGE:
        _fail(index, spec.key, _("an age is at most %(n)d.") % {"n": MAX_AGE})
    return at_least(age) if operator == "gte" else at_most(age)


def _money_range(spec, operator, value, today, index) -> Q:
    if operator == "between":
        low, high = (_money(spec, v, index) for v in _pair(spec, value, index))
        if low > high:
            _fail(index, spec.key, _("the lower bound is above the upper bound."))
        return Q(**{f"figures__{spec.key}__gte": low, f"figures__{spec.key}__lte": high})
    amount = _money(spec, value, index)
    return Q(**{f"figures__{spec.key}__{operator}": amount})


def _choice(spec, operator, value, today, index) -> Q:
    column = {"gender": "gender", "risk_level": "risk_level"}[spec.key]
    if operator in ("gte", "lte"):
        if value not in spec.choices:
            _fail(
                index,
                spec.key,
                _("%(value)r is not one of %(choices)s.") % {"value": value, "choices": ", ".join(spec.choices)},
            )
        position = spec.choices.index(value)
        allowed = spec.choices[position:] if operator == "gte" else spec.choices[: position + 1]
        return Q(**{f"{column}__in": allowed})
    values = _list(spec, value, index)
    wrong = [v for v in values if v not in spec.choices]
    if wrong:
        _fail(
            index,
            spec.key,
            _("%(value)r is not one of %(choices)s.") % {"value": wrong[0], "choices": ", ".join(spec.choices)},
        )
    return Q(**{f"{column}__in": values})


def _text(spec, operator, value, today, index) -> Q:
    column = {"province": "mobile_province", "city": "mobile_city", "tier": "figures__tier"}[spec.key]
    values = [str(v) for v in _list(spec, value, index)]
    return Q(**{f"{column}__in": values})


def _owner(spec, operator, value, today, index) -> Q:
    from steward.org.models import Employee

    numbers = [str(v) for v in _list(spec, value, index)]
    found = set(Employee.objects.filter(employee_no__in=numbers).values_list("employee_no", flat=True))
    missing = [n for n in numbers if n not in found]
    if missing:
        _fail(index, spec.key, _("no employee with number %(value)r.") % {"value": missing[0]})
    return Q(owner__employee_no__in=numbers)


def _org(spec, operator, value, today, index) -> Q:
    from steward.access.scope import path_range_q
    from steward.org.models import Org

    org = Org.objects.filter(code=str(value)).first()
    if org is None:
        _fail(index, spec.key, _("no org with code %(value)r.") % {"value": value})
    return path_range_q("org__path", org.path)


def _last_contact(spec, operator, value, today, index) -> Q:
    if operator == "never":
        return Q(last_contact__isnull=True)
    day = _date(spec, value, index)
    # Compared with the start of a local day, not through ``__date``: that casts every row's time to
    # a date, by a Python function per row on SQLite, and keeps an index from being used.
    if operator == "before":
        return Q(last_contact__at__lt=_start_of_local_day(day))
    return Q(last_contact__at__gte=_start_of_local_day(day + dt.timedelta(days=1)))


def _start_of_local_day(day: dt.date) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _birthday_month(spec, operator, value, today, index) -> Q:
    months = [_int(spec, v, index) for v in _list(spec, value, index)]
    if any(m < 1 or m > 12 for m in months):
        _fail(index, spec.key, _("a month is a number from 1 to 12."))
    # Plain SQL on every database (steward.core.db_functions.MonthOf), never a Python call per row.
    return Q(Exact(MonthOf("birth_date"), months[0])) if len(months) == 1 else Q(In(MonthOf("birth_date"), months))


def _holds(spec, operator, value, today, index) -> Q:
    from steward.access.scope import path_range_q
    from steward.holdings.models import DailyBalance, Product, ProductCategory

    codes = [str(v) for v in _list(spec, value, index)]
    # Accounts with a positive balance on the customer's latest data date (figures.as_of).
    balances = DailyBalance.objects.filter(
        customer_id=OuterRef("pk"), data_date=OuterRef("figures__as_of"), balance__gt=0
    )
    if spec.key == "product":
        found = set(Product.objects.filter(code__in=codes).values_list("code", flat=True))
        missing = [c for c in codes if c not in found]
        if missing:
            _fail(index, spec.key, _("no product with code %(value)r.") % {"value": missing[0]})
        balances = balances.filter(account__product__code__in=codes)
    else:
        categories = list(ProductCategory.objects.filter(code__in=codes))
        found = {c.code for c in categories}
        missing = [c for c in codes if c not in found]
        if missing:
            _fail(index, spec.key, _("no product category with code %(value)r.") % {"value": missing[0]})
        within = Q(pk__in=[])
        for category in categories:
            within |= path_range_q("account__product__category__path", category.path)
        balances = balances.filter(within)
    # A correlated EXISTS: the database probes each candidate's few balances instead of
    # materialising every holder of the category.
    holders = Exists(balances)
    return Q(holders) if operator == "holds" else Q(~holders)


def _tag(spec, operator, value, today, index) -> Q:
    from steward.tags.models import CustomerTag, Tag

    codes = [str(v) for v in _list(spec, value, index)]
    found = dict(Tag.objects.filter(code__in=codes, is_active=True).values_list("code", "pk"))
    missing = [c for c in codes if c not in found]
    if missing:
        _fail(index, spec.key, _("no active tag with code %(value)r.") % {"value": missing[0]})
    # A correlated EXISTS probing the (customer, tag) unique index, as for holdings; "has" means
    # any of the codes. Resolved to ids here so the probe needs no join to the tag table.
    tagged = Exists(CustomerTag.objects.filter(customer_id=OuterRef("pk"), tag_id__in=list(found.values())))
    return Q(tagged) if operator == "has" else Q(~tagged)


_BUILDERS = {
    "int_range": _age,
    "money": _money_range,
    "choice": _choice,
    "text": _text,
    "fk": _owner,
    "org": _org,
    "date": _last_contact,
    "month": _birthday_month,
    "holds": _holds,
    "tag": _tag,
}


def segment_queryset(user, definition, today: dt.date, permission: str = "customers.customer:view"):
    """The customers `user` may see now that match `definition` — scope and confidentiality first."""
    from steward.customers.models import Customer

    return Customer.objects.visible_to(user, permission).filter(compile_definition(definition, today))
