"""The workbench's product assistant, the customer assistant's at-risk signs and the customer
reminders (SVC-09 "three assistants and two reminders", SVC-07, DAT-05): an RM sees the maturities
coming on their own customers, IPO subscriptions and the products on sale, the customers whose
assets are leaving, and the reminders to act on with a one-click contact plan — never another
RM's customers, and with the same number of queries whatever the size of the book."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from steward.customers.models import LastContact
from steward.customers.tests.factories import CustomerFactory
from steward.holdings.models import MarketEvent, Product, ProductCategory, Reminder
from steward.testing import grant

RM_PERMISSIONS = ("holdings.reminder:view", "holdings.product:view", "contactplans.plan:add")


@pytest.fixture
def desk(bank):
    grant(bank.north_rm, *RM_PERMISSIONS, scope="own")
    grant(bank.south_rm, *RM_PERMISSIONS, scope="own")
    today = timezone.localdate()
    funds = ProductCategory.objects.get(code="funds")
    bank.fund = Product.objects.create(code="WM2026", name="稳盈理财2026期", category=funds, risk_level="R2")
    Product.objects.create(code="OLD", name="已到期产品", category=funds, maturity_date=today - dt.timedelta(days=1))
    Product.objects.create(code="LOAN", name="消费贷", category=funds, is_liability=True)
    bank.mine = CustomerFactory(org=bank.north_team, owner=bank.north_rm, name="到期客户")
    bank.theirs = CustomerFactory(org=bank.south_team, owner=bank.south_rm, name="南方客户")
    for customer, amount in ((bank.mine, "1234567.80"), (bank.theirs, "999.00")):
        Reminder.objects.create(
            kind=Reminder.Kind.MATURITY,
            customer=customer,
            owner=customer.owner,
            subject=f"A{customer.pk}",
            due_on=today + dt.timedelta(days=10),
            data_date=today,
            amount=Decimal(amount),
            text="稳盈理财2025期",
        )
    Reminder.objects.create(
        kind=Reminder.Kind.BIRTHDAY, customer=bank.mine, owner=bank.north_rm, due_on=today, data_date=today
    )
    MarketEvent.objects.create(
        data_date=today, product=bank.fund, kind=MarketEvent.Kind.IPO, event_date=today + dt.timedelta(days=3)
    )
    return bank


def widget_html(page: str, key: str) -> str:
    start = page.index(f'data-widget="{key}"')
    return page[start : page.index('data-widget="', start + 10) if 'data-widget="' in page[start + 10 :] else None]


def test_the_product_assistant_shows_my_maturities_ipos_and_products_on_sale(desk, client):
    """SVC-09: maturities in the next 30 days on my customers only, with their total; an IPO
    opening; active products on sale (not a matured one, not a loan)."""
    client.force_login(desk.north_rm)
    page = client.get("/").content.decode()
    product = widget_html(page, "product_assistant")
    assert "1 maturity in the next 30 days" in product
    assert "1,234,567.80" in product and "到期客户" in product
    assert "南方客户" not in product and "999.00" not in product
    assert "稳盈理财2026期" in product  # the IPO and the product on sale
    assert 'data-testid="ipo"' in product
    assert "1 product on sale" in product and "已到期产品" not in product and "消费贷" not in product


def test_customer_reminders_offer_a_contact_plan_and_stay_in_my_book(desk, client):
    """SVC-09 customer reminders, DAT-05: the week's reminders by kind, each with "Plan a
    contact"; the south RM sees only their own customer's reminder."""
    client.force_login(desk.north_rm)
    reminders = widget_html(client.get("/").content.decode(), "customer_reminders")
    # Today's birthday; the maturity in ten days is the product assistant's, not yet this week's.
    assert "1 reminder to act on, up to a week ahead" in reminders
    assert "Birthday 1" in reminders and "Product maturity" not in reminders
    assert f"customer={desk.mine.pk}&amp;reminder=" in reminders
    Reminder.objects.create(
        kind=Reminder.Kind.BIRTHDAY,
        customer=desk.theirs,
        owner=desk.south_rm,
        due_on=timezone.localdate(),
        data_date=timezone.localdate(),
    )
    client.force_login(desk.south_rm)
    reminders = widget_html(client.get("/").content.decode(), "customer_reminders")
    assert "南方客户" in reminders and "到期客户" not in reminders


