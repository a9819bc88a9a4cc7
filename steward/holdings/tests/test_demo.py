import datetime as dt

from steward.customers.models import Customer
from steward.holdings.demo import seed_demo_holdings
from steward.holdings.models import DailyFigures, IntakeBatch


def test_the_demo_loads_consecutive_days_through_the_intake_once(bank):
    now = dt.datetime(2026, 4, 2, 9, tzinfo=dt.UTC)
    bank.north_rm.position = "rm"
    bank.north_rm.save()

    assert seed_demo_holdings(customers=12, days=3, now=now) == 12
    assert seed_demo_holdings(customers=12, days=3, now=now) == 0

    assert Customer.objects.filter(owner=bank.north_rm, org=bank.north_team).count() == 12
    assert sorted(set(DailyFigures.objects.values_list("data_date", flat=True))) == [
        dt.date(2026, 3, 30),
        dt.date(2026, 3, 31),
        dt.date(2026, 4, 1),
    ]
    assert not IntakeBatch.objects.exclude(status="loaded").exists()
