"""What a bad delivery must not do (issue 12, point 4): an undecodable line is one rejected row,
amounts/dates/currencies are read exactly, master data never moves backwards in data date, tier
history is the same whatever order the days come in, and master-data changes are audited.
Files come from tests/bank_files.py. Every test runs on SQLite and on PostgreSQL (the COPY path)."""

import datetime as dt
from decimal import Decimal

import pytest

from steward.audit.models import AuditEntry
from steward.customers.models import Customer, CustomerFigures
from steward.holdings.intake import load_day, load_file
from steward.holdings.models import (
    Account,
    DailyBalance,
    DailyFigures,
    IntakeBatch,
    IntakeDay,
    IntakeFingerprint,
    Product,
    TierChange,
    Transaction,
)
from steward.holdings.reasons import english_reason
from steward.holdings.tests import bank_files as files

D1, D2, D3 = dt.date(2026, 3, 29), dt.date(2026, 3, 30), dt.date(2026, 3, 31)


@pytest.fixture
def customers(bank, tmp_path):
    master = tmp_path / "master"
    files.write(master, "products", files.PRODUCTS)
    files.write(master, "customers", [files.customer(f"C{i}", f"客户{i}", serial=i) for i in range(1, 4)])
    load_day(None, master, D1)
    return master


def rejected(batch):
    return [
        (line, english_reason(reason))
        for line, reason in batch.rejected_rows.order_by("line").values_list("line", "reason")
    ]


# --- undecodable bytes ----------------------------------------------------------------------------


def test_a_line_of_invalid_utf8_is_one_rejected_row_and_the_rest_loads(customers, tmp_path):
    """DAT-01: a byte sequence that is not UTF-8 rejects its row with its physical line; on
    PostgreSQL the COPY path does not crash on it; the batch is loaded, never left running."""
    path = files.write_bytes(
        tmp_path / "d2",
        "accounts",
        [
            b"A1,C1,DEP,2020-01-01,,100.00,",
            b"A2,C1,DEP,2020-01-01,,\xff\xfe200.00,",
            b"A3,C2,DEP,2020-01-01,,300.00,",
        ],
    )

    batch = load_file(None, path, "accounts", D2)

    assert (batch.status, batch.rows_read, batch.rows_loaded) == ("loaded", 3, 2)
    assert rejected(batch) == [(3, "the line is not valid UTF-8 text")]
    assert "\ufffd" in batch.rejected_rows.get().raw  # stored readable, the bad bytes shown as �
    assert set(DailyBalance.objects.values_list("account__number", flat=True)) == {"A1", "A3"}


def test_an_undecodable_customer_line_is_rejected_with_its_physical_line(customers, tmp_path):
    """DAT-01: line numbers are the file's physical lines, also after a quoted multi-line field."""
    good = files.customer("C4", "客户四", serial=4)
    lines = [
        ",".join(files.customer("C5", "客户五", serial=5)).replace(",R2,", ',"R2",', 1).encode(),
        ",".join(good).replace("客户四", '"客户\n四"').encode(),  # a name over two lines
        ",".join(files.customer("C6", "x", serial=6)).replace(",x,", ",\xe5\xbc,").encode("latin-1"),
    ]
    path = files.write_bytes(tmp_path / "d2", "customers", lines)

    batch = load_file(None, path, "customers", D2)

    assert rejected(batch) == [(5, "the line is not valid UTF-8 text")]
    assert set(Customer.objects.filter(cif__in=["C4", "C5", "C6"]).values_list("cif", flat=True)) == {"C4", "C5"}


def test_a_rejected_row_after_a_field_written_over_two_lines_keeps_its_physical_line(customers, tmp_path):
    """DAT-01: PostgreSQL's COPY numbers records, not lines; after a description written over two
    lines, a rejected row is still reported at the line an operator finds it on in the file (as on
    SQLite and in the Python parser)."""
    load_file(None, files.write(tmp_path / "d2", "accounts", [files.account("A1", "C1")]), "accounts", D2)
    path = files.write_bytes(
        tmp_path / "d2",
        "transactions",
        [
            b'T1,A1,2026-03-31 10:00:00,10.00,C,atm,"first line\nsecond line"',
            b"T2,A1,2026-03-31 11:00:00,ten,C,atm,",
            b"T3,A1,2026-03-31 12:00:00,30.00,D,atm,",
        ],
    )

    batch = load_file(None, path, "transactions", D2)

    assert rejected(batch) == [(4, "amount is not an amount")]
    assert set(Transaction.objects.values_list("reference", flat=True)) == {"T1", "T3"}
    assert Transaction.objects.get(reference="T1").description == "first line\nsecond line"


