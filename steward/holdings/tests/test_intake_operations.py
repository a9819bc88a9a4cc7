"""DAT-01, issue 12 point 4 (operations): the Data intake page shows refused files with their reason,
rejected rows with their physical line, loads running now with their progress; the API exposes
batches and rejected rows; only holders of holdings.intake:view see any of it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation
from rest_framework.test import APIClient

from steward.holdings.intake import LAYOUTS, load_day, load_file, this_runner
from steward.holdings.models import Account, IntakeBatch
from steward.holdings.progress import LoadProgress, read_progress
from steward.holdings.reasons import english_reason, shown_reason, stored_reason
from steward.holdings.tests.conftest import DAY, write_csv
from steward.jobs import services as job_services
from steward.jobs.models import Job, JobRun
from steward.testing import grant

INTAKE_PAGE = "/holdings/intake/"


@pytest.fixture
def operator(bank):
    grant(bank.admin, "holdings.intake:view", scope="all")
    return bank.admin


@pytest.fixture
def operator_client(client, operator):
    client.force_login(operator)
    return client


@pytest.fixture
def operator_api(operator):
    api = APIClient()
    api.force_authenticate(operator)
    return api


def refuse_transactions_header(day_dir):
    lines = (day_dir / "transactions.csv").read_text().splitlines()
    (day_dir / "transactions.csv").write_text("\n".join(["ref,account,when,amount,dir,channel,text", *lines[1:]]))


def test_a_refused_file_s_reason_is_on_the_intake_page_and_in_the_api(day_dir, operator_client, operator_api):
    """DAT-01 / issue 12: "a refused file's reason never reached the intake page"."""
    refuse_transactions_header(day_dir)
    load_day(None, day_dir, DAY)
    refused = IntakeBatch.objects.get(entity="transactions", data_date=DAY)
    assert refused.status == IntakeBatch.Status.REFUSED

    page = operator_client.get(INTAKE_PAGE).content.decode()
    detail = operator_client.get(f"/holdings/intake/{refused.pk}/").content.decode()
    api = operator_api.get(f"/api/v1/intake-batches/{refused.pk}/").json()

    assert 'data-testid="intake-attention"' in page
    attention = page.split('data-testid="intake-attention"', 1)[1]
    assert "Wrong header in transactions.csv" in attention and "ref,account,when" in attention
    assert 'data-testid="batch-reason"' in detail and "Wrong header in transactions.csv" in detail
    assert api["status"] == "refused" and api["status_label"] == "Refused"
    assert api["error"].startswith("Wrong header in transactions.csv")


def test_a_stored_reason_is_shown_in_the_reader_s_language(monkeypatch):
    """Issue 12: the reason is stored as source text and parameters, and shown in the reader's
    language (the zh-Hans catalogue is filled by the translators; here a stand-in catalogue)."""
    message = "Wrong header in %(file)s: expected %(expected)s, found %(found)s. Nothing was loaded."
    stored = stored_reason(message, file="accounts.csv", expected="a,b", found="x")
    catalogue = {message: "%(file)s 表头错误：应为 %(expected)s，实为 %(found)s。未加载任何数据。"}
    real = translation.gettext

    monkeypatch.setattr(translation, "gettext", lambda text: catalogue.get(text, real(text)))
    assert shown_reason(stored) == "accounts.csv 表头错误：应为 a,b，实为 x。未加载任何数据。"
    monkeypatch.setattr(translation, "gettext", real)
    assert english_reason(stored).startswith("Wrong header in accounts.csv: expected a,b")
    assert "Wrong header in accounts.csv" in stored  # plain-text searches still find it
    assert shown_reason("A reason written before this change.") == "A reason written before this change."


def load_transactions_with_a_bad_row(day_dir):
    """A transactions file whose third physical line has an amount that is not one."""
    load_day(None, day_dir, DAY)
    account = Account.objects.order_by("number").first()
    write_csv(
        day_dir / "transactions.csv",
        LAYOUTS["transactions"],
        [
            ["T-OK-1", account.number, f"{DAY} 09:00:00", "10.00", "C", "atm", "ok"],
            ["T-BAD-2", account.number, f"{DAY} 09:05:00", "ten", "C", "atm", "bad amount"],
            ["T-OK-3", account.number, f"{DAY} 09:10:00", "30.00", "D", "atm", "ok"],
        ],
    )
    return load_file(None, day_dir / "transactions.csv", "transactions", DAY), account


def test_a_rejected_row_is_listed_with_its_line_reason_and_masked_row_on_the_page_and_in_the_api(
    day_dir, operator_client, operator_api
):
    """DAT-01: a rejected row keeps its physical line, its reason and its raw row, personal data
    masked — on the file's page, on the list of all rejected rows (filtered by file) and in the API."""
    batch, account = load_transactions_with_a_bad_row(day_dir)
    assert batch.rows_rejected == 1
    row = batch.rejected_rows.get()
    assert row.line == 3
    assert account.number not in row.raw  # the account number is personal data

    detail = operator_client.get(f"/holdings/intake/{batch.pk}/").content.decode()
    listing = operator_client.get("/holdings/intake/rejected/", {"batch": batch.pk}).content.decode()
    other = operator_client.get("/holdings/intake/rejected/", {"batch": batch.pk + 999}).content.decode()
    api = operator_api.get("/api/v1/intake-rejected-rows/", {"batch": batch.pk}).json()

    for html in (detail, listing):
        assert 'data-testid="rejected-line">3<' in html
        assert shown_reason(row.reason) in html and "T-BAD-2" in html and account.number not in html
    assert "T-BAD-2" not in other
    assert api["count"] == 1
    item = api["results"][0]
    assert (item["line"], item["reason"], item["batch"], item["entity"]) == (
        3, shown_reason(row.reason), batch.pk, "transactions"
    )  # fmt: skip
    assert "T-BAD-2" in item["raw"] and account.number not in item["raw"]


