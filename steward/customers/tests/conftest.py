import pytest

from steward.customers.permissions import TAB_PERMISSIONS
from steward.customers.tests.factories import CustomerFactory
from steward.testing import grant

RM_PERMISSIONS = (
    "customers.customer:view",
    "customers.customer:add",
    "customers.customer:change",
    "customers.customer:export",
    "customers.customer:transfer",
    "customers.note:add",
    "approvals.application:submit",
    *TAB_PERMISSIONS.values(),
)
SUPERVISOR_PERMISSIONS = (
    *RM_PERMISSIONS,
    "customers.orglist:view",
    "customers.customer:confidential",
    "customers.customer:assign",
    "customers.transfer:approve",
    "customers.allocation:approve",
    "approvals.application:handle",
)


class Book:
    """Two RMs of the north team, one in the south; a north team lead; customers of each."""

    def __init__(self, bank):
        self.bank = bank
        grant(bank.north_rm, *RM_PERMISSIONS, scope="own")
        grant(bank.north_rm2, *RM_PERMISSIONS, scope="own")
        grant(bank.south_rm, *RM_PERMISSIONS, scope="own")
        grant(bank.north_manager, *SUPERVISOR_PERMISSIONS, scope="subtree")
        bank.admin.is_superuser = True
        bank.admin.save(update_fields=["is_superuser"])
        self.mine = CustomerFactory(org=bank.north_team, owner=bank.north_rm, name="张三", cif="C100")
        self.mine2 = CustomerFactory(org=bank.north_team, owner=bank.north_rm, name="张四", cif="C101")
        self.colleague = CustomerFactory(org=bank.north_team, owner=bank.north_rm2, name="李四", cif="C200")
        self.south = CustomerFactory(org=bank.south_team, owner=bank.south_rm, name="王五", cif="C300")
        self.unassigned = CustomerFactory(org=bank.north_team, owner=None, name="赵六", cif="C400")


@pytest.fixture
def book(bank):
    return Book(bank)
