import datetime as dt
from decimal import Decimal

import pytest

from steward.customers.tests.factories import CustomerFactory, resident_id
from steward.holdings.models import Account, DailyBalance, Product, ProductCategory
from steward.segments.permissions import ADD, CHANGE, EXPORT, VIEW
from steward.testing import grant

TODAY = dt.date(2026, 6, 15)
CUSTOMER_PERMISSIONS = ("customers.customer:view", "customers.customer:export", VIEW, ADD, CHANGE, EXPORT)


def customer(bank, cif, *, born=dt.date(1980, 1, 1), aum="0", owner=None, org=None, **extra):
    return CustomerFactory(
        cif=cif,
        id_number=resident_id(int(cif[1:]), born),
        birth_date=born,
        aum=Decimal(aum),
        org=org or bank.north_team,
        owner=owner if owner is not None else bank.north_rm,
        figures_as_of=TODAY,
        **extra,
    )


def hold(cust, product, balance, day=TODAY):
    account = Account.objects.create(number=f"A{cust.cif}{product.code}", customer=cust, product=product)
    DailyBalance.objects.create(account=account, customer=cust, data_date=day, balance=Decimal(balance))
    return account


class Book:
    def __init__(self, bank):
        self.bank = bank
        grant(bank.north_rm, *CUSTOMER_PERMISSIONS, scope="own")
        grant(bank.south_rm, *CUSTOMER_PERMISSIONS, scope="own")
        grant(bank.north_manager, *CUSTOMER_PERMISSIONS, scope="subtree")
        self.wealth = ProductCategory.objects.create(code="wealth_x", name="理财")
        self.wealth_sub = ProductCategory.objects.create(code="wealth_x_fixed", name="固收理财", parent=self.wealth)
        self.deposits = ProductCategory.objects.create(code="deposits_x", name="存款")
        self.fund = Product.objects.create(code="WM1", name="稳健1号", category=self.wealth_sub)
        self.cd = Product.objects.create(code="CD1", name="定期", category=self.deposits)
        # 46 years old, R4, 1M, holds wealth
        self.a = customer(bank, "C101", born=dt.date(1980, 3, 1), aum="1000000", risk_level="R4", gender="M")
        # 30 exactly today, R3, 600k, holds deposits only
        self.b = customer(bank, "C102", born=dt.date(1996, 6, 15), aum="600000", risk_level="R3", gender="F")
        # 29 (turns 30 tomorrow), R5, 6M
        self.c = customer(bank, "C103", born=dt.date(1996, 6, 16), aum="6000000", risk_level="R5", gender="F")
        # south, not visible to the north RM
        self.s = customer(
            bank,
            "C104",
            born=dt.date(1985, 1, 1),
            aum="800000",
            risk_level="R3",
            org=bank.south_team,
            owner=bank.south_rm,
        )
        hold(self.a, self.fund, "1000")
        hold(self.b, self.cd, "500")
        hold(self.c, self.fund, "0")  # zero balance: not held
        hold(self.s, self.fund, "10")


@pytest.fixture
def book(bank):
    return Book(bank)
