"""Every source loads on its own; a day's figures wait for the manifest; a shrunk snapshot is held;
a crashed or killed load recovers (issue 12, points 3 and 4). Files come from tests/bank_files.py,
not from the generator the intake ships. Every test runs on SQLite and on PostgreSQL."""

import datetime as dt
import importlib
import io
import json
import os
import signal
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import connection
from rest_framework.test import APIClient

from steward.audit.models import AuditEntry
from steward.core.errors import DomainError
from steward.customers.models import Customer
from steward.holdings import intake, services
from steward.holdings.intake import load_day, load_file
from steward.holdings.models import DailyBalance, DailyFigures, IntakeBatch, IntakeDay, TierChange, Transaction
from steward.holdings.reasons import english_reason
from steward.holdings.tests import bank_files as files
from steward.holdings.tests.conftest import set_parameter
from steward.testing import grant

D1, D2, D3 = dt.date(2026, 3, 30), dt.date(2026, 3, 31), dt.date(2026, 4, 1)
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def customers(bank, tmp_path):
    """Products and four customers, loaded as core banking's master data."""
    master = tmp_path / "master"
    files.write(master, "products", files.PRODUCTS)
    files.write(master, "customers", [files.customer(f"C{i}", f"客户{i}", serial=i) for i in range(1, 5)])
    load_day(None, master, D1)
    return {c.cif: c for c in Customer.objects.all()}


def manifest(value: dict) -> None:
    set_parameter("holdings.intake_manifest", json.dumps(value))


def aum(cif: str) -> Decimal:
    return Customer.objects.get(cif=cif).figures.aum


def balances(day, source=None):
    rows = DailyBalance.objects.filter(data_date=day)
    if source:
        rows = rows.filter(source=source)
    return dict(rows.values_list("account__number", "balance"))


# --- a day is the union of its sources ------------------------------------------------------------


def test_two_sources_keep_both_and_a_re_run_of_one_replaces_only_its_own_rows(customers, tmp_path):
    """DAT-01: the card system's file no longer deletes core banking's balances of the day."""
    manifest({"core": ["accounts"], "cards": ["accounts"]})
    files.write(tmp_path / "core", "accounts", [files.account("A1", "C1", balance="80000.00")])
    files.write(tmp_path / "cards", "accounts", [files.account("K1", "C1", "CARD", "500.00")])

    load_day(None, tmp_path / "core", D2, source="core")
    assert IntakeDay.objects.get(data_date=D2).state == IntakeDay.State.WAITING
    assert "cards: accounts" in IntakeDay.objects.get(data_date=D2).waiting_for
    assert not DailyFigures.objects.filter(data_date=D2).exists()  # not derived from half a day
    load_day(None, tmp_path / "cards", D2, source="cards")

    assert balances(D2) == {"A1": Decimal("80000.00"), "K1": Decimal("500.00")}
    assert IntakeDay.objects.get(data_date=D2).state == IntakeDay.State.DERIVED
    figures = Customer.objects.get(cif="C1").figures
    assert (figures.aum, figures.as_of) == (Decimal("80000.00"), D2)
    core_row = DailyBalance.objects.get(account__number="A1", data_date=D2)

    files.write(tmp_path / "cards", "accounts", [files.account("K1", "C1", "CARD", "900.00")])
    load_day(None, tmp_path / "cards", D2, source="cards")

    assert balances(D2) == {"A1": Decimal("80000.00"), "K1": Decimal("900.00")}
    assert DailyBalance.objects.get(account__number="A1", data_date=D2).pk == core_row.pk  # untouched
    assert DailyFigures.objects.get(customer__cif="C1", data_date=D2).liabilities == Decimal("900.00")


