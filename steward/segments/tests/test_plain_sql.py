"""Issue 12, point 6: every segment rule compiles to plain SQL — no Python function per row on SQLite."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from steward.customers.models import Customer, LastContact
from steward.segments.services import matching
from steward.segments.tests.conftest import TODAY, customer

# The functions Django registers on an SQLite connection (create_function) for date lookups.
PYTHON_FUNCTIONS = ("django_date_extract", "django_datetime_cast_date", "django_datetime_extract", "django_date_trunc")


def members_and_sql(user, definition):
    with CaptureQueriesContext(connection) as captured:
        members = sorted(matching(user, definition, TODAY).values_list("cif", flat=True))
    return members, " ".join(q["sql"] for q in captured)


def test_birthday_month_rule_gives_the_months_customers_with_no_python_function(book):
    """CUS-07 / CUS-03: "birthday in March or June" selects exactly the customers born in those months
    (checked in Python against their birth dates) through strftime/EXTRACT, never a per-row Python call."""
    customer(book.bank, "C201", born=dt.date(1970, 3, 31))
    customer(book.bank, "C202", born=dt.date(1988, 4, 1))
    customer(book.bank, "C203", born=dt.date(2000, 12, 31))
    manager = book.bank.north_manager
    for months in ([3], [3, 6], [12]):
        members, sql = members_and_sql(manager, {"op": "and", "rules": [
            {"field": "birthday_month", "operator": "in", "value": months}]})  # fmt: skip
        visible = Customer.objects.visible_to(manager, "customers.customer:view")
        assert members == sorted(c.cif for c in visible if c.birth_date and c.birth_date.month in months)
        assert members
        assert not any(name in sql for name in PYTHON_FUNCTIONS), sql
        assert ("strftime(" in sql) if connection.vendor == "sqlite" else ("EXTRACT(MONTH FROM" in sql)


def test_last_contact_rules_compare_times_in_plain_sql_at_local_day_boundaries(book):
    """CUS-07: "last contact before / after a day" is decided by the local calendar day (Asia/Shanghai),
    as before, without casting every row's time to a date."""
    local = timezone.get_current_timezone()
    late = customer(book.bank, "C211")
    early = customer(book.bank, "C212")
    # 23:30 on 9 June and 00:15 on 10 June, local time, are both 9 June in UTC (15:30, 16:15).
    LastContact.objects.create(customer=late, at=dt.datetime(2026, 6, 9, 23, 30, tzinfo=local))
    LastContact.objects.create(customer=early, at=dt.datetime(2026, 6, 10, 0, 15, tzinfo=local))
    manager = book.bank.north_manager

    def rule(operator, day):
        return {"op": "and", "rules": [{"field": "last_contact", "operator": operator, "value": day}]}

    before, sql = members_and_sql(manager, rule("before", "2026-06-10"))
    assert before == ["C211"]
    assert not any(name in sql for name in PYTHON_FUNCTIONS), sql
    after, sql = members_and_sql(manager, rule("after", "2026-06-09"))
    assert after == ["C212"]
    assert not any(name in sql for name in PYTHON_FUNCTIONS), sql
