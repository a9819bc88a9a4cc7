import datetime as dt

import pytest
from django.utils import timezone

from steward.customers.permissions import TAB_PERMISSIONS
from steward.customers.tests.factories import CustomerFactory
from steward.interactions.permissions import ADD, EXPORT, VIEW
from steward.testing import grant

CUSTOMER_VIEW = "customers.customer:view"
RM = (CUSTOMER_VIEW, *TAB_PERMISSIONS.values(), VIEW, ADD, EXPORT)
# A fixed "now" (Monday 7 December 2026, 15:00 in Shanghai) for the services.
NOW = timezone.make_aware(dt.datetime(2026, 12, 7, 15, 0))


class Book:
    """North RM (own scope) with two customers, one confidential; a colleague's customer; a south
    RM with their customer; the north branch manager (subtree); an auditor who may only read."""

    def __init__(self, bank):
        self.bank = bank
        grant(bank.north_rm, *RM, scope="own")
        grant(bank.north_rm2, *RM, scope="own")
        grant(bank.south_rm, *RM, scope="own")
        grant(bank.north_manager, *RM, scope="subtree")
        self.mine = CustomerFactory(org=bank.north_team, owner=bank.north_rm, name="张三", cif="C100")
        self.secret = CustomerFactory(
            org=bank.north_team, owner=bank.north_rm, name="机密客户", cif="C101", is_confidential=True
        )
        self.colleague = CustomerFactory(org=bank.north_team, owner=bank.north_rm2, name="李四", cif="C200")
        self.south = CustomerFactory(org=bank.south_team, owner=bank.south_rm, name="王五", cif="C300")


@pytest.fixture
def book(bank):
    return Book(bank)


def at(day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A local time in December 2026."""
    return timezone.make_aware(dt.datetime(2026, 12, day, hour, minute))
