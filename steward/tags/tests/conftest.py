import datetime as dt

import pytest
from django.utils import timezone

from steward.customers.permissions import TAB_PERMISSIONS
from steward.customers.tests.factories import CustomerFactory, resident_id
from steward.tags.permissions import (
    GROUP_ADD,
    GROUP_EXPORT,
    GROUP_MANAGE,
    GROUP_VIEW,
    TAB,
    TAG_APPLY,
    TAG_EXPORT,
    TAG_MANAGE,
    TAG_VIEW,
)
from steward.tags.tests.factories import CategoryFactory, TagFactory
from steward.testing import grant

NOW = timezone.make_aware(dt.datetime(2026, 6, 15, 9, 0))
CUSTOMER = ("customers.customer:view", "customers.customer:export", "customers.orglist:view")
RM = tuple(
    dict.fromkeys((*CUSTOMER, *TAB_PERMISSIONS.values(), TAG_VIEW, TAG_APPLY, GROUP_VIEW, GROUP_ADD, GROUP_EXPORT, TAB))
)
MARKETING = (*RM, TAG_MANAGE, TAG_EXPORT, GROUP_MANAGE, "segments.segment:view")


def customer(bank, cif, *, born=dt.date(1980, 1, 1), owner=None, org=None, **extra):
    return CustomerFactory(
        cif=cif,
        id_number=resident_id(int(cif[1:]), born),
        birth_date=born,
        org=org or bank.north_team,
        owner=owner if owner is not None else bank.north_rm,
        **extra,
    )


class Book:
    """North RM (own scope), south RM (own scope), north manager (subtree, marketing rights),
    a superuser admin; customers in the north and the south; a manual and a rule tag."""

    def __init__(self, bank):
        self.bank = bank
        grant(bank.north_rm, *RM, scope="own")
        grant(bank.north_rm2, *RM, scope="own")
        grant(bank.south_rm, *RM, scope="own")
        grant(bank.north_manager, *MARKETING, scope="subtree")
        bank.admin.is_superuser = True
        bank.admin.save(update_fields=["is_superuser"])
        self.a = customer(bank, "C101", born=dt.date(1968, 3, 1))  # 58: near retirement
        self.b = customer(bank, "C102", born=dt.date(1990, 6, 15))
        self.c = customer(bank, "C103", born=dt.date(1970, 1, 1), owner=bank.north_rm2)  # 56, colleague's
        self.s = customer(bank, "C104", born=dt.date(1965, 1, 1), org=bank.south_team, owner=bank.south_rm)  # 61, south
        self.category = CategoryFactory(code="lifecycle", name="生命周期")
        self.vip = TagFactory(category=self.category, code="vip", name="重点维护")
        self.retiring = TagFactory(
            category=self.category,
            code="near-retirement",
            name="临近退休",
            kind="rule",
            definition={"op": "and", "rules": [{"field": "age", "operator": "between", "value": [55, 60]}]},
        )


@pytest.fixture
def book(bank):
    return Book(bank)