def test_a_handled_reminder_leaves_the_workbench(desk, client):
    """DAT-05: what the RM has done is not asked again."""
    Reminder.objects.filter(customer=desk.mine).update(state=Reminder.State.DONE, is_done=True)
    client.force_login(desk.north_rm)
    page = client.get("/").content.decode()
    assert "0 reminders to act on, up to a week ahead" in widget_html(page, "customer_reminders")
    assert "0 maturities in the next 30 days" in widget_html(page, "product_assistant")


def test_the_customer_assistant_flags_customers_whose_assets_leave(bank, client):
    """SVC-09 at-risk signs: AUM down by the configured share (30 %) against 30 days ago."""
    grant(bank.north_rm, "contactplans.plan:add", scope="own")
    CustomerFactory(
        org=bank.north_team,
        owner=bank.north_rm,
        name="流失客户",
        aum=Decimal("100000"),
        aum_30_days_ago=Decimal("900000"),
    )
    CustomerFactory(
        org=bank.north_team,
        owner=bank.north_rm,
        name="平稳客户",
        aum=Decimal("800000"),
        aum_30_days_ago=Decimal("900000"),
    )
    CustomerFactory(
        org=bank.south_team, owner=bank.south_rm, name="别人的客户", aum=Decimal("1"), aum_30_days_ago=Decimal("900000")
    )
    client.force_login(bank.north_rm)
    assistant = widget_html(client.get("/").content.decode(), "customer_assistant")
    assert "1 customer at risk" in assistant
    assert "流失客户" in assistant and "900,000.00 → 100,000.00" in assistant
    assert "平稳客户" not in assistant and "别人的客户" not in assistant


def test_an_employee_without_the_reminder_permission_sees_neither_widget(bank, client):
    client.force_login(bank.admin)
    page = client.get("/").content.decode()
    assert 'data-widget="product_assistant"' not in page and 'data-widget="customer_reminders"' not in page


def test_the_assistants_cost_the_same_queries_for_a_big_book(desk, client):
    """Issue 14's workbench target: the query count does not grow with the book."""
    client.force_login(desk.north_rm)
    client.get("/")
    with CaptureQueriesContext(connection) as small:
        client.get("/")
    today = timezone.localdate()
    for n in range(30):
        customer = CustomerFactory(
            org=desk.north_team, owner=desk.north_rm, aum=Decimal("1"), aum_30_days_ago=Decimal("900000")
        )
        Reminder.objects.create(
            kind=Reminder.Kind.MATURITY,
            customer=customer,
            owner=desk.north_rm,
            subject=f"B{n}",
            due_on=today + dt.timedelta(days=n % 20),
            data_date=today,
            amount=Decimal("10"),
        )
    with CaptureQueriesContext(connection) as big:
        client.get("/")
    assert len(big) <= len(small), [q["sql"][:120] for q in big.captured_queries]


def test_work_reminders_count_the_work_warnings_and_link_to_them(desk, client):
    """SVC-09 work reminders, SVC-06: the workbench counts my work warnings by kind (an overdue
    contact plan here) and links to the work-warnings page."""
    from steward.contactplans.services import plan_contacts

    grant(desk.north_rm, "worklog.entry:view", "contactplans.plan:view", scope="own")
    plan_contacts(
        desk.north_rm,
        [desk.mine.pk],
        planned_at=timezone.now() - dt.timedelta(days=2),
        channel="call",
        purpose="到期续作",
    )
    client.force_login(desk.north_rm)
    work = widget_html(client.get("/").content.decode(), "work_reminders")
    assert reverse("worklog:warnings") in work
    assert 'data-testid="work-warning-contact_plans"' in work and "Overdue contact plans" in work
    assert "1 work warning" in work