# --- exact values -----------------------------------------------------------------------------------


def test_amounts_dates_and_currencies_are_read_exactly_never_rounded(customers, tmp_path, no_shrink_hold):
    """DAT-03: three decimals, 1e5, a date in another form and currency XYZ are rejected rows (the
    same on SQLite, in PostgreSQL's set-based path and in its Python fallback)."""
    rows = [
        files.account("A1", "C1", balance="100.00"),
        files.account("A2", "C1", balance="100.005"),
        files.account("A3", "C1", balance="1e5"),
        files.account("A4", "C1", balance="1,000.00"),
        ["A5", "C1", "DEP", "20200101", "", "1.00", ""],
        files.account("A6", "C1", balance="-12.5"),
    ]
    batch = load_file(None, files.write(tmp_path / "d2", "accounts", rows), "accounts", D2)
    assert rejected(batch) == [
        (3, "balance has more than two decimals"),
        (4, "balance is not an amount"),
        (5, "balance is not an amount"),
        (6, "opened_on is not a date (YYYY-MM-DD): 20200101"),
    ]
    assert dict(DailyBalance.objects.values_list("account__number", "balance")) == {
        "A1": Decimal("100.00"),
        "A6": Decimal("-12.50"),
    }

    txns = [
        files.txn("T1", "A1", "5.001"),
        files.txn("T2", "A1", "5E2"),
        files.txn("T3", "A1", booked="2026-03-30T10:00:00+08:00"),
        files.txn("T4", "A1", "5.5"),
    ]
    batch = load_file(None, files.write(tmp_path / "d2", "transactions", txns), "transactions", D2)
    assert rejected(batch) == [
        (2, "amount has more than two decimals"),
        (3, "amount is not an amount"),
        (4, "booked_at is not a date and time (YYYY-MM-DD HH:MM:SS)"),
    ]
    assert list(Transaction.objects.values_list("reference", "amount")) == [("T4", Decimal("5.50"))]

    products = [files.PRODUCTS[0], ["XYZP", "外币理财", "wealth", "R2", "XYZ", "", "", "N"], files.PRODUCTS[2]]
    batch = load_file(None, files.write(tmp_path / "d2", "products", products), "products", D2)
    assert rejected(batch) == [(3, "currency XYZ is not an ISO 4217 currency code")]
    assert Product.objects.get(code="GOLD").currency == "USD"


# --- master data never moves backwards ------------------------------------------------------------


def test_a_re_delivered_older_day_does_not_overwrite_newer_names_mobiles_or_closures(customers, tmp_path):
    """DAT-01: day 3's name, mobile and account closure survive a re-run of day 2; day 2's own
    balances still load, and an account only day 2 knows is still created."""
    d2, d3 = tmp_path / "d2", tmp_path / "d3"
    files.write(d2, "customers", [files.customer("C1", "旧名字", mobile="13800000001", serial=1)])
    files.write(d2, "accounts", [files.account("A1", "C1", balance="10.00"), files.account("A9", "C2")])
    files.write(d3, "customers", [files.customer("C1", "新名字", mobile="13900000002", serial=1)])
    files.write(d3, "accounts", [files.account("A1", "C1", balance="0.00", closed="2026-03-31")])
    load_day(None, d2, D2)
    load_day(None, d3, D3)

    load_day(None, d2, D2)  # re-delivered: a correction of day 2 must not bring back day 2's master data

    c1 = Customer.objects.get(cif="C1")
    assert (c1.name, c1.mobile) == ("新名字", "13900000002")
    a1 = Account.objects.get(number="A1")
    assert (a1.closed_on, a1.data_date) == (D3, D3)
    assert Account.objects.filter(number="A9").exists()
    assert DailyBalance.objects.get(account=a1, data_date=D2).balance == Decimal("10.00")
    assert IntakeFingerprint.objects.get(entity="customers", key="C1").data_date == D3

    # The next day moves it on again.
    d4 = tmp_path / "d4"
    files.write(d4, "customers", [files.customer("C1", "第三个名字", serial=1)])
    load_day(None, d4, D3 + dt.timedelta(days=1))
    assert Customer.objects.get(cif="C1").name == "第三个名字"


