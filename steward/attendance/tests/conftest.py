import datetime as dt

import pytest
from django.utils import timezone

from steward.attendance.permissions import ATTENDANCE_CHANGE, ATTENDANCE_VIEW, CALENDAR_VIEW, QUOTA_CHANGE, QUOTA_VIEW
from steward.interactions.models import Interaction
from steward.testing import EmployeeFactory, grant

# The week the tests look at: Monday 7 … Sunday 13 December 2026 (Shanghai).
MONDAY = dt.date(2026, 12, 7)
WEEK = [MONDAY + dt.timedelta(days=n) for n in range(7)]


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, minute))


def call(employee, day: dt.date, *, hour: int = 10, reached: bool = True, channel: str = "call", **extra):
    """A contact written directly, as the feeds do."""
    return Interaction.objects.create(
        employee=employee,
        channel=channel,
        direction=Interaction.Direction.OUTBOUND,
        occurred_at=at(day, hour),
        outcome=Interaction.Outcome.REACHED if reached else Interaction.Outcome.NO_ANSWER,
        is_contact=reached,
        **extra,
    )


class Staff:
    """Roles on the bank fixture: the north team's lead (team scope), the north branch manager
    (subtree), the south branch's manager (subtree of the south) and the RMs (own)."""

    def __init__(self, bank):
        self.bank = bank
        self.team_lead = EmployeeFactory(employee_no="NTL", name="北方组长", org=bank.north_team)
        self.south_manager = EmployeeFactory(employee_no="SBM", name="南方行长", org=bank.south)
        for rm in (bank.north_rm, bank.north_rm2, bank.south_rm):
            grant(rm, CALENDAR_VIEW, scope="own")
        grant(self.team_lead, CALENDAR_VIEW, ATTENDANCE_VIEW, QUOTA_VIEW, "org.employee:supervise", scope="team")
        for manager in (bank.north_manager, self.south_manager):
            grant(
                manager,
                CALENDAR_VIEW,
                ATTENDANCE_VIEW,
                ATTENDANCE_CHANGE,
                QUOTA_VIEW,
                QUOTA_CHANGE,
                "org.employee:supervise",
                scope="subtree",
            )


@pytest.fixture
def staff(bank):
    return Staff(bank)