def test_a_supervisor_sees_the_teams_work_warnings_total(desk, client):
    """SVC-09 work reminders for a supervisor (SVC-02, SVC-06): the team's total, linking to the
    warnings by RM."""
    from steward.contactplans.services import plan_contacts
    from steward.org.hierarchy import SUPERVISE

    grant(desk.north_rm, "contactplans.plan:view", scope="own")
    plan_contacts(
        desk.north_rm, [desk.mine.pk], planned_at=timezone.now() - dt.timedelta(days=2), channel="call", purpose="回访"
    )
    lead = desk.north_manager
    grant(lead, SUPERVISE, "worklog.entry:view", "contactplans.plan:view", scope="subtree")
    client.force_login(lead)
    work = widget_html(client.get("/").content.decode(), "work_reminders")
    assert "My team: 1 work warning" in work


def test_the_service_assistant_lists_key_customers_due_for_a_contact(bank, client):
    """SVC-09 service assistant, CUS-14: the key customers (top fifth of the book by AUM) not
    contacted within their tier's frequency — never contacted first — each with Plan a contact;
    one contacted yesterday is not due, another RM's key customer is not shown."""
    grant(bank.north_rm, "contactplans.key:view", "contactplans.plan:add", scope="own")
    grant(bank.south_rm, "contactplans.key:view", scope="own")
    never = CustomerFactory(org=bank.north_team, owner=bank.north_rm, name="从未联系", aum=Decimal("9000000"))
    recent = CustomerFactory(org=bank.north_team, owner=bank.north_rm, name="昨天联系", aum=Decimal("8000000"))
    LastContact.objects.create(customer=recent, at=timezone.now() - dt.timedelta(days=1))
    for _ in range(8):
        CustomerFactory(org=bank.north_team, owner=bank.north_rm, aum=Decimal("1000"))
    CustomerFactory(org=bank.south_team, owner=bank.south_rm, name="南方重点", aum=Decimal("9900000"))

    client.force_login(bank.north_rm)
    assistant = widget_html(client.get("/").content.decode(), "service_assistant")
    assert "1 key customer due for a contact" in assistant
    assert "从未联系" in assistant and "never contacted" in assistant
    assert "昨天联系" not in assistant and "南方重点" not in assistant
    assert f"/contact-plans/add/?customer={never.pk}" in assistant


def test_the_widgets_sharing_one_read_of_the_book_count_as_the_work_warnings_do(desk, client):
    """SVC-09, SVC-06, DAT-05: the workbench reads the book's reminders once for its widgets; what it
    counts from that read is what the work warnings' own queries count — a reminder left open past its
    date counts, a snoozed one does not, a handled one neither — and a large transaction of the last
    week shows in the customer assistant even when handled, an older one does not."""
    from steward.worklog.warnings import KEY_CUSTOMERS, REMINDERS, work_warning_counts

    grant(desk.north_rm, "worklog.entry:view", "contactplans.key:view", scope="own")
    today = timezone.localdate()

    def reminder(kind, subject, days, **values):
        return Reminder.objects.create(
            kind=kind,
            customer=desk.mine,
            owner=desk.north_rm,
            subject=subject,
            due_on=today + dt.timedelta(days=days),
            data_date=today,
            amount=Decimal("600000"),
            text="C",
            **values,
        )

    reminder(Reminder.Kind.BIRTHDAY, "left-open", -10)
    reminder(
        Reminder.Kind.BIRTHDAY, "snoozed", -10, state=Reminder.State.SNOOZED, snoozed_until=today + dt.timedelta(days=2)
    )
    reminder(Reminder.Kind.BIRTHDAY, "handled", -10, state=Reminder.State.DONE, is_done=True)
    reminder(Reminder.Kind.LARGE_TRANSACTION, "TXN-RECENT", -5, state=Reminder.State.DONE, is_done=True)
    reminder(Reminder.Kind.LARGE_TRANSACTION, "TXN-OLD", -9)
    queried = work_warning_counts(desk.north_rm)
    assert queried[REMINDERS] == 2  # the birthday left open and the old large transaction

    client.force_login(desk.north_rm)
    page = client.get("/").content.decode()
    work = widget_html(page, "work_reminders")
    for kind in (REMINDERS, KEY_CUSTOMERS):
        row = work[work.index(f'data-testid="work-warning-{kind}"') :]
        assert f"<span>{queried[kind]}</span>" in row[: row.index("</div>")], kind
    changes = widget_html(page, "customer_assistant")
    assert changes.count("600,000.00") == 1  # the recent large transaction, handled; not the old one
