"""The intake's fast paths: unchanged customers skipped by fingerprint, accounts and transactions
checked set-based on PostgreSQL. Every test runs on SQLite and on PostgreSQL with the same
expectations: the fast path must behave exactly like the Python row checks."""

import csv
import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest

from steward.customers.models import Customer
from steward.holdings import intake
from steward.holdings.intake import LAYOUTS, load_day, load_file
from steward.holdings.models import Account, DailyBalance, IntakeBatch, IntakeFingerprint, Transaction
from steward.holdings.reasons import english_reason
from steward.holdings.tests.conftest import DAY, write_csv

NEXT = DAY + dt.timedelta(days=1)


def read_rows(path):
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def rejected(batch):
    return [
        (line, english_reason(reason))
        for line, reason in batch.rejected_rows.order_by("line").values_list("line", "reason")
    ]


@pytest.fixture
def loaded(day_dir):
    load_day(None, day_dir, DAY)
    return day_dir


# --- customers: fingerprints -------------------------------------------------------------------


def test_unchanged_customer_rows_are_skipped_and_changed_ones_applied(loaded):
    header, rows = read_rows(loaded / "customers.csv")
    rows[0][1] = "新名字"
    write_csv(loaded / "customers.csv", header, rows)

    with mock.patch.object(intake.crypto, "encrypt", wraps=intake.crypto.encrypt) as encrypt:
        batch = load_file(None, loaded / "customers.csv", "customers", NEXT)

    assert encrypt.call_count == 1  # only the changed row was parsed (and its ID number encrypted)
    assert (batch.rows_read, batch.rows_loaded, batch.rows_rejected) == (30, 30, 0)
    assert Customer.objects.get(cif=rows[0][0]).name == "新名字"
    assert IntakeFingerprint.objects.filter(entity="customers").count() == 30


def test_a_customer_changed_in_steward_gets_the_files_values_again(loaded):
    header, rows = read_rows(loaded / "customers.csv")
    customer = Customer.objects.get(cif=rows[0][0])
    customer.name = "改过的名字"
    customer.save()
    Customer.objects.filter(cif=rows[1][0]).update(mobile="13800000000", updated_at=dt.datetime.now(dt.UTC))

    load_file(None, loaded / "customers.csv", "customers", NEXT)

    assert Customer.objects.get(cif=rows[0][0]).name == rows[0][1]
    assert Customer.objects.get(cif=rows[1][0]).mobile == rows[1][6]


def test_a_repeated_customer_row_is_still_refused_when_the_first_one_is_skipped(loaded):
    header, rows = read_rows(loaded / "customers.csv")
    write_csv(loaded / "customers.csv", header, [*rows, rows[0]])

    batch = load_file(None, loaded / "customers.csv", "customers", DAY)

    assert (batch.rows_loaded, batch.rows_rejected) == (30, 1)
    assert rejected(batch) == [(32, f"customer {rows[0][0]} appears twice")]


def test_a_bad_customer_row_is_quarantined_again_on_every_run(loaded):
    header, rows = read_rows(loaded / "customers.csv")
    rows[2][16] = "NOPE"
    write_csv(loaded / "customers.csv", header, rows)
    for _run in range(2):
        batch = load_file(None, loaded / "customers.csv", "customers", NEXT)
        assert rejected(batch) == [(4, "unknown org code NOPE")]


# --- accounts ----------------------------------------------------------------------------------


