"""The RM's workbench (SVC-07, SVC-09, SVC-10): the home page answers "what do I do today" —
today's contact plans and overdue ones, workflow steps and work items due, guidance received, my
book's KPIs (customers, AUM and its change since the month began, contacts against plan), the
customer and service assistants, the bulletin board; a supervisor's home shows the team by RM.
The number of queries does not grow with the book."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from steward.contactplans.permissions import ADD, KEY_FLAG, KEY_VIEW, VIEW
from steward.contactplans.services import plan_contacts
from steward.customers.tests.factories import CustomerFactory
from steward.holdings.models import DailyFigures, TierChange
from steward.org.hierarchy import SUPERVISE
from steward.testing import EmployeeFactory, grant
from steward.worklog.permissions import ASSIGN, GUIDE, ITEM_VIEW
from steward.worklog.services import assign_work

RM_PERMISSIONS = (VIEW, ADD, KEY_VIEW, KEY_FLAG, ITEM_VIEW, "interactions.interaction:add")


@pytest.fixture
def desk(bank):
    grant(bank.north_rm, *RM_PERMISSIONS, scope="own")
    bank.lead = EmployeeFactory(employee_no="NTL", name="北方组长", org=bank.north_team)
    grant(bank.lead, SUPERVISE, ITEM_VIEW, ASSIGN, GUIDE, VIEW, KEY_VIEW, scope="team", org=bank.north_team)
    bank.book = [CustomerFactory(org=bank.north_team, owner=bank.north_rm, aum=Decimal("1234567.89")) for _ in range(5)]
    return bank


def test_the_rm_home_answers_what_to_do_today(desk, client):
    today = timezone.localdate()
    at = timezone.localtime().replace(hour=15, minute=30, second=0, microsecond=0)
    plan_contacts(desk.north_rm, [desk.book[0].pk], planned_at=at, channel="call", purpose="理财到期续作")
    plan_contacts(
        desk.north_rm, [desk.book[1].pk], planned_at=at - dt.timedelta(days=3), channel="visit", purpose="上门拜访"
    )
    assign_work(
        desk.lead, title="产品培训", details="", due_on=today + dt.timedelta(days=1), assignee_ids=[desk.north_rm.pk]
    )
    start = today.replace(day=1) - dt.timedelta(days=1)
    DailyFigures.objects.bulk_create(
        [
            DailyFigures(customer_id=c.pk, data_date=start, aum=Decimal("1000000.00"), liabilities=0, contribution=0)
            for c in desk.book
        ]
    )
    TierChange.objects.create(
        customer=desk.book[2], data_date=today, old_tier="金卡", new_tier="白金", aum=Decimal("600000")
    )

    client.force_login(desk.north_rm)
    page = client.get("/").content.decode()
    assert 'data-widget="today"' in page and "理财到期续作" in page
    assert "1 overdue from earlier days" in page
    assert "产品培训" in page
    assert 'data-testid="book-customers">5<' in page
    assert "6,172,839.45" in page  # AUM with separators
    assert "+1,172,839.45" in page  # against 5,000,000.00 at the month's start
    assert "金卡 → 白金" in page
    assert 'data-widget="team"' not in page
    assert 'data-widget="bulletin"' in page


def test_the_supervisor_sees_the_team_by_rm(desk, client):
    client.force_login(desk.lead)
    page = client.get("/").content.decode()
    assert 'data-widget="team"' in page
    assert "北方客户经理" in page and "6,172,839.45" in page
    assert f"?rm={desk.north_rm.pk}" in page  # drill-down to the RM's key customers


def test_the_workbench_costs_the_same_queries_for_a_big_book(desk, client):
    client.force_login(desk.north_rm)
    client.get("/")
    with CaptureQueriesContext(connection) as small:
        client.get("/")
    for _ in range(60):
        CustomerFactory(org=desk.north_team, owner=desk.north_rm, aum=Decimal("10.00"))
    at = timezone.localtime().replace(hour=16, minute=0, second=0, microsecond=0)
    plan_contacts(desk.north_rm, [c.pk for c in desk.book], planned_at=at, channel="call", purpose="回访")
    with CaptureQueriesContext(connection) as big:
        client.get("/")
    assert len(big) <= len(small), [q["sql"][:120] for q in big.captured_queries]


def test_an_employee_without_customers_gets_the_bulletin_only(bank, client):
    client.force_login(bank.admin)
    page = client.get("/").content.decode()
    assert 'data-widget="bulletin"' in page and 'data-widget="today"' not in page
