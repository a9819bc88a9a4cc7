"""Fixtures for the whole suite: a small bank tree that most tests build on."""

import pytest

from steward.org.models import Org
from steward.testing import EmployeeFactory, OrgFactory


class Bank:
    """Head office → two branches → one sub-branch each → one team each."""

    def __init__(self):
        self.head = OrgFactory(code="HO", name="总行", kind=Org.Kind.HEAD_OFFICE)
        self.north = OrgFactory(code="N", name="北方分行", kind=Org.Kind.BRANCH, parent=self.head)
        self.south = OrgFactory(code="S", name="南方分行", kind=Org.Kind.BRANCH, parent=self.head)
        self.north_sub = OrgFactory(code="N1", name="北方一支行", kind=Org.Kind.SUB_BRANCH, parent=self.north)
        self.south_sub = OrgFactory(code="S1", name="南方一支行", kind=Org.Kind.SUB_BRANCH, parent=self.south)
        self.north_team = OrgFactory(code="N1T1", name="北方一组", kind=Org.Kind.TEAM, parent=self.north_sub)
        self.south_team = OrgFactory(code="S1T1", name="南方一组", kind=Org.Kind.TEAM, parent=self.south_sub)
        self.north_rm = EmployeeFactory(employee_no="NRM", name="北方客户经理", org=self.north_team)
        self.north_rm2 = EmployeeFactory(employee_no="NRM2", name="北方客户经理二", org=self.north_team)
        self.south_rm = EmployeeFactory(employee_no="SRM", name="南方客户经理", org=self.south_team)
        self.north_manager = EmployeeFactory(employee_no="NBM", name="北方行长", org=self.north)
        self.admin = EmployeeFactory(employee_no="ADM", name="管理员", org=self.head)


@pytest.fixture
def bank(db):
    return Bank()
