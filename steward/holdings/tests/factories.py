"""Test factories of the reminder centre (SVC-03): reminders, important dates, market events."""

import datetime as dt

import factory
from django.utils import timezone

from steward.holdings.models import ImportantDate, MarketEvent, Reminder


class ReminderFactory(factory.django.DjangoModelFactory):
    """A reminder written directly (as the daily intake's set-based insert does). Give customer=;
    it is raised for the customer's owner, due in three days."""

    class Meta:
        model = Reminder

    customer = None
    kind = Reminder.Kind.BIRTHDAY
    owner = factory.LazyAttribute(lambda o: o.customer.owner if o.customer else None)
    due_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=3))
    data_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=1))


class ImportantDateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportantDate

    customer = None
    date = dt.date(2010, 5, 20)
    label = factory.Sequence(lambda n: f"重要日子{n}")
    yearly = True


class MarketEventFactory(factory.django.DjangoModelFactory):
    """An event of the market-events file. Give product=."""

    class Meta:
        model = MarketEvent

    product = None
    kind = MarketEvent.Kind.DIVIDEND
    data_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=1))
    event_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=10))
    note = "分红派息"