def test_three_sources_a_source_re_run_that_drops_a_row_removes_only_that_row(customers, tmp_path, no_shrink_hold):
    """DAT-01: three sources make one day; re-running one source changes its rows and the figures
    of the customers it touches, nothing else."""
    manifest({"core": ["accounts"], "cards": ["accounts"], "funds": ["accounts"]})
    files.write(tmp_path / "core", "accounts", [files.account("A1", "C1", balance="1000.00")])
    files.write(tmp_path / "cards", "accounts", [files.account("K2", "C2", "CARD", "300.00")])
    funds = [files.account("F1", "C1", "FUND", "2000.00"), files.account("F2", "C2", "FUND", "4000.00")]
    files.write(tmp_path / "funds", "accounts", funds)
    files.write(tmp_path / "funds", "transactions", [files.txn("T1", "F1")])
    files.write(tmp_path / "core", "transactions", [files.txn("T1", "A1", "20.00")])  # the same reference
    for source in ("core", "cards", "funds"):
        load_day(None, tmp_path / source, D2, source=source)
    assert (aum("C1"), aum("C2")) == (Decimal("3000.00"), Decimal("4000.00"))
    assert Transaction.objects.filter(data_date=D2, reference="T1").count() == 2  # one per source

    files.write(tmp_path / "funds", "accounts", funds[:1])
    files.write(tmp_path / "funds", "transactions", [])
    load_day(None, tmp_path / "funds", D2, source="funds")

    assert balances(D2) == {"A1": Decimal("1000.00"), "K2": Decimal("300.00"), "F1": Decimal("2000.00")}
    assert (aum("C1"), aum("C2")) == (Decimal("3000.00"), Decimal("0.00"))
    assert list(Transaction.objects.filter(data_date=D2).values_list("source", "amount")) == [
        ("core", Decimal("20.00"))
    ]


def test_an_account_one_source_delivered_is_refused_from_another_source_for_the_day(customers, tmp_path):
    """DAT-01: a balance belongs to one source of the day; a second source's row for it is a rejected row."""
    files.write(tmp_path / "core", "accounts", [files.account("A1", "C1", balance="10.00")])
    files.write(tmp_path / "cards", "accounts", [files.account("A1", "C1", balance="99.00")])
    load_day(None, tmp_path / "core", D2)

    batch = load_file(None, tmp_path / "cards" / "accounts.csv", "accounts", D2, source="cards")

    assert [(line, english_reason(reason)) for line, reason in batch.rejected_rows.values_list("line", "reason")] == [
        (2, "another source delivered this account for the day")
    ]
    assert balances(D2) == {"A1": Decimal("10.00")}


def test_days_loaded_out_of_order_give_each_day_its_own_figures(customers, tmp_path):
    """DAT-01: day 2 loaded before day 1 — the figures move to day 2 and stay there."""
    files.write(tmp_path / "d2", "accounts", [files.account("A1", "C1", balance="200.00")])
    files.write(tmp_path / "d1", "accounts", [files.account("A1", "C1", balance="100.00")])
    load_day(None, tmp_path / "d2", D2)
    load_day(None, tmp_path / "d1", D1)

    daily = dict(DailyFigures.objects.filter(customer__cif="C1").values_list("data_date", "aum"))
    assert daily == {D1: Decimal("100.00"), D2: Decimal("200.00")}
    figures = Customer.objects.get(cif="C1").figures
    assert (figures.as_of, figures.aum, figures.avg_daily_assets_month) == (D2, Decimal("200.00"), Decimal("9.68"))


def test_intra_day_api_uploads_add_to_the_day_and_never_derive_half_a_day(customers, tmp_path, bank):
    """DAT-07: an API upload of one balance and one transaction adds to the day; before the day's
    delivery is in, no figures are derived from it (nobody's AUM drops to the uploaded part)."""
    files.write(tmp_path / "d2", "accounts", [files.account("A1", "C1", balance="70000.00")])
    files.write(tmp_path / "d2", "transactions", [files.txn("T1", "A1")])
    load_day(None, tmp_path / "d2", D2)
    grant(bank.admin, "holdings.intake:view", "holdings.intake:upload")
    api = APIClient()
    api.force_authenticate(bank.admin)

    def upload(entity, rows, day):
        path = files.write(tmp_path / "api", entity, rows)
        handle = io.BytesIO(path.read_bytes())
        handle.name = path.name
        payload = {"entity": entity, "data_date": day.isoformat(), "file": handle}
        return api.post("/api/v1/intake-batches/upload/", payload, format="multipart")

    response = upload("transactions", [files.txn("T2", "A1", "5.00")], D2)
    assert response.status_code == 201, response.content
    assert response.json()[0]["part"].startswith("api-")
    assert set(Transaction.objects.filter(data_date=D2).values_list("reference", flat=True)) == {"T1", "T2"}
    assert upload("accounts", [files.account("A2", "C2", balance="5.00")], D2).status_code == 201
    assert balances(D2) == {"A1": Decimal("70000.00"), "A2": Decimal("5.00")}  # added, nothing wiped
    assert aum("C2") == Decimal("5.00")  # the complete day's figures follow the part

    # The next day: an intra-day part alone does not make the day.
    assert upload("accounts", [files.account("A2", "C2", balance="6.00")], D3).status_code == 201
    assert IntakeDay.objects.get(data_date=D3).state == IntakeDay.State.WAITING
    figures = Customer.objects.get(cif="C1").figures
    assert (figures.as_of, figures.aum) == (D2, Decimal("70000.00"))
    assert not TierChange.objects.filter(data_date=D3).exists()


