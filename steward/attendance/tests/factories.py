"""Test factories of attendance and quotas."""

import datetime as dt

import factory

from steward.attendance.models import AttendanceDay, Quota


class AttendanceDayFactory(factory.django.DjangoModelFactory):
    """A recorded day written directly (the service writes many at once). Give employee=."""

    class Meta:
        model = AttendanceDay

    date = dt.date(2026, 12, 7)
    status = AttendanceDay.Status.LEAVE


class QuotaFactory(factory.django.DjangoModelFactory):
    """A quota written directly (bypassing save_quota's checks). Give org=."""

    class Meta:
        model = Quota

    measure = "valid_calls"
    daily_target = 5
    active_from = dt.date(2026, 1, 1)