def test_a_running_load_shows_rows_done_of_total_and_the_page_polls_only_its_status(operator_client, bank):
    """Issue 12 point 4: while a file loads (its transaction open, so the batch shows as running),
    the page shows the rows done / total and percent the load reported, and refreshes that part."""
    running = IntakeBatch.objects.create(
        source="card",
        entity="accounts",
        data_date=DAY,
        status=IntakeBatch.Status.RUNNING,
        file_name="accounts.csv",
        runner=this_runner(),  # this process: alive
        started_at=timezone.now(),
    )
    LoadProgress("card", DAY)("accounts", 150_000, 600_000)

    page = operator_client.get(INTAKE_PAGE).content.decode()
    panel = operator_client.get(INTAKE_PAGE, {"panel": "status"}, headers={"HX-Request": "true"})

    assert 'data-testid="intake-running"' in page and f'data-batch="{running.pk}"' in page
    assert "150,000 of 600,000 rows (25%)" in page and 'style="width: 25%"' in page
    assert 'hx-trigger="every 2s"' in page
    body = panel.content.decode()
    assert panel.status_code == 200 and "<html" not in body and body.lstrip().startswith('<div id="intake-status"')
    assert "150,000 of 600,000 rows (25%)" in body

    IntakeBatch.objects.filter(pk=running.pk).update(status=IntakeBatch.Status.LOADED)
    idle = operator_client.get(INTAKE_PAGE).content.decode()
    assert 'data-testid="intake-running"' not in idle and 'hx-trigger="every 2s"' not in idle


def test_progress_reported_by_a_load_is_what_the_page_reads(day_dir):
    """The callback every caller passes to load_day publishes each file's rows done / total."""
    reports = []
    load_day(None, day_dir, DAY, progress=LoadProgress("core", DAY, then=lambda *report: reports.append(report)))
    progress = read_progress([("core", "accounts", DAY), ("core", "nothing", DAY)])
    accounts = [r for r in reports if r[0] == "accounts"]
    assert accounts and progress[("core", "accounts", DAY)]["total"] == accounts[-1][2]
    assert progress[("core", "accounts", DAY)]["percent"] == 100
    assert ("core", "nothing", DAY) not in progress


def test_the_drop_folder_job_s_running_run_shows_on_the_intake_page(operator_client, operator, bank):
    """Issue 12 point 4: the scheduled load's run and its progress are linked from the intake page
    (for those who may see the scheduling centre), and it disappears once its worker stopped."""
    grant(operator, "jobs.job:view", scope="all")
    job = job_services.ensure_job("holdings.load_drop_folder")
    run = JobRun.objects.create(job=job, status=JobRun.Status.RUNNING, progress_done=5, progress_total=10)
    Job.objects.filter(pk=job.pk).update(locked_until=timezone.now() + dt.timedelta(minutes=5), locked_by_run=run)

    page = operator_client.get(INTAKE_PAGE).content.decode()
    assert 'data-testid="drop-job-run"' in page and f"/jobs/runs/{run.pk}/" in page

    Job.objects.filter(pk=job.pk).update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    page = operator_client.get(INTAKE_PAGE).content.decode()
    run.refresh_from_db()
    assert 'data-testid="drop-job-run"' not in page and run.status == JobRun.Status.FAILED


def test_the_load_now_button_shows_only_to_those_who_may_run_jobs(day_dir, operator_client, operator):
    """Buttons show only to users who may use them: "Load the drop folder now" needs jobs.job:run."""
    job_services.ensure_job("holdings.load_drop_folder")
    assert 'data-testid="run-drop-folder"' not in operator_client.get(INTAKE_PAGE).content.decode()
    grant(operator, "jobs.job:run", scope="all")
    assert 'data-testid="run-drop-folder"' in operator_client.get(INTAKE_PAGE).content.decode()