# --- bad deliveries zero nobody ---------------------------------------------------------------------


@pytest.fixture
def day_two(customers, tmp_path):
    """Day 2 loaded: C1 and C2 hold 金卡 money."""
    rows = [files.account("A1", "C1", balance="80000.00"), files.account("A2", "C2", balance="60000.00")]
    files.write(tmp_path / "d2", "accounts", rows)
    load_day(None, tmp_path / "d2", D2)
    assert Customer.objects.get(cif="C1").figures.tier == "金卡"
    return rows


def unchanged_since_day_two():
    c1 = Customer.objects.get(cif="C1").figures
    return (
        (c1.as_of, c1.aum, c1.tier) == (D2, Decimal("80000.00"), "金卡")
        and not TierChange.objects.filter(data_date=D3).exists()
        and not DailyFigures.objects.filter(data_date=D3).exists()
    )


def test_a_refused_accounts_file_zeroes_nobody(day_two, tmp_path):
    """DAT-01, DAT-03: a wrong header refuses the file; the day waits, nobody's AUM or tier moves."""
    (tmp_path / "d3").mkdir()
    (tmp_path / "d3" / "accounts.csv").write_text("number,customer,balance\nA1,C1,1\n")
    files.write(tmp_path / "d3", "transactions", [files.txn("T1", "A1", booked="2026-04-01 09:00:00")])

    result = load_day(None, tmp_path / "d3", D3)

    assert [b.status for b in result.batches] == ["refused", "loaded"]
    assert "core: accounts (Refused)" in result.waiting_for
    assert unchanged_since_day_two()


def test_a_missing_accounts_file_zeroes_nobody(day_two, tmp_path):
    """DAT-01: a day delivered without its accounts file waits for it."""
    files.write(tmp_path / "d3", "transactions", [files.txn("T1", "A1", booked="2026-04-01 09:00:00")])

    result = load_day(None, tmp_path / "d3", D3)

    assert result.waiting_for == "core: accounts"
    assert IntakeDay.objects.get(data_date=D3).waiting_for == "core: accounts"
    assert unchanged_since_day_two()


def test_a_header_only_accounts_file_is_held_until_an_operator_confirms_it(day_two, tmp_path, bank):
    """DAT-01, DAT-03: a snapshot shrunk below the threshold (here: empty) is held — nothing of it
    applied, nobody's AUM zeroed, no tier downgrades — until confirmed (audited) or delivered again."""
    files.write(tmp_path / "d3", "accounts", [])

    result = load_day(None, tmp_path / "d3", D3)

    batch = result.batches[0]
    assert (batch.status, batch.get_status_display()) == ("held", "Held for confirmation")
    assert "0 rows against 2 in the previous snapshot of core" in batch.error
    assert unchanged_since_day_two()
    assert services.pending_days(tmp_path) == []  # the job does not retry a held file by itself

    with pytest.raises(PermissionDenied):
        services.confirm_held_day(bank.north_rm, source="core", data_date=D3)  # without the permission
    grant(bank.admin, "holdings.intake:confirm")
    confirmed = services.confirm_held_day(bank.admin, source="core", data_date=D3)

    assert confirmed.batches[0].status == "loaded" and confirmed.waiting_for == ""
    c1 = Customer.objects.get(cif="C1").figures
    assert (c1.as_of, c1.aum, c1.tier) == (D3, Decimal("0.00"), "普通")
    assert TierChange.objects.filter(data_date=D3).count() == 2
    entry = AuditEntry.objects.get(action="holdings.intake_hold_confirmed")
    assert entry.actor_id == bank.admin.pk and entry.object_id == str(batch.pk)