def test_account_rows_in_odd_forms_get_the_same_verdict_as_the_python_checks(loaded, no_shrink_hold):
    account = Account.objects.select_related("customer", "product").order_by("number").first()
    cif, code = account.customer.cif, account.product.code
    rows = [
        ["6100000000000001", cif, code, "2020-01-31", "", "1000", "2029-02-28"],
        [" 6100000000000002 ", f" {cif}\u3000", code, "", "", "-5.5", ""],  # white space is trimmed
        ["6100000000000002", cif, code, "", "", "1.00", ""],  # the same number once trimmed
        ["6100000000000003", cif, code, "2026-02-30", "", "1.00", ""],
        ["6100000000000004", cif, code, "", "", "1.00", ""],
        ["6100000000000005", cif, "NOPE", "", "", "1.00", ""],
        ["6100000000000006", "NOBODY", code, "", "", "1.00", ""],
        ["6100000000000007", cif, code, "", "", "1.00", "2028-13-01"],
        ["6100000000000008", cif, code, "2024-02-29", "", "+12.5", ""],  # a sign: Python
        ["", cif, code, "", "", "1.00", ""],
        ["6100000000000009", cif, code, "2024-02-29", "", "100", ""],
        [" ", "", "", "", "", " ", ""],  # blank: not counted
    ]
    write_csv(loaded / "accounts.csv", LAYOUTS["accounts"], rows)

    batch = load_file(None, loaded / "accounts.csv", "accounts", DAY)

    assert (batch.rows_read, batch.rows_loaded) == (11, 5)
    assert rejected(batch) == [
        (4, "account appears twice"),
        (5, "opened_on is not a date (YYYY-MM-DD): 2026-02-30"),
        (7, "unknown product code"),
        (8, "unknown customer number"),
        (9, "expires_on is not a date (YYYY-MM-DD): 2028-13-01"),
        (11, "account_no is empty or too long"),
    ]
    balances = dict(DailyBalance.objects.filter(data_date=DAY).values_list("account__number", "balance"))
    assert balances == {
        "6100000000000001": Decimal("1000.00"),
        "6100000000000002": Decimal("-5.50"),
        "6100000000000004": Decimal("1.00"),
        "6100000000000008": Decimal("12.50"),
        "6100000000000009": Decimal("100.00"),
    }
    first = Account.objects.get(number="6100000000000001")
    assert (first.opened_on, first.expires_on) == (dt.date(2020, 1, 31), dt.date(2029, 2, 28))
    # personal data stays masked in the quarantine, whichever check refused the row
    raws = dict(batch.rejected_rows.values_list("line", "raw"))
    assert "6100000000000006" not in raws[8] and "NOBODY" in raws[8]


