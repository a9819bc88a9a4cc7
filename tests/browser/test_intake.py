"""The Data intake page as an operator uses it (DAT-01, issue 12 point 4), in English and Chinese:
a refused file's reason, a load running with its progress, a held day to confirm, a file's
rejected rows with their line."""

from __future__ import annotations

import importlib
import os

import pytest
from django.apps import apps
from django.core.cache import caches
from django.utils import timezone
from playwright.sync_api import expect

from conftest import Bank
from steward.holdings.generator import generate_day
from steward.holdings.intake import LAYOUTS, load_day, load_file, this_runner
from steward.holdings.models import Account, IntakeBatch
from steward.holdings.progress import LoadProgress
from steward.holdings.tests.conftest import DAY, write_csv
from steward.testing import TEST_PASSWORD, grant
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("STEWARD_BROWSER_SHOTS", "")


@pytest.fixture
def intake(transactional_db, tmp_path):
    for name in ("default", "progress"):  # parameters and progress of an earlier test's database
        caches[name].clear()
    # The product categories come from a data migration, which an earlier transactional test's flush
    # removed (serialized rollback instead clashes with content types other tests leave behind).
    importlib.import_module("steward.holdings.migrations.0002_default_categories").create_categories(apps, None)
    bank = Bank()
    grant(bank.admin, "holdings.intake:view", "holdings.intake:confirm", "jobs.job:view", "jobs.job:run", scope="all")
    day = tmp_path / DAY.isoformat()
    generate_day(day, 30, DAY, orgs=["N1T1", "S1T1"], owners=["NRM", "SRM"], seed=7)
    load_day(None, day, DAY)
    account = Account.objects.order_by("number").first()
    write_csv(
        day / "transactions.csv",
        LAYOUTS["transactions"],
        [
            ["T-OK-1", account.number, f"{DAY} 09:00:00", "10.00", "C", "atm", "ok"],
            ["T-BAD-2", account.number, f"{DAY} 09:05:00", "ten", "C", "atm", "bad amount"],
        ],
    )
    bad = load_file(None, day / "transactions.csv", "transactions", DAY)
    (tmp_path / "cards").mkdir()
    (tmp_path / "cards" / "accounts.csv").write_text("card_no,holder\n1,2\n")
    load_day(None, tmp_path / "cards", DAY, source="cards")
    IntakeBatch.objects.create(
        source="loans",
        entity="accounts",
        data_date=DAY,
        status=IntakeBatch.Status.RUNNING,
        file_name="accounts.csv",
        runner=this_runner(),
        started_at=timezone.now(),
    )
    LoadProgress("loans", DAY)("accounts", 123_456, 400_000)
    IntakeBatch.objects.filter(source="core", entity="products", data_date=DAY).update(
        status=IntakeBatch.Status.HELD, file_path=str(day / "products.csv")
    )
    return bank, bad


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_intake_page_shows_reasons_progress_held_days_and_rejected_lines(page, intake, language):
    bank, bad = intake
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.base_url}])
    log_in(page, bank.admin.employee_no, TEST_PASSWORD)
    page.goto(page.base_url + "/holdings/intake/")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/intake-{language}.png", full_page=True)

    running = page.locator("[data-testid=running-load]")
    expect(running).to_have_count(1)
    # Grouped as the reader's locale groups numbers (Django's zh-Hans format has no separator).
    expect(running.locator("[data-testid=load-progress]")).to_contain_text(
        "123,456"
    )  # grouped in both languages (PLT-12)
    expect(running.locator("[data-testid=load-progress]")).to_contain_text("30%")
    reason = page.locator("[data-testid=attention-reason]").first
    expect(reason).to_contain_text("accounts.csv")
    expect(page.locator("[data-testid=confirm-held]")).to_be_visible()
    expect(page.locator("[data-testid=run-drop-folder]")).to_be_visible()
    if language == "en":
        expect(reason).to_contain_text("Wrong header in accounts.csv")
    else:
        expect(reason).to_contain_text("表头有误")

    page.goto(f"{page.base_url}/holdings/intake/{bad.pk}/")
    expect(page.locator("[data-testid=rejected-line]")).to_have_text(["3"])
    expect(page.locator("#list-table")).to_contain_text("T-BAD-2")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/batch-{language}.png", full_page=True)
    page.goto(f"{page.base_url}/holdings/intake/rejected/?batch={bad.pk}")
    expect(page.locator("[data-testid=rejected-line]")).to_have_text(["3"])
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/rejected-{language}.png", full_page=True)
