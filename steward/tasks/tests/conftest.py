"""A north branch with a manager, three RMs (one on leave) and their customers; a south branch
with its own manager and customer — the task tests' world."""

import datetime as dt

import pytest
from django.utils import timezone

from steward.customers.tests.factories import CustomerFactory
from steward.org.models import Employee
from steward.tasks.models import TaskCategory
from steward.tasks.permissions import CATEGORY_CHANGE, MANAGE, VIEW, WORK
from steward.testing import EmployeeFactory, grant

NOW = timezone.make_aware(dt.datetime(2026, 12, 7, 10, 0))
CUSTOMER_VIEW = "customers.customer:view"
INTERACTIONS = ("interactions.interaction:view", "interactions.interaction:add")


@pytest.fixture
def world(bank):
    bank.away_rm = EmployeeFactory(
        employee_no="NRM3", name="休假客户经理", org=bank.north_team, status=Employee.Status.ON_LEAVE
    )
    bank.south_manager = EmployeeFactory(employee_no="SBM", name="南方行长", org=bank.south)
    for rm in (bank.north_rm, bank.north_rm2, bank.away_rm, bank.south_rm):
        grant(rm, WORK, CUSTOMER_VIEW, *INTERACTIONS, scope="own")
    grant(bank.north_manager, VIEW, MANAGE, CATEGORY_CHANGE, CUSTOMER_VIEW, "leads.lead:view", scope="subtree")
    grant(bank.south_manager, VIEW, MANAGE, CUSTOMER_VIEW, scope="subtree")
    bank.category = TaskCategory.objects.create(name="客户回访")
    bank.mine = [
        CustomerFactory(org=bank.north_team, owner=bank.north_rm, cif=f"N{i:03d}", name=f"北客户{i}", gender="F")
        for i in range(4)
    ]
    bank.theirs = [
        CustomerFactory(org=bank.north_team, owner=bank.north_rm2, cif=f"M{i:03d}", name=f"北客户二{i}", gender="M")
        for i in range(3)
    ]
    bank.north_customers = bank.mine + bank.theirs
    bank.south_customer = CustomerFactory(org=bank.south_team, owner=bank.south_rm, cif="S001", name="南客户")
    return bank
