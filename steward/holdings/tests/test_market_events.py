"""The T+1 market-events file (SVC-03, SVC-04, DAT-05): IPO subscriptions and dividends become
reminders for the holders of the product only — an open account with a positive balance on the
latest data date — once; bad rows are quarantined with their line, a wrong header refuses the file."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from steward.customers.tests.factories import CustomerFactory
from steward.holdings.models import (
    Account,
    DailyBalance,
    IntakeBatch,
    MarketEvent,
    Product,
    ProductCategory,
    Reminder,
)
from steward.holdings.reminders import MARKET_LAYOUT, load_market_events, load_market_events_from_drop_folder
from steward.holdings.tests.conftest import set_parameter, write_csv

DAY = dt.date(2026, 12, 4)
NOW = dt.datetime(2026, 12, 5, 1, tzinfo=dt.UTC)


class Holdings:
    def __init__(self, bank):
        funds = ProductCategory.objects.get(code="funds")
        self.fund = Product.objects.create(code="FUND300", name="沪深300指数基金", category=funds)
        self.star = Product.objects.create(code="STAR688", name="科创板基金", category=funds)
        self.holder = CustomerFactory(org=bank.north_team, owner=bank.north_rm, name="持有人")
        self.emptied = CustomerFactory(org=bank.north_team, owner=bank.north_rm, name="已赎回")
        self.closed = CustomerFactory(org=bank.north_team, owner=bank.north_rm, name="已销户")
        self.earlier = CustomerFactory(org=bank.south_team, owner=bank.south_rm, name="前日持有")
        self.star_holder = CustomerFactory(org=bank.south_team, owner=bank.south_rm, name="科创持有")
        self.position(self.holder, self.fund, "1000.00")
        self.position(self.emptied, self.fund, "0.00")
        self.position(self.closed, self.fund, "500.00", closed_on=DAY - dt.timedelta(days=3))
        self.position(self.earlier, self.fund, "800.00", day=DAY - dt.timedelta(days=1))
        self.position(self.earlier, self.star, "0.00")
        self.position(self.star_holder, self.star, "20000.00")

    def position(self, customer, product, balance, closed_on=None, day=DAY):
        account = Account.objects.create(
            number=f"62{customer.pk:06d}{product.pk:04d}", customer=customer, product=product, closed_on=closed_on
        )
        DailyBalance.objects.create(account=account, customer=customer, data_date=day, balance=Decimal(balance))


@pytest.fixture
def holdings(bank):
    return Holdings(bank)


def events_file(path, rows):
    write_csv(path, MARKET_LAYOUT, rows)
    return path


GOOD = [
    ["FUND300", "dividend", "2026-12-18", "每10份派0.35元"],
    ["STAR688", "ipo", "2026-12-10", "科创板新股申购"],
]
BAD = [
    ["NOPE", "ipo", "2026-12-10", ""],  # line 4: unknown product
    ["FUND300", "split", "2026-12-10", ""],  # line 5: wrong type
    ["FUND300", "ipo", "2026-13-01", ""],  # line 6: not a date
    ["FUND300", "dividend", "2026-12-18", "again"],  # line 7: repeats line 2
    ["FUND300", "ipo", "2026-12-11", "x" * 201],  # line 8: note too long
]


def test_the_file_raises_ipo_and_dividend_reminders_for_holders_only_and_once(holdings, bank, tmp_path):
    """SVC-03/DAT-05: the dividend of FUND300 reaches its one holder with a positive balance on the
    latest day in an open account (not the one who sold out, closed the account or held it only the
    day before); the IPO of STAR688 its holder; bad rows are quarantined with their line; a re-run
    adds nothing."""
    path = events_file(tmp_path / "market_events.csv", GOOD + BAD)
    batch = load_market_events(None, path, DAY, now=NOW)

    assert batch.status == IntakeBatch.Status.LOADED, batch.error
    assert (batch.entity, batch.rows_read, batch.rows_loaded, batch.rows_rejected) == ("market_events", 7, 2, 5)
    reasons = {row.line: row.reason for row in batch.rejected_rows.all()}
    assert sorted(reasons) == [4, 5, 6, 7, 8]
    assert "NOPE" in reasons[4] and "ipo or dividend" in reasons[5] and "repeats line 2" in reasons[7]

    reminders = Reminder.objects.order_by("kind")
    assert [(r.kind, r.customer, r.owner, r.due_on, r.subject, r.text) for r in reminders] == [
        ("dividend", holdings.holder, bank.north_rm, dt.date(2026, 12, 18), "FUND300", "每10份派0.35元"),
        ("ipo", holdings.star_holder, bank.south_rm, dt.date(2026, 12, 10), "STAR688", "科创板新股申购"),
    ]
    assert reminders[0].get_kind_display() == "Dividend" and reminders[1].state == "open"

    again = load_market_events(None, path, DAY, now=NOW)
    assert again.status == IntakeBatch.Status.LOADED and again.runs == 2
    assert Reminder.objects.count() == 2
    assert MarketEvent.objects.count() == 2
    assert IntakeBatch.objects.filter(entity="market_events").count() == 1


def test_a_file_with_a_wrong_header_is_refused_and_changes_nothing(holdings, tmp_path):
    """DAT-05: a wrong layout is refused with a reason naming the expected header."""
    path = tmp_path / "market_events.csv"
    write_csv(path, ["code", "type", "date"], [["FUND300", "ipo", "2026-12-10"]])
    batch = load_market_events(None, path, DAY, now=NOW)
    assert batch.status == IntakeBatch.Status.REFUSED
    assert "product_code,event_type,date,note" in batch.error
    assert not MarketEvent.objects.exists() and not Reminder.objects.exists()


def test_events_beyond_the_lead_time_wait_for_the_daily_intake(holdings, tmp_path):
    """SVC-03: an event further ahead than holdings.market_event_reminder_days is stored, and the
    day it comes into the window the daily reminders raise it for the holders of that day."""
    from django.db import connection

    from steward.holdings.figures import raise_reminders

    set_parameter("holdings.market_event_reminder_days", "10")
    load_market_events(None, events_file(tmp_path / "market_events.csv", GOOD), DAY, now=NOW)
    assert list(Reminder.objects.values_list("kind", flat=True)) == ["ipo"]  # the 18th is 14 days away

    with connection.cursor() as cursor:
        raise_reminders(cursor, DAY + dt.timedelta(days=5), NOW)
    assert sorted(Reminder.objects.values_list("kind", flat=True)) == ["dividend", "ipo"]


def test_the_command_and_the_job_load_the_file(holdings, tmp_path, settings, capsys):
    """DAT-05: `manage.py load_market_events` loads a file; the job loads each complete day of the
    drop folder once."""
    path = events_file(tmp_path / "events.csv", GOOD[:1])
    call_command("load_market_events", str(path), "--date", DAY.isoformat())
    assert "1 events loaded, 0 rejected, 1 reminders raised" in capsys.readouterr().out

    drop = tmp_path / "drop"
    day_dir = drop / (DAY + dt.timedelta(days=1)).isoformat()
    day_dir.mkdir(parents=True)
    events_file(day_dir / "market_events.csv", GOOD)
    settings.STEWARD_INTAKE_DROP_FOLDER = str(drop)
    assert load_market_events_from_drop_folder(now=timezone.now()) == []  # no _READY marker yet
    (day_dir / "_READY").write_text("")

    from steward.holdings.jobs import load_market_events as job

    assert job(None, timezone.now()) == {"processed": 1, "created": 2, "updated": 1}
    assert job(None, timezone.now())["processed"] == 0
    assert Reminder.objects.count() == 2
