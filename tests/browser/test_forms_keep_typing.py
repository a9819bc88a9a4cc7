"""Issue 13, point 1 (forms never lose what the user types): a person typing at human speed —
Latin letters and Chinese through an input method (IME composition events) — into one field after
another while the previous field is validated, and into the filter builder's values and the
segment's name while the live count refreshes, finds every character where they typed it."""

import pytest
from playwright.sync_api import expect

from steward.customers.demo import seed_demo_customers
from steward.org.demo import DEMO_PASSWORD, BankSize, build_bank
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

HUMAN_DELAY_MS = 90  # a typist's pace: the server answers the previous field while they type


@pytest.fixture
def demo(transactional_db):
    build_bank(BankSize(branches=1, sub_branches_per_branch=1, teams_per_sub_branch=1, rms_per_team=2))
    seed_demo_customers(count=30)


def type_with_ime(page, selector, latin, chinese):
    """Type `latin` key by key, then compose `chinese` as an input method does (compositionstart,
    compositionupdate with the pinyin, the committed text), as a Chinese user types a name."""
    page.click(selector)
    page.keyboard.press("End")
    page.keyboard.type(latin, delay=HUMAN_DELAY_MS)
    session = page.context.new_cdp_session(page)
    for char in chinese:
        session.send("Input.imeSetComposition", {"text": "ke", "selectionStart": 2, "selectionEnd": 2})
        page.wait_for_timeout(HUMAN_DELAY_MS)
        session.send("Input.insertText", {"text": char})
        page.wait_for_timeout(HUMAN_DELAY_MS)
    session.detach()


def test_a_form_keeps_every_character_typed_while_the_previous_field_is_validated(demo, page):
    """PLT-12 / issue 13 point 1: the customer form validates a field when the user leaves it; the
    answer (here while the next field is being typed) replaces only that field's messages, so the
    next field keeps what is being typed, and the cursor stays in it."""
    log_in(page, "admin", DEMO_PASSWORD)
    page.goto(page.base_url + "/customers/add/")
    page.click("#id_cif")
    page.keyboard.type("C-KEEP-01", delay=HUMAN_DELAY_MS)
    with page.expect_response(lambda r: r.request.method == "POST" and "/customers/add/" in r.url):
        page.keyboard.press("Tab")  # leaves the number: validated while the name is typed
        type_with_ime(page, "#id_name", "Wang ", "客户甲")
    page.click("#id_mobile")
    page.keyboard.type("13812345678", delay=HUMAN_DELAY_MS)
    with page.expect_response(lambda r: r.request.method == "POST" and "/customers/add/" in r.url):
        page.keyboard.press("Tab")  # leaves the mobile, straight into the e-mail
        page.keyboard.type("wang.kehu@example.cn", delay=HUMAN_DELAY_MS)
    page.wait_for_timeout(300)
    assert page.input_value("#id_cif") == "C-KEEP-01"
    assert page.input_value("#id_name") == "Wang 客户甲"
    assert page.input_value("#id_mobile") == "13812345678"
    assert page.evaluate("document.activeElement.id") == "id_email"
    assert page.input_value("#id_email") == "wang.kehu@example.cn"


def test_the_filter_builder_keeps_values_and_the_segment_name_typed_while_it_counts(demo, page):
    """CUS-05 / issue 13 point 1: a value left refreshes the live count without re-drawing the rows
    or the save form; the segment's name typed meanwhile (with an IME) arrives whole."""
    log_in(page, "marketing", DEMO_PASSWORD)
    page.goto(page.base_url + "/segments/filter/")
    count = page.get_by_test_id("live-count")
    page.select_option('[name="field:0"]', "age")
    expect(page.locator('[name="operator:0"]')).to_be_visible()
    page.select_option('[name="operator:0"]', "between")
    before = count.inner_text()
    page.click('[name="value:0"]')
    page.keyboard.press("Control+A")  # (a range is offered as ", ": typed over)
    # No demo customer is a baby: the count surely changes whatever ages the seed drew (20–70 once matched all).
    page.keyboard.type("0, 1", delay=HUMAN_DELAY_MS)
    # Straight on to the name: leaving the value refreshes the count while the name is typed.
    type_with_ime(page, '[data-testid=save-segment] [name="name"]', "Spring ", "稳健客户")
    # The count is a round trip to the server: on a loaded CI machine it once took over the 5 s default.
    expect(count).to_have_text("0 customers match", timeout=20_000)
    assert before != "0 customers match"
    assert page.input_value('[name="value:0"]') == "0, 1"
    assert page.input_value('[data-testid=save-segment] [name="name"]') == "Spring 稳健客户"
