"""Test factories of the wealth calendar (SVC-04)."""

import datetime as dt

import factory
from django.utils import timezone

from steward.agenda.models import CalendarNote


class CalendarNoteFactory(factory.django.DjangoModelFactory):
    """A note in `owner`'s calendar, tomorrow at ten for an hour. Give owner=."""

    class Meta:
        model = CalendarNote

    owner = None
    title = factory.Sequence(lambda n: f"日程{n}")
    starts_at = factory.LazyFunction(
        lambda: timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=1), dt.time(10)))
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=1))