def test_without_the_intake_permission_nothing_is_shown(day_dir, client, bank):
    """A user without holdings.intake:view gets 403 on every intake page and API endpoint."""
    refuse_transactions_header(day_dir)
    load_day(None, day_dir, DAY)
    batch = IntakeBatch.objects.get(entity="transactions", data_date=DAY)
    grant(bank.north_manager, "holdings.account:view", "jobs.job:view", "jobs.job:run", scope="subtree")
    client.force_login(bank.north_manager)
    api = APIClient()
    api.force_authenticate(bank.north_manager)

    for url in (INTAKE_PAGE, f"/holdings/intake/{batch.pk}/", "/holdings/intake/rejected/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Wrong header" not in response.content.decode()
    for url in ("/api/v1/intake-batches/", f"/api/v1/intake-batches/{batch.pk}/", "/api/v1/intake-rejected-rows/"):
        assert api.get(url).status_code == 403, url
    assert client.get(INTAKE_PAGE, {"panel": "status"}, headers={"HX-Request": "true"}).status_code == 403


def test_the_rejected_rows_api_is_read_only(operator_api, day_dir):
    batch, _account = load_transactions_with_a_bad_row(day_dir)
    row = batch.rejected_rows.get()
    assert operator_api.delete(f"/api/v1/intake-rejected-rows/{row.pk}/").status_code == 405
    assert operator_api.post("/api/v1/intake-rejected-rows/", {"line": 1}).status_code == 405
    assert operator_api.get(f"/api/v1/intake-rejected-rows/{row.pk}/").json()["line"] == 3


def test_a_held_day_shows_a_confirm_button_only_to_those_who_may_confirm_and_confirming_applies_it(
    day_dir, operator_client, operator
):
    """Issue 12 point 4: a snapshot held for its sharp shrink waits on the intake page; the Confirm
    button shows only with holdings.intake:confirm, and pressing it applies the held file."""
    load_day(None, day_dir, DAY)
    IntakeBatch.objects.filter(source="core", entity="accounts", data_date=DAY).update(
        status=IntakeBatch.Status.HELD, file_path=str(day_dir / "accounts.csv"), error="held for its shrink"
    )

    page = operator_client.get(INTAKE_PAGE).content.decode()
    assert 'data-testid="held-day"' in page and 'data-testid="confirm-held"' not in page
    refused = operator_client.post("/holdings/intake/confirm/", {"source": "core", "data_date": DAY.isoformat()})
    assert refused.status_code == 403

    grant(operator, "holdings.intake:confirm", scope="all")
    page = operator_client.get(INTAKE_PAGE).content.decode()
    assert 'data-testid="confirm-held"' in page
    response = operator_client.post("/holdings/intake/confirm/", {"source": "core", "data_date": DAY.isoformat()})
    assert response.status_code == 302
    batch = IntakeBatch.objects.get(source="core", entity="accounts", data_date=DAY, part="")
    assert batch.status == IntakeBatch.Status.LOADED
    bad = operator_client.post("/holdings/intake/confirm/", {"source": "core", "data_date": "31/03"}, follow=True)
    assert bad.status_code == 200 and "YYYY-MM-DD" in bad.content.decode()


def test_a_reason_written_by_a_chinese_worker_reads_in_english_for_an_english_reader_and_back(
    day_dir, operator_client, settings
):
    """Issue 12: the worker's language does not decide the reader's: a file refused while the load
    ran in Chinese reads in English for an English reader, and in Chinese for a Chinese one."""
    refuse_transactions_header(day_dir)
    with translation.override("zh-hans"):
        load_day(None, day_dir, DAY)
    batch = IntakeBatch.objects.get(entity="transactions", data_date=DAY)

    operator_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = operator_client.get(f"/holdings/intake/{batch.pk}/").content.decode()
    operator_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    chinese = operator_client.get(f"/holdings/intake/{batch.pk}/").content.decode()

    assert "Wrong header in transactions.csv" in english and "表头有误" not in english
    assert "transactions.csv 的表头有误" in chinese


def test_a_rejected_rows_reason_reads_in_each_readers_language_whatever_the_workers(
    day_dir, operator_client, operator_api, settings
):
    """DAT-01 (issue 12, point 4): a row rejected while the load ran in Chinese reads in English
    for an English reader (page, list, export and API) and in Chinese for a Chinese one."""
    with translation.override("zh-hans"):
        batch, _account = load_transactions_with_a_bad_row(day_dir)

    operator_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = operator_client.get(f"/holdings/intake/{batch.pk}/").content.decode()
    listing = operator_client.get("/holdings/intake/rejected/", {"batch": batch.pk}).content.decode()
    operator_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    chinese = operator_client.get(f"/holdings/intake/{batch.pk}/").content.decode()
    with translation.override("zh-hans"):
        in_chinese = translation.gettext("%(column)s is not an amount") % {"column": "amount"}

    assert "amount is not an amount" in english and "amount is not an amount" in listing
    assert in_chinese != "amount is not an amount" and in_chinese not in english
    assert in_chinese in chinese and "amount is not an amount" not in chinese
    api = operator_api.get("/api/v1/intake-rejected-rows/", {"batch": batch.pk}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert api["results"][0]["reason"] == "amount is not an amount"
    # Searching the rejected rows by words of the reason still finds them (the English text is stored).
    found = operator_client.get("/holdings/intake/rejected/", {"q": "not an amount"}).content.decode()
    assert 'data-testid="rejected-line">3<' in found