def test_a_file_with_a_blank_line_loads_with_the_right_line_numbers(loaded):
    header, rows = read_rows(loaded / "accounts.csv")
    rows[3][5] = "x"
    lines = [",".join(header), *(",".join(r) for r in rows[:2]), "", *(",".join(r) for r in rows[2:])]
    (loaded / "accounts.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    batch = load_file(None, loaded / "accounts.csv", "accounts", DAY)

    assert (batch.rows_read, batch.rows_loaded) == (len(rows), len(rows) - 1)
    assert rejected(batch) == [(6, "balance is not an amount")]


def test_a_row_with_a_wrong_number_of_columns_is_quarantined_and_the_rest_loads(loaded):
    header, rows = read_rows(loaded / "accounts.csv")
    rows[0] = rows[0][:4]
    write_csv(loaded / "accounts.csv", header, rows)

    batch = load_file(None, loaded / "accounts.csv", "accounts", DAY)

    assert rejected(batch) == [(2, "4 columns instead of 7")]
    assert batch.rows_loaded == len(rows) - 1 == DailyBalance.objects.filter(data_date=DAY).count()


def test_the_earlier_accounts_layout_without_expiry_is_still_accepted(loaded):
    header, rows = read_rows(loaded / "accounts.csv")
    write_csv(loaded / "accounts.csv", header[:6], [r[:6] for r in rows])

    batch = load_file(None, loaded / "accounts.csv", "accounts", NEXT)

    assert (batch.status, batch.rows_loaded, batch.rows_rejected) == ("loaded", len(rows), 0)


def test_cards_carry_their_expiry_date(loaded):
    cards = Account.objects.filter(product__code__startswith="CC-")
    assert cards.exists() and not cards.filter(expires_on=None).exists()
    assert not Account.objects.exclude(product__code__startswith="CC-").exclude(expires_on=None).exists()


def test_re_running_accounts_rewrites_only_what_changed_in_the_file(loaded):
    header, rows = read_rows(loaded / "accounts.csv")
    untouched = Account.objects.get(number=rows[1][0])
    rows[0][5] = "4321.00"
    gone = rows.pop()
    write_csv(loaded / "accounts.csv", header, rows)

    batch = load_file(None, loaded / "accounts.csv", "accounts", DAY)

    day = DailyBalance.objects.filter(data_date=DAY)
    assert day.count() == batch.rows_loaded == len(rows)
    assert day.get(account__number=rows[0][0]).balance == Decimal("4321.00")
    assert not day.filter(account__number=gone[0]).exists()
    assert Account.objects.get(number=rows[1][0]).updated_at == untouched.updated_at  # master data not rewritten


def test_an_account_moved_to_another_customer_follows_the_file(loaded):
    header, rows = read_rows(loaded / "accounts.csv")
    other = next(r[1] for r in rows if r[1] != rows[0][1])
    rows[0][1] = other
    write_csv(loaded / "accounts.csv", header, rows)

    load_file(None, loaded / "accounts.csv", "accounts", NEXT)

    account = Account.objects.get(number=rows[0][0])
    assert account.customer.cif == other
    assert DailyBalance.objects.get(account=account, data_date=NEXT).customer_id == account.customer_id


def test_an_interrupted_accounts_load_leaves_nothing_and_runs_again(loaded):
    header, rows = read_rows(loaded / "accounts.csv")
    before = DailyBalance.objects.filter(data_date=DAY).count()
    with mock.patch.object(intake, "_day_has_rows", side_effect=RuntimeError("power cut")):
        failed = load_file(None, loaded / "accounts.csv", "accounts", NEXT)
    assert failed.status == IntakeBatch.Status.FAILED and "power cut" in failed.error
    assert not DailyBalance.objects.filter(data_date=NEXT).exists()

    batch = load_file(None, loaded / "accounts.csv", "accounts", NEXT)

    assert batch.status == IntakeBatch.Status.LOADED
    assert DailyBalance.objects.filter(data_date=NEXT).count() == before == len(rows)


def test_progress_is_reported_for_every_file(day_dir):
    seen = []
    load_day(None, day_dir, DAY, progress=lambda entity, done, total: seen.append((entity, done, total)))
    for entity in ("customers", "accounts", "transactions"):
        reports = [(done, total) for e, done, total in seen if e == entity]
        assert reports and reports[-1][0] == reports[-1][1] > 0


# --- transactions ------------------------------------------------------------------------------


def test_transaction_rows_in_odd_forms_get_the_same_verdict_as_the_python_checks(loaded):
    number = Account.objects.order_by("number").values_list("number", flat=True).first()
    rows = [
        ["R1", number, "2026-03-31 09:30:00", "100.00", "C", "mobile", "工资"],
        [" R2 ", f" {number} ", "2026-03-31T10:00:00", "5", "d", " atm ", ""],  # odd but valid
        ["R2", number, "2026-03-31 10:00:00", "5.00", "D", "", ""],  # the same reference once trimmed
        ["R3", number, "2026-03-31 24:00:00", "5.00", "D", "", ""],
        ["R4", number, "2026-03-31 10:00:00", "0.00", "D", "", ""],
        ["R5", number, "2026-03-31 10:00:00", "-1", "D", "", ""],
        ["R6", number, "2026-03-31 10:00:00", "1.00", "X", "", ""],
        ["R7", "6999999999999999", "2026-03-31 10:00:00", "1.00", "C", "", ""],
        ["R8", number, "2026-03-31 10:00:00", "1.00", "C", "x" * 21, ""],
    ]
    write_csv(loaded / "transactions.csv", LAYOUTS["transactions"], rows)

    batch = load_file(None, loaded / "transactions.csv", "transactions", DAY)

    assert (batch.rows_read, batch.rows_loaded) == (9, 2)
    assert rejected(batch) == [
        (4, "reference appears twice"),
        (5, "booked_at is not a date and time (YYYY-MM-DD HH:MM:SS)"),
        (6, "amount must be positive (the direction says in or out)"),
        (7, "amount must be positive (the direction says in or out)"),
        (8, "direction must be C (in) or D (out)"),
        (9, "unknown account"),
        (10, "channel is longer than 20 characters"),
    ]
    got = {t.reference: t for t in Transaction.objects.filter(data_date=DAY)}
    assert set(got) == {"R1", "R2"}
    shanghai = dt.timezone(dt.timedelta(hours=8))
    assert got["R1"].booked_at == dt.datetime(2026, 3, 31, 9, 30, tzinfo=shanghai)
    assert (got["R2"].direction, got["R2"].amount, got["R2"].channel) == ("D", Decimal("5.00"), "atm")
    assert got["R2"].booked_at == dt.datetime(2026, 3, 31, 10, 0, tzinfo=shanghai)


def test_re_running_transactions_replaces_the_day(loaded):
    header, rows = read_rows(loaded / "transactions.csv")
    rows[0][3] = "777.00"
    gone = rows.pop()
    write_csv(loaded / "transactions.csv", header, rows)

    batch = load_file(None, loaded / "transactions.csv", "transactions", DAY)

    day = Transaction.objects.filter(data_date=DAY)
    assert day.count() == batch.rows_loaded == len(rows)
    assert day.get(reference=rows[0][0]).amount == Decimal("777.00")
    assert not day.filter(reference=gone[0]).exists()