# --- tier history, whatever the order -----------------------------------------------------------------


def _day_rows(day):
    # C1: 金卡 → 白金 → 普通; C2 first seen on day 2 and gone on day 3; C3 steady 金卡.
    return {
        D1: [files.account("A1", "C1", balance="60000.00"), files.account("A3", "C3", balance="70000.00")],
        D2: [
            files.account("A1", "C1", balance="600000.00"),
            files.account("A2", "C2", balance="55000.00"),
            files.account("A3", "C3", balance="70000.00"),
        ],
        D3: [files.account("A1", "C1", balance="10000.00"), files.account("A3", "C3", balance="70000.00")],
    }[day]


def _state():
    by_cif = dict(Customer.objects.values_list("pk", "cif"))
    history = sorted(
        (by_cif[t.customer_id], t.data_date, t.old_tier, t.new_tier, t.aum) for t in TierChange.objects.all()
    )
    figures = sorted(
        (by_cif[f.customer_id], f.as_of, f.aum, f.tier, f.avg_daily_assets_month, f.aum_sum_month)
        for f in CustomerFigures.objects.all()
    )
    return history, figures


def _wipe():
    for model in (TierChange, DailyFigures, DailyBalance, Transaction, IntakeBatch, IntakeDay):
        model.objects.all().delete()
    CustomerFigures.objects.update(as_of=None, aum=0, tier="", aum_sum_month=0, avg_daily_assets_month=0)
    CustomerFigures.objects.update(aum_sum_quarter=0, aum_sum_year=0, contribution_sum_year=0, aum_30_days_ago=0)


def test_tier_history_is_the_same_for_days_out_of_order_and_a_corrected_past_day(customers, tmp_path, no_shrink_hold):
    """CUS-07, DAT-01: loading day 3, then day 1, then a wrong day 2 corrected afterwards gives the
    tier history and figures of loading the three days in order."""

    def load(day, rows=None):
        directory = tmp_path / f"{day}-{len(list(tmp_path.iterdir()))}"
        files.write(directory, "accounts", rows if rows is not None else _day_rows(day))
        load_day(None, directory, day)

    _wipe()
    for day in (D1, D2, D3):
        load(day)
    in_order = _state()
    assert ("C1", D2, "金卡", "白金", Decimal("600000.00")) in in_order[0]
    assert ("C2", D3, "金卡", "普通", Decimal("0.00")) in in_order[0]

    _wipe()
    load(D3)
    load(D1)
    load(D2, [files.account("A1", "C1", balance="1.00"), files.account("A3", "C3", balance="1.00")])  # wrong
    load(D2)  # corrected

    assert _state() == in_order


# --- audit ------------------------------------------------------------------------------------------------


def test_master_data_changes_by_the_intake_are_audited_in_bulk_with_ids_and_fields(customers, tmp_path):
    """DAT-01, PLT-07: a file's changes of names, mobiles, ID numbers and closures are bulk audit
    entries naming the records and the fields changed — never the personal values."""
    d2 = tmp_path / "d2"
    files.write(d2, "accounts", [files.account("A1", "C1"), files.account("A2", "C2")])
    load_day(None, d2, D2)
    changed = [
        files.customer("C1", "改名字", mobile="13912345678", serial=1),
        files.customer("C2", "客户2", serial=99),  # a new ID number
        files.customer("C3", "客户3", serial=3),  # unchanged
    ]
    files.write(d2, "customers", changed)
    files.write(d2, "accounts", [files.account("A1", "C1", closed="2026-03-30"), files.account("A2", "C2")])

    load_day(None, d2, D2)

    entries = AuditEntry.objects.filter(action="holdings.intake_master_changed")
    fields = {entry.changes["fields"][0]: entry for entry in entries}
    c1, c2 = Customer.objects.get(cif="C1"), Customer.objects.get(cif="C2")
    assert fields["name"].ids == [c1.pk] and fields["mobile"].ids == [c1.pk]
    assert fields["id_number"].ids == [c2.pk]
    assert fields["closed_on"].ids == [Account.objects.get(number="A1").pk]
    assert fields["name"].object_type == "customers.customer"
    text = " ".join(f"{e.message} {e.changes} {e.object_repr}" for e in entries)
    for plain in ("改名字", "13912345678", files.resident_id(99), "A1"):
        assert plain not in text
