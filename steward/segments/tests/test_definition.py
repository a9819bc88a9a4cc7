import datetime as dt

import pytest

from steward.core.errors import DomainError
from steward.segments.definition import compile_definition
from steward.segments.services import matching
from steward.segments.tests.conftest import TODAY


def cifs(user, definition):
    return sorted(matching(user, definition, TODAY).values_list("cif", flat=True))


def rule(field, operator, value=None):
    return {"field": field, "operator": operator, "value": value}


def AND(*rules):
    return {"op": "and", "rules": list(rules)}


def OR(*rules):
    return {"op": "or", "rules": list(rules)}


def test_age_range_counts_whole_years_relative_to_today(book):
    rm = book.bank.north_rm
    assert cifs(rm, AND(rule("age", "between", [30, 50]))) == ["C101", "C102"]
    assert cifs(rm, AND(rule("age", "lte", 29))) == ["C103"]
    assert cifs(rm, AND(rule("age", "gte", 30))) == ["C101", "C102"]


def test_risk_rating_at_least_and_money_ranges(book):
    rm = book.bank.north_rm
    assert cifs(rm, AND(rule("risk_level", "gte", "R4"))) == ["C101", "C103"]
    assert cifs(rm, AND(rule("aum", "between", ["500000", "5000000"]))) == ["C101", "C102"]
    assert cifs(rm, AND(rule("gender", "in", ["F"]), rule("aum", "lte", "1000000"))) == ["C102"]


def test_holds_and_does_not_hold_use_positive_balances_of_the_latest_day(book):
    rm = book.bank.north_rm
    # Holding a product of a sub-category counts as holding the parent category.
    assert cifs(rm, AND(rule("category", "holds", "wealth_x"))) == ["C101"]
    assert cifs(rm, AND(rule("category", "not_holds", "wealth_x"))) == ["C102", "C103"]
    assert cifs(rm, AND(rule("product", "holds", ["CD1"]))) == ["C102"]


def test_an_old_balance_is_not_a_current_holding(book):
    from steward.segments.tests.conftest import hold

    hold(book.b, book.fund, "99", day=TODAY - dt.timedelta(days=1))
    assert cifs(book.bank.north_rm, AND(rule("product", "holds", "WM1"))) == ["C101"]


def test_nested_groups_combine_and_or(book):
    rm = book.bank.north_rm
    definition = OR(rule("risk_level", "eq", "R5"), AND(rule("age", "gte", 40), rule("gender", "eq", "M")))
    assert cifs(rm, definition) == ["C101", "C103"]


def test_the_viewers_scope_always_applies(book):
    everything = AND(rule("risk_level", "gte", "R1"))
    assert cifs(book.bank.south_rm, everything) == ["C104"]
    assert cifs(book.bank.north_manager, everything) == ["C101", "C102", "C103"]


def test_org_subtree_owner_contact_and_birthday_month(book):
    manager = book.bank.north_manager
    assert cifs(manager, AND(rule("org", "within", "N1"))) == ["C101", "C102", "C103"]
    assert cifs(manager, AND(rule("owner", "in", ["NRM"]))) == ["C101", "C102", "C103"]
    assert cifs(manager, AND(rule("last_contact", "never"))) == ["C101", "C102", "C103"]
    assert cifs(manager, AND(rule("birthday_month", "in", [6]))) == ["C102", "C103"]


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        (AND(rule("shoe_size", "eq", 42)), "Rule 1: unknown field 'shoe_size'"),
        (AND(rule("age", "gte", 1), rule("age", "eq", 3)), "Rule 2 (age): operator 'eq' is not allowed"),
        (AND(rule("age", "gte", 1), AND(rule("aum", "gte", "lots"))), "Rule 2.1 (aum): 'lots' is not an amount"),
        (AND(rule("age", "between", [50, 30])), "Rule 1 (age): the lower bound is above the upper bound"),
        (AND(rule("risk_level", "gte", "R9")), "Rule 1 (risk_level): 'R9' is not one of"),
        (AND(rule("product", "holds", "NOPE")), "Rule 1 (product): no product with code 'NOPE'"),
        ({"op": "xor", "rules": []}, "Rule 0: a group's operator must be 'and' or 'or'"),
        ([], "must be a group object"),
    ],
)
def test_bad_definitions_name_the_rule_and_field(book, definition, message):
    with pytest.raises(DomainError) as error:
        compile_definition(definition, TODAY)
    assert message in str(error.value)
