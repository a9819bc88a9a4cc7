"""The at-risk screen (CUS-17): AUM down 30% in 30 days, or a product matured and not reinvested."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from steward.core.errors import DomainError
from steward.customers.models import CustomerFigures
from steward.holdings.models import Account, DailyBalance, Product
from steward.segments import services
from steward.segments.tests.conftest import TODAY


def cifs(queryset):
    return sorted(queryset.values_list("cif", flat=True))


def set_figures(cust, **values):
    CustomerFigures.objects.filter(customer=cust).update(**values)


def product(book, code, matured_on=None, *, liability=False):
    return Product.objects.create(
        code=code, name=f"产品{code}", category=book.wealth_sub, maturity_date=matured_on, is_liability=liability
    )


def open_account(cust, prod, *, opened_on, balance="0", day=TODAY):
    account = Account.objects.create(number=f"A{cust.cif}{prod.code}", customer=cust, product=prod, opened_on=opened_on)
    DailyBalance.objects.create(account=account, customer=cust, data_date=day, balance=Decimal(balance))
    return account


def test_a_customer_meets_each_rule_and_the_screen_says_which(book):
    manager = book.bank.north_manager
    set_figures(book.a, aum_30_days_ago=Decimal("1500000"))  # 1.0M against 1.5M: down 33%
    matured = product(book, "WM-M1", TODAY - dt.timedelta(days=10))
    open_account(book.b, matured, opened_on=TODAY - dt.timedelta(days=200))

    rows = {c.cif: c for c in services.screen(manager, "at_risk", TODAY)}
    assert sorted(rows) == ["C101", "C102"]
    assert services.at_risk_reasons(rows["C101"]) == ["AUM down 33% in 30 days"]
    assert services.at_risk_reasons(rows["C102"]) == ["产品WM-M1 matured on 2026-06-05, not reinvested"]
    assert cifs(services.at_risk(manager, TODAY, rule="aum_drop")) == ["C101"]
    assert cifs(services.at_risk(manager, TODAY, rule="maturity")) == ["C102"]


def test_a_customer_meeting_both_rules_is_listed_once_with_both_reasons(book):
    set_figures(book.a, aum_30_days_ago=Decimal("2000000"))
    open_account(book.a, product(book, "WM-M1", TODAY - dt.timedelta(days=1)), opened_on=None)
    rows = list(services.at_risk(book.bank.north_manager, TODAY))
    assert [c.cif for c in rows] == ["C101"]
    assert services.at_risk_reasons(rows[0]) == [
        "AUM down 50% in 30 days",
        "产品WM-M1 matured on 2026-06-14, not reinvested",
    ]


def test_a_customer_who_reinvested_is_not_at_risk(book):
    matured_on = TODAY - dt.timedelta(days=10)
    matured = product(book, "WM-M1", matured_on)
    new = product(book, "WM-NEW")
    for cust in (book.a, book.b, book.c):
        open_account(cust, matured, opened_on=TODAY - dt.timedelta(days=300))
    # a: reinvested on the maturity day, still holding on the latest data date
    open_account(book.a, new, opened_on=matured_on, balance="900000")
    # b: took a loan after the maturity: a liability is no reinvestment
    open_account(book.b, product(book, "LOAN1", liability=True), opened_on=matured_on, balance="50000")
    # c: opened a new product but holds nothing in it on the latest data date
    open_account(book.c, new, opened_on=TODAY - dt.timedelta(days=3), balance="0")
    assert cifs(services.at_risk(book.bank.north_manager, TODAY)) == ["C102", "C103"]


def test_money_put_in_before_the_maturity_is_no_reinvestment(book):
    matured_on = TODAY - dt.timedelta(days=10)
    open_account(book.a, product(book, "WM-M1", matured_on), opened_on=TODAY - dt.timedelta(days=300))
    open_account(book.a, product(book, "WM-OLD"), opened_on=matured_on - dt.timedelta(days=1), balance="5000")
    assert cifs(services.at_risk(book.bank.north_manager, TODAY)) == ["C101"]


def test_the_maturity_window_is_a_system_parameter(book, django_capture_on_commit_callbacks):
    from steward.basedata.services import set_parameter
    from steward.segments.defaults import AT_RISK_MATURITY_DAYS_KEY

    open_account(book.a, product(book, "WM-45", TODAY - dt.timedelta(days=45)), opened_on=None)
    open_account(book.b, product(book, "WM-30", TODAY - dt.timedelta(days=30)), opened_on=None)
    open_account(book.c, product(book, "WM-LATER", TODAY + dt.timedelta(days=1)), opened_on=None)  # not yet
    manager = book.bank.north_manager
    assert cifs(services.at_risk(manager, TODAY)) == ["C102"]  # default 30 days, both ends included

    admin = book.bank.admin
    admin.is_superuser = True
    admin.save()
    with django_capture_on_commit_callbacks(execute=True):  # the parameter cache clears on commit
        set_parameter(admin, AT_RISK_MATURITY_DAYS_KEY, "60")
    assert cifs(services.at_risk(manager, TODAY)) == ["C101", "C102"]


def test_a_maturity_after_the_customers_latest_data_date_is_not_judged_yet(book):
    # The data stops two days ago: whether the customer reinvested yesterday is not known.
    set_figures(book.a, as_of=TODAY - dt.timedelta(days=2))
    open_account(book.a, product(book, "WM-M1", TODAY - dt.timedelta(days=1)), opened_on=None)
    assert cifs(services.at_risk(book.bank.north_manager, TODAY)) == []


def test_a_user_outside_the_scope_sees_nothing(book, bank):
    matured = product(book, "WM-M1", TODAY - dt.timedelta(days=5))
    open_account(book.a, matured, opened_on=None)
    set_figures(book.b, aum_30_days_ago=Decimal("5000000"))
    open_account(book.s, matured, opened_on=None)  # the south customer
    assert cifs(services.at_risk(book.bank.north_manager, TODAY)) == ["C101", "C102"]
    assert cifs(services.screen(book.bank.south_rm, "at_risk", TODAY)) == ["C104"]
    assert cifs(services.at_risk(bank.admin, TODAY)) == []  # no grant on customers at all


def test_an_unknown_rule_is_refused(book):
    with pytest.raises(DomainError):
        services.at_risk(book.bank.north_manager, TODAY, rule="bored")


# --- the page -------------------------------------------------------------------------------


@pytest.fixture
def risky(book):
    """C101 lost AUM, C102 holds a product that matured five days ago (dates relative to today)."""
    today = timezone.localdate()
    for cust in (book.a, book.b, book.c, book.s):
        set_figures(cust, as_of=today)
    set_figures(book.a, aum_30_days_ago=Decimal("1500000"))
    matured = product(book, "WM-M1", today - dt.timedelta(days=5))
    open_account(book.b, matured, opened_on=None, day=today)
    open_account(book.s, matured, opened_on=None, day=today)
    return today


def test_the_page_shows_the_reason_and_filters_by_rule(book, risky, client):
    client.force_login(book.bank.north_manager)
    page = client.get("/segments/screens/at_risk/").content.decode()
    assert "AUM down 33% in 30 days" in page
    assert f"产品WM-M1 matured on {(risky - dt.timedelta(days=5)).isoformat()}, not reinvested" in page
    assert "C104" not in page  # the south customer is outside the manager's scope
    assert 'name="rule"' in page
    only_maturity = client.get("/segments/screens/at_risk/?rule=maturity").content.decode()
    assert "C102" in only_maturity and "C101" not in only_maturity
    only_drop = client.get("/segments/screens/at_risk/?rule=aum_drop").content.decode()
    assert "C101" in only_drop and "C102" not in only_drop


def test_the_export_carries_the_reason(book, risky, client):
    client.force_login(book.bank.north_manager)
    response = client.get("/segments/screens/at_risk/?rule=maturity&export=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = rows[1]
    assert "reason" in header
    body = [row for row in rows[2:] if row and row[0] and str(row[0]).startswith("C")]
    assert [row[0] for row in body] == ["C102"]
    assert "not reinvested" in body[0][header.index("reason")]


def test_the_south_rm_sees_only_their_own_customer_on_the_page(book, risky, client):
    client.force_login(book.bank.south_rm)
    page = client.get("/segments/screens/at_risk/").content.decode()
    assert "C104" in page and "C101" not in page and "C102" not in page
