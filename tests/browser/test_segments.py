"""The filter builder in a real browser: rows added and changed by htmx, a nested OR group, the
live count (equal to the service's count for the same definition), a clear error for a bad
rule, a saved dynamic segment and its results — and an RM outside the scope counting fewer."""

import json
import re
from urllib.parse import urlencode

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from steward.customers.demo import seed_demo_customers
from steward.org.demo import DEMO_PASSWORD, BankSize, build_bank
from steward.org.models import Employee
from steward.segments import services
from steward.segments.models import Segment
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

AGE = {"field": "age", "operator": "between", "value": ["30", "55"]}
RISK = {"field": "risk_level", "operator": "gte", "value": "R3"}
GENDER = {"field": "gender", "operator": "eq", "value": "F"}
SPRING = {"field": "birthday_month", "operator": "in", "value": ["1", "2", "3", "4"]}
DEFINITION = {"op": "and", "rules": [AGE, RISK, {"op": "or", "rules": [GENDER, SPRING]}]}


@pytest.fixture
def demo(transactional_db):
    build_bank(BankSize(branches=1, sub_branches_per_branch=1, teams_per_sub_branch=1, rms_per_team=2))
    seed_demo_customers(count=70)


def expected(employee_no, definition):
    user = Employee.objects.get(employee_no=employee_no)
    return services.count(user, definition, timezone.localdate())


def matches(n):
    return "1 customer matches" if n == 1 else f"{n} customers match"


def records(n):
    """The list footer: "12 records" on one page, "Showing 1 to 20 of 27" on several."""
    return re.compile(rf"(^|\D){n} records?\b|of {n}\b")


def swapped(page, action):
    """Do `action` and wait until htmx has swapped the builder's new rows in."""
    page.evaluate(
        "window.__swapped = false;"
        "document.body.addEventListener('htmx:afterSettle', () => { window.__swapped = true; }, {once: true});"
    )
    action()
    page.wait_for_function("window.__swapped === true")


def set_value(page, path, text):
    swapped(page, lambda: (page.fill(f'[name="value:{path}"]', text), page.press(f'[name="value:{path}"]', "Tab")))


def test_marketing_builds_a_nested_filter_counts_it_live_and_saves_it_as_a_segment(page, demo):
    log_in(page, "marketing", DEMO_PASSWORD)
    page.goto(f"{page.base_url}/segments/filter/")
    count = page.get_by_test_id("live-count")
    everyone = expected("marketing", {"op": "and", "rules": []})
    expect(count).to_have_text(matches(everyone))  # the empty first row does not narrow anything

    # Rule 1: age between 30 and 55.
    set_value(page, "0", "30, 55")
    by_age = expected("marketing", {"op": "and", "rules": [AGE]})
    expect(count).to_have_text(matches(by_age))
    assert by_age < everyone

    # Rule 2: risk rating R3 or above (a new row; choosing the field resets its operator).
    swapped(page, lambda: page.get_by_test_id("add-rule").first.click())
    expect(page.get_by_test_id("rule-row")).to_have_count(2)
    swapped(page, lambda: page.select_option('[name="field:1"]', "risk_level"))
    expect(page.locator('[name="operator:1"]')).to_have_value("gte")
    set_value(page, "1", "R3")
    expect(count).to_have_text(matches(expected("marketing", {"op": "and", "rules": [AGE, RISK]})))

    # A nested group: women OR born in January to April.
    swapped(page, lambda: page.get_by_test_id("add-group").first.click())
    swapped(page, lambda: page.select_option('[name="op:2"]', "or"))
    swapped(page, lambda: page.select_option('[name="field:2.0"]', "gender"))
    set_value(page, "2.0", "F")
    swapped(page, lambda: page.get_by_test_id("add-rule").nth(1).click())  # the nested group's button
    swapped(page, lambda: page.select_option('[name="field:2.1"]', "birthday_month"))
    swapped(page, lambda: page.select_option('[name="operator:2.1"]', "in"))
    set_value(page, "2.1", "1, 2, 3, 4")
    expect(page.get_by_test_id("rule-row")).to_have_count(4)
    final = expected("marketing", DEFINITION)
    expect(count).to_have_text(matches(final))
    assert 0 < final < by_age

    # A bad value: the rule is named, there is no count and nothing can be saved (the save form stays,
    # with what the user typed in it, its button disabled).
    set_value(page, "0", "55, 30")
    expect(page.get_by_test_id("builder-error")).to_contain_text("Rule 1 (age)")
    expect(page.get_by_test_id("builder-error")).to_contain_text("lower bound is above the upper bound")
    expect(count).to_have_count(0)
    expect(page.get_by_role("button", name="Save as segment")).to_be_disabled()
    set_value(page, "0", "30, 55")
    expect(count).to_have_text(matches(final))

    # Saved as a dynamic segment; its page lists the members the viewer can see.
    page.fill('[data-testid=save-segment] [name="name"]', "春季女性稳健客户")
    page.select_option('[data-testid=save-segment] [name="kind"]', "dynamic")
    page.get_by_role("button", name="Save as segment").click()
    page.wait_for_url(re.compile(r"/segments/\d+/$"))
    segment = Segment.objects.get(name="春季女性稳健客户")
    assert segment.kind == Segment.Kind.DYNAMIC
    assert segment.definition == DEFINITION
    expect(page.get_by_text(f"members you can see now: {final}")).to_be_visible()
    expect(page.locator("#list-table")).to_contain_text(records(final))

    # Back in the builder from the segment, the results list holds the same customers.
    page.get_by_role("link", name="Open in filter").click()
    expect(page.get_by_test_id("rule-row")).to_have_count(4)
    expect(count).to_have_text(matches(final))
    page.get_by_test_id("show-results").click()
    page.wait_for_url(re.compile(r"/segments/filter/results/"))
    expect(page.locator("#list-table")).to_contain_text(records(final))


def test_an_rm_counts_only_their_own_customers_for_the_same_definition(page, demo):
    bank_wide = expected("marketing", DEFINITION)
    own = expected("rm", DEFINITION)
    assert own < bank_wide
    log_in(page, "rm", DEMO_PASSWORD)
    page.goto(f"{page.base_url}/segments/filter/?" + urlencode({"definition": json.dumps(DEFINITION)}))
    expect(page.get_by_test_id("rule-row")).to_have_count(4)
    expect(page.get_by_test_id("live-count")).to_have_text(matches(own))
