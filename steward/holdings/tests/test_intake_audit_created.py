"""DAT-01, PLT-07: customers and accounts the daily intake creates are audited as bulk entries
naming every record created (ids, source, data date), set-based like the master-data changes;
a re-run creates nothing and audits nothing new. Files from tests/bank_files.py; SQLite and PostgreSQL."""

import datetime as dt

import pytest

from steward.audit.models import AuditEntry
from steward.customers.models import Customer
from steward.holdings.intake import load_day
from steward.holdings.models import Account
from steward.holdings.tests import bank_files as files

D1, D2 = dt.date(2026, 3, 29), dt.date(2026, 3, 30)

pytestmark = pytest.mark.django_db


def _created(object_type):
    entries = AuditEntry.objects.filter(action="holdings.intake_created", object_type=object_type).order_by("seq")
    return [(sorted(entry.ids), entry.changes) for entry in entries]


def test_customers_and_accounts_created_by_a_file_are_audited_with_their_ids(bank, tmp_path):
    """DAT-01: the first day's customers, then the next day's one new customer and its accounts,
    are each listed by id in a bulk entry with the file's source and data date; customers and
    accounts that already existed are not listed; no personal value is in the entries."""
    master = tmp_path / "d1"
    files.write(master, "products", files.PRODUCTS)
    files.write(master, "customers", [files.customer(f"C{i}", f"客户{i}", serial=i) for i in range(1, 4)])
    load_day(None, master, D1)
    first = sorted(Customer.objects.values_list("pk", flat=True))
    assert _created("customers.customer") == [(first, {"source": "core", "data_date": D1.isoformat()})]

    day2 = tmp_path / "d2"
    files.write(day2, "products", files.PRODUCTS)
    rows = [files.customer(f"C{i}", f"客户{i}", serial=i) for i in range(1, 4)]
    files.write(day2, "customers", [*rows, files.customer("C4", "新客户", mobile="13912345678", serial=4)])
    files.write(day2, "accounts", [files.account("A1", "C1"), files.account("A4", "C4")])
    load_day(None, day2, D2)

    c4 = Customer.objects.get(cif="C4")
    accounts = sorted(Account.objects.values_list("pk", flat=True))
    assert _created("customers.customer")[1:] == [([c4.pk], {"source": "core", "data_date": D2.isoformat()})]
    assert _created("holdings.account") == [(accounts, {"source": "core", "data_date": D2.isoformat()})]
    entries = AuditEntry.objects.filter(action="holdings.intake_created")
    text = " ".join(f"{e.message} {e.changes} {e.object_repr}" for e in entries)
    for plain in ("新客户", "13912345678", files.resident_id(4), "A4"):
        assert plain not in text

    # The same files again: nothing is created, so nothing more is audited as created.
    load_day(None, day2, D2)
    assert entries.count() == 3