def test_a_snapshot_above_the_threshold_loads_and_the_threshold_is_a_parameter(day_two, tmp_path):
    """DAT-01: 1 row of 2 is 50 % — not below the default threshold; a stricter threshold holds it."""
    files.write(tmp_path / "d3", "accounts", day_two[:1])
    assert load_day(None, tmp_path / "d3", D3).batches[0].status == "loaded"
    set_parameter("holdings.intake_hold_shrink_ratio", "0.75")
    assert load_day(None, tmp_path / "d3", D3).batches[0].status == "held"


# --- crashed and killed loads recover ------------------------------------------------------------


def test_a_crash_during_the_figures_leaves_the_day_pending_and_the_job_derives_it(day_two, tmp_path, monkeypatch):
    """DAT-01: the figures and the day's state commit together — a failure during the figures never
    leaves a day "derived" without figures, and the drop-folder job derives the pending day."""
    files.write(tmp_path / "d3", "accounts", day_two)

    def power_cut(*args, **kwargs):
        raise RuntimeError("power cut")

    with monkeypatch.context() as patch:
        patch.setattr("steward.holdings.figures.raise_reminders", power_cut)
        result = load_day(None, tmp_path / "d3", D3)
    assert result.batches[0].status == "loaded" and "figures failed" in result.waiting_for
    assert IntakeDay.objects.get(data_date=D3).state == IntakeDay.State.PENDING
    assert not DailyFigures.objects.filter(data_date=D3).exists()

    services.load_drop_folder(now=dt.datetime(2026, 4, 2, 2, tzinfo=dt.UTC))

    assert IntakeDay.objects.get(data_date=D3).state == IntakeDay.State.DERIVED
    assert Customer.objects.get(cif="C1").figures.as_of == D3


def test_a_load_whose_process_died_is_recovered_at_once_and_one_past_its_lease_too(customers, tmp_path):
    """DAT-01: a batch left "running" by a dead process (here: a real process that has ended) is
    marked failed and loaded again at once; one of another machine after the lease parameter."""
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = IntakeBatch.objects.create(
        source="core", entity="accounts", data_date=D2, status="running", runs=1,
        runner=f"{intake.socket.gethostname()}:{finished.stdout.strip()}", started_at=dt.datetime.now(dt.UTC),
    )  # fmt: skip
    files.write(tmp_path / "d2", "accounts", [files.account("A1", "C1")])

    batch = load_file(None, tmp_path / "d2" / "accounts.csv", "accounts", D2)

    assert batch.pk == dead.pk and batch.status == "loaded" and batch.runs == 2
    assert AuditEntry.objects.filter(action="holdings.intake_recovered", object_id=str(dead.pk)).exists()

    now = dt.datetime(2026, 4, 2, 2, tzinfo=dt.UTC)
    elsewhere = IntakeBatch.objects.create(
        source="core", entity="accounts", data_date=D3, status="running", runs=1,
        runner="another-host:123", started_at=now - dt.timedelta(minutes=10),
    )  # fmt: skip
    with pytest.raises(DomainError, match="is being loaded since"):
        load_file(None, tmp_path / "d2" / "accounts.csv", "accounts", D3, now=now)
    assert intake.recover_dead_runs(now + dt.timedelta(minutes=25)) == [elsewhere]  # lease: 30 minutes
    elsewhere.refresh_from_db()
    assert elsewhere.status == "failed" and "Load the file again" in elsewhere.error


def test_an_unexpected_error_never_leaves_a_batch_running(customers, tmp_path, monkeypatch):
    """DAT-01: whatever stops a load, its batch reads failed with the reason, and nothing was applied."""
    files.write(tmp_path / "d2", "accounts", [files.account("A1", "C1")])
    monkeypatch.setattr(intake, "_reject_unmatched", lambda *a: 1 / 0)

    batch = load_file(None, tmp_path / "d2" / "accounts.csv", "accounts", D2)

    assert batch.status == "failed" and "ZeroDivisionError" in batch.error
    assert not DailyBalance.objects.exists()


KILL_SCRIPT = """
import os, signal, sys, datetime as dt
import django
django.setup()
from steward.holdings import figures, intake
target = sys.argv[1]
def kill(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
if target == "figures":
    figures.raise_reminders = kill
else:
    intake._reject_unmatched = kill
intake.load_day(None, sys.argv[2], dt.date.fromisoformat(sys.argv[3]))
"""


