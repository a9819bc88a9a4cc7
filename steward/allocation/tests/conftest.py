"""A bank with lead pools for allocation tests: the north branch manager runs allocation in the
north subtree, the south branch manager in the south; a public pool at head office and one at the
north branch; four more north RMs besides the two of the bank fixture."""

import datetime as dt

import pytest
from django.utils import timezone

from steward.allocation.models import AllocationRule
from steward.allocation.permissions import CHANGE, RUN, VIEW
from steward.leads.models import Lead, LeadPool
from steward.testing import EmployeeFactory, grant

NOW = timezone.make_aware(dt.datetime(2026, 12, 7, 10, 0))


def pooled(pool, n, **more):
    return [
        Lead.objects.create(
            name=f"线索{pool.pk}-{i}",
            mobile=f"139{pool.pk:02d}{i:06d}",
            org=pool.org,
            pool=pool,
            pooled_at=NOW - dt.timedelta(days=1),
            source=Lead.Source.CHANNEL,
            **more,
        )
        for i in range(n)
    ]


class World:
    def __init__(self, bank):
        self.bank = bank
        self.head_pool = LeadPool.objects.create(kind=LeadPool.Kind.PUBLIC, name="总行公共池", org=bank.head)
        self.north_pool = LeadPool.objects.create(kind=LeadPool.Kind.PUBLIC, name="北方公共池", org=bank.north)
        self.south_pool = LeadPool.objects.create(kind=LeadPool.Kind.PUBLIC, name="南方公共池", org=bank.south)
        self.rms = [bank.north_rm, bank.north_rm2] + [
            EmployeeFactory(employee_no=f"NRM{i}", name=f"北方经理{i}", org=bank.north_team) for i in range(3, 7)
        ]
        self.north_manager = bank.north_manager
        grant(self.north_manager, VIEW, CHANGE, RUN, scope="subtree", org=bank.north)
        self.south_manager = EmployeeFactory(employee_no="SBM", name="南方行长", org=bank.south)
        grant(self.south_manager, VIEW, CHANGE, RUN, scope="subtree", org=bank.south)
        self.head_manager = EmployeeFactory(employee_no="HBM", name="总行分配岗", org=bank.head)
        grant(self.head_manager, VIEW, CHANGE, RUN, scope="subtree", org=bank.head)

    def rule(self, *, people=None, orgs=(), **fields):
        values = {
            "name": "北方分配",
            "org": self.bank.north,
            "source_pool": self.north_pool,
            "path": "direct",
            "method": "even",
            **fields,
        }
        rule = AllocationRule.objects.create(created_by=self.north_manager, **values)
        rule.target_employees.set(self.rms if people is None else people)
        rule.target_orgs.set(orgs)
        return rule


@pytest.fixture
def world(bank):
    return World(bank)
