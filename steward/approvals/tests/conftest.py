"""People around the bank fixture who submit and decide applications."""

import datetime as dt
from dataclasses import dataclass

import pytest

from steward.approvals.permissions import APPROVE, EXPORT, HANDLE, MONITOR, REROUTE, REVIEW, SUBMIT
from steward.org.models import Employee
from steward.testing import EmployeeFactory, grant

LEAVE = "approvals.leave"
ACTIVITY = "approvals.activity_proposal"


def leave_payload(start="2026-03-02", end="2026-03-04", kind="annual"):
    return {"leave_type": kind, "start_date": start, "end_date": end}


def activity_payload(budget="12000.50"):
    return {"name": "财富沙龙", "activity_date": "2026-04-18", "budget": budget, "description": "客户答谢沙龙"}


@dataclass
class People:
    rm: Employee  # north team RM
    rm2: Employee  # north team RM, a colleague of rm
    lead: Employee  # north team lead (approve at the team)
    sub_manager: Employee  # north sub-branch manager (approve, subtree)
    manager: Employee  # north branch manager (approve + monitor, subtree)
    south_rm: Employee
    south_lead: Employee


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def people(bank):
    lead = EmployeeFactory(employee_no="NTL", name="北方组长", org=bank.north_team)
    sub_manager = EmployeeFactory(employee_no="NSM", name="北方支行长", org=bank.north_sub)
    south_lead = EmployeeFactory(employee_no="STL", name="南方组长", org=bank.south_team)
    for rm in (bank.north_rm, bank.north_rm2, bank.south_rm):
        grant(rm, SUBMIT, scope="own", org=rm.org)
    grant(lead, SUBMIT, HANDLE, APPROVE, scope="team", org=bank.north_team)
    grant(south_lead, SUBMIT, HANDLE, APPROVE, scope="team", org=bank.south_team)
    grant(sub_manager, SUBMIT, HANDLE, APPROVE, scope="subtree", org=bank.north_sub)
    grant(bank.north_manager, SUBMIT, HANDLE, APPROVE, MONITOR, EXPORT, REROUTE, scope="subtree", org=bank.north)
    return People(bank.north_rm, bank.north_rm2, lead, sub_manager, bank.north_manager, bank.south_rm, south_lead)


@pytest.fixture
def reviewers(bank, people):
    """Two peers of the north team who may review each other's work (same-level review)."""
    grant(people.rm, HANDLE, REVIEW, scope="team", org=bank.north_team)
    grant(people.rm2, HANDLE, REVIEW, scope="team", org=bank.north_team)
    return people


NOW = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def register_type():
    """Register application types for one test only."""
    from steward.approvals.registry import application_types

    added = []

    def register(application_type):
        application_types.register(application_type)
        added.append(application_type.key)
        return application_type

    yield register
    for key in added:
        application_types.unregister(key)