def run_and_kill(target: str, directory: Path, day: dt.date, tmp_path: Path) -> int:
    from steward.jobs.tests.test_real_worker import test_database_url

    env = {**os.environ, "DATABASE_URL": test_database_url(), "STEWARD_TESTING": "1", "STEWARD_VAR_DIR": str(tmp_path)}
    process = subprocess.run(
        [sys.executable, "-c", KILL_SCRIPT, target, str(directory), day.isoformat()],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert process.returncode == -signal.SIGKILL, process.stderr
    return process


@pytest.mark.django_db(transaction=True)
def test_kill_9_during_the_figures_and_during_a_file_are_recovered(bank, tmp_path):
    """DAT-01 (issue 12 done-when "a killed load recovers"): a real process loading a day is killed
    with SIGKILL during the figures — the day is not "derived" and the drop-folder job derives it —
    and during a file — its batch is taken over at once by the next load."""
    if connection.vendor != "postgresql":
        pytest.skip("another process cannot open pytest's in-memory SQLite database")
    # The product categories come from a data migration, which an earlier transactional test's
    # flush removed (the CI failure under xdist: every product refused, so every account, AUM 0.00).
    importlib.import_module("steward.holdings.migrations.0002_default_categories").create_categories(apps, None)
    master = tmp_path / "master"
    files.write(master, "products", files.PRODUCTS)
    files.write(master, "customers", [files.customer("C1", "客户一")])
    files.write(master, "accounts", [files.account("A1", "C1", balance="80000.00")])

    run_and_kill("figures", master, D2, tmp_path)

    assert IntakeBatch.objects.get(entity="accounts").status == "loaded"
    assert IntakeDay.objects.get(data_date=D2).state == IntakeDay.State.PENDING
    assert not DailyFigures.objects.exists()
    services.load_drop_folder(now=dt.datetime(2026, 4, 2, 2, tzinfo=dt.UTC))
    assert IntakeDay.objects.get(data_date=D2).state == IntakeDay.State.DERIVED
    assert Customer.objects.get(cif="C1").figures.aum == Decimal("80000.00")

    day3 = tmp_path / "d3"
    files.write(day3, "accounts", [files.account("A1", "C1", balance="90000.00")])
    run_and_kill("file", day3, D3, tmp_path)
    killed = IntakeBatch.objects.get(entity="accounts", data_date=D3)
    assert killed.status == "running"  # what the dead process left

    batch = load_file(None, day3 / "accounts.csv", "accounts", D3)

    assert batch.pk == killed.pk and batch.status == "loaded"
    assert AuditEntry.objects.filter(action="holdings.intake_recovered", object_id=str(killed.pk)).exists()
    assert balances(D3) == {"A1": Decimal("90000.00")}


def test_the_api_lists_each_days_figures_state_and_confirms_a_held_snapshot(day_two, tmp_path, bank):
    """DAT-01, DAT-07: GET intake-days/ says what a day waits for; POST intake-days/confirm-held/
    applies a held snapshot for holders of holdings.intake:confirm only; outsiders see nothing."""
    files.write(tmp_path / "d3", "accounts", [])
    load_day(None, tmp_path / "d3", D3)
    grant(bank.admin, "holdings.intake:view")
    api = APIClient()
    api.force_authenticate(bank.admin)

    listed = api.get("/api/v1/intake-days/").json()
    days = {row["data_date"]: row for row in listed["results"]}
    assert D3.isoformat() in days, listed
    assert days[D3.isoformat()]["state"] == "waiting"
    assert days[D3.isoformat()]["waiting_for"] == "core: accounts (Held for confirmation)"
    payload = {"source": "core", "data_date": D3.isoformat()}
    assert api.post("/api/v1/intake-days/confirm-held/", payload, format="json").status_code == 403

    grant(bank.admin, "holdings.intake:confirm")
    response = api.post("/api/v1/intake-days/confirm-held/", payload, format="json")
    assert response.status_code == 200 and response.json()[0]["status"] == "loaded"
    assert IntakeDay.objects.get(data_date=D3).state == IntakeDay.State.DERIVED
    assert api.post("/api/v1/intake-days/confirm-held/", payload, format="json").status_code == 400  # nothing held

    outsider = APIClient()
    outsider.force_authenticate(bank.south_rm)
    assert outsider.get("/api/v1/intake-days/").status_code == 403
