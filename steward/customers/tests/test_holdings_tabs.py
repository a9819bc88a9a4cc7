"""CUS-02 / DAT-04: the assets, trend and transactions tabs of the 360° view show the holdings data."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from steward.holdings.figures import derive_day
from steward.holdings.models import Account, DailyBalance, Product, ProductCategory, Transaction
from steward.testing import EmployeeFactory, grant

DAY = dt.date(2026, 3, 31)
HOLDINGS = ("holdings.account:view", "holdings.transaction:view")


@pytest.fixture
def holdings(book):
    """张三 (book.mine) holds a deposit and two wealth products (one in a sub-category), 10 days of balances."""
    grant(book.bank.north_rm, *HOLDINGS, scope="own")
    deposits = ProductCategory.objects.create(code="T-DEP", name="存款", name_en="Deposits")
    wealth = ProductCategory.objects.create(code="T-WM", name="理财", name_en="Wealth")
    funds = ProductCategory.objects.create(code="T-WM-F", name="基金", name_en="Funds", parent=wealth)
    products = [
        Product.objects.create(code="T-P1", name="Demand deposit", category=deposits),
        Product.objects.create(code="T-P2", name="Wealth plan", category=wealth),
        Product.objects.create(code="T-P3", name="Growth fund", category=funds),
    ]
    balances = [Decimal("1234567.89"), Decimal("500000.00"), Decimal("250000.50")]
    accounts = []
    for n, (product, balance) in enumerate(zip(products, balances, strict=True)):
        account = Account.objects.create(number=f"6222000000000{n}", customer=book.mine, product=product)
        accounts.append(account)
        for offset in range(10):
            day = DAY - dt.timedelta(days=9 - offset)
            DailyBalance.objects.create(account=account, customer=book.mine, data_date=day, balance=balance)
    for n in range(25):
        Transaction.objects.create(
            reference=f"TX{n:03d}",
            account=accounts[0],
            customer=book.mine,
            data_date=DAY,
            booked_at=timezone.now(),
            amount=Decimal("1000.00") + n,
            direction="C" if n % 2 else "D",
            description=f"payment {n:03d}",
        )
    for offset in range(10):
        derive_day(DAY - dt.timedelta(days=9 - offset))
    book.mine.refresh_from_db()
    return book


def chart(response, element_id):
    html = response.content.decode()
    start = html.index(f'<script id="{element_id}" type="application/json">') + len(
        f'<script id="{element_id}" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


def test_the_assets_tab_groups_the_holdings_by_category_and_charts_aum_by_category(holdings, client):
    client.force_login(holdings.bank.north_rm)
    response = client.get(f"/customers/{holdings.mine.pk}/tab/assets/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "¥1,234,567.89" in html and "Growth fund" in html and "Wealth plan" in html
    assert html.count('data-testid="holding"') == 3
    assert 'data-chart="assets-chart"' in html
    totals = {d["name"]: Decimal(d["value"]) for d in chart(response, "assets-chart")["data"]}
    assert totals == {"Deposits": Decimal("1234567.89"), "Wealth": Decimal("750000.50")}


def test_the_trend_tab_charts_daily_aum(holdings, client):
    client.force_login(holdings.bank.north_rm)
    response = client.get(f"/customers/{holdings.mine.pk}/tab/trend/")
    assert response.status_code == 200
    daily = chart(response, "trend-chart")["daily"]
    assert len(daily) == 10
    assert daily[-1] == [DAY.isoformat(), "1984568.39"]


def test_the_transactions_tab_pages_and_filters_the_customer_s_transactions(holdings, client):
    client.force_login(holdings.bank.north_rm)
    response = client.get(f"/customers/{holdings.mine.pk}/tab/transactions/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("payment 0") == 20  # the first page of 25
    # Paging links inside the tab go to the transactions view, not to the customer page.
    assert f'hx-get="/holdings/customer/{holdings.mine.pk}/transactions/?page=2"' in html
    page2 = client.get(f"/holdings/customer/{holdings.mine.pk}/transactions/?page=2", HTTP_HX_REQUEST="true")
    assert page2.content.decode().count("payment 0") == 5
    found = client.get(f"/holdings/customer/{holdings.mine.pk}/transactions/?q=payment 007", HTTP_HX_REQUEST="true")
    assert "payment 007" in found.content.decode() and "payment 008" not in found.content.decode()


@pytest.mark.parametrize("tab", ["assets", "trend", "transactions"])
def test_a_holdings_tab_needs_its_own_permission_and_a_visible_customer(holdings, client, tab):
    others = [t for t in ("assets", "trend", "transactions") if t != tab]
    limited = EmployeeFactory(org=holdings.bank.north_team)
    grant(limited, "customers.customer:view", *(f"customers.tab:{t}" for t in others), *HOLDINGS, scope="team")
    client.force_login(limited)
    assert client.get(f"/customers/{holdings.mine.pk}/tab/{tab}/").status_code == 403
    client.force_login(holdings.bank.south_rm)  # has every tab, but 张三 is outside their scope
    assert client.get(f"/customers/{holdings.mine.pk}/tab/{tab}/").status_code == 404


def test_the_detail_page_loads_echarts_and_the_chart_script(holdings, client):
    client.force_login(holdings.bank.north_rm)
    html = client.get(f"/customers/{holdings.mine.pk}/").content.decode()
    assert "vendor/echarts/echarts.min.js" in html and "customers/charts.js" in html
    assert "echarts" not in client.get("/customers/").content.decode()
