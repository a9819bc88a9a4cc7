"""PLT-12: no code leaks into the UI (issue 13, point 3c).

Audit actions, object types and sources, transaction channels and in/out markers, a job run's
unknown progress and the online-users list's headers are shown as labels in the reader's
language; the stored codes are never what a reader sees.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone, translation

from steward.audit.context import acting_as
from steward.audit.labels import action_label, humanise, source_label
from steward.audit.models import AuditEntry
from steward.audit.services import log_bulk, log_event
from steward.customers.models import Customer
from steward.customers.tests.factories import CustomerFactory
from steward.holdings.models import Account, Product, ProductCategory, Reminder, Transaction
from steward.testing import grant


def visible_text(response) -> str:
    """What a reader sees: the page without its tags, scripts and attributes."""
    assert response.status_code == 200, response.status_code
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def reader(user, language="zh-hans") -> Client:
    browser = Client(HTTP_ACCEPT_LANGUAGE=language)
    browser.force_login(user)
    return browser


# ------------------------------------------------------------------------------------ audit


@pytest.fixture
def auditor(bank):
    grant(bank.admin, "audit.entry:view", "audit.entry:export", scope="all")
    return bank.admin


def test_the_audit_trail_names_actions_object_types_and_sources_by_their_labels(bank, auditor):
    """PLT-12: "customers.transfer", "customers.customer", "job:audit.verify_chain" read as
    客户移交 / 客户 / the job's name; an action nobody registered is humanised, never raw."""
    customer = CustomerFactory(org=bank.north_team, owner=bank.north_rm)
    with acting_as(bank.admin, source="job:audit.verify_chain"):
        log_bulk("customers.transfer", Customer, [customer.pk], actor=bank.admin)
        log_event("testing.something_new", customer, actor=bank.admin)

    text = visible_text(reader(auditor).get("/audit/"))

    assert "客户移交" in text and "customers.transfer" not in text
    assert "1 × 客户" in text and "customers.customer" not in text
    assert "校验审计日志" in text and "job:audit.verify_chain" not in text
    assert "Something new" in text and "testing.something_new" not in text


def test_an_audit_entry_page_shows_the_action_source_and_changed_fields_by_their_labels(bank, auditor):
    """PLT-12: the entry's page reads 登录 / 网页 and the changed field's name (手机号), not
    auth.login, web or the model's attribute name."""
    from steward.audit.context import AuditContext, activate

    with activate(AuditContext(source="web")):
        entry = log_event("auth.login", bank.north_rm, actor=bank.north_rm)
        changed = log_event("update", bank.north_rm, changes={"mobile": ["139****0001", "139****0002"]})

    text = visible_text(reader(auditor).get(f"/audit/{entry.pk}/"))
    assert "登录" in text and "auth.login" not in text
    assert "网页" in text and " web " not in text
    text = visible_text(reader(auditor).get(f"/audit/{changed.pk}/"))
    assert "修改" in text
    assert " mobile " not in text


def test_the_audit_export_carries_labels(bank, auditor):
    """PLT-12: the export shows what the page shows."""
    from io import BytesIO

    from openpyxl import load_workbook

    log_event("privacy.unmasked", bank.north_rm, actor=bank.admin)
    response = reader(auditor, "en").get("/audit/", {"export": "xlsx"})
    values = {c.value for row in load_workbook(BytesIO(response.content)).active.iter_rows() for c in row}
    assert "Personal data revealed" in values and "privacy.unmasked" not in values
    assert "employee" in values and "org.employee" not in values


def test_labels_fall_back_to_words_never_to_the_code():
    """PLT-12: an unregistered action or source still reads as words."""
    assert humanise("holdings.intake_refused") == "Intake refused"
    assert action_label("somebody.did_a_thing") == "Did a thing"
    assert source_label("batch:nightly_run") == "Nightly run"
    assert AuditEntry._meta.get_field("action")  # labels never replace the stored code


# ------------------------------------------------------------------- transactions, reminders


@pytest.fixture
def account(bank):
    customer = CustomerFactory(org=bank.north_team, owner=bank.north_rm)
    product = Product.objects.create(
        code="P-DEMAND", name="活期储蓄", category=ProductCategory.objects.get(code="demand")
    )
    return Account.objects.create(number="6222000011112222", customer=customer, product=product)


def test_transactions_show_channels_and_directions_by_their_labels(bank, account):
    """PLT-12: the counter channel reads 柜面 and the direction 贷记（入账）, not counter / C."""
    from steward.basedata.services import code_choices

    with translation.override("zh-hans"):  # declared, created on migrate
        assert dict(code_choices("transaction_channel", blank=False))["counter"] == "柜面"
    now = timezone.now()
    Transaction.objects.create(
        reference="T1", account=account, customer=account.customer, data_date=now.date(), booked_at=now,
        amount=Decimal("1234567.80"), direction="C", channel="counter", description="转入",
    )  # fmt: skip
    grant(bank.north_rm, "customers.customer:view", "holdings.transaction:view", scope="own")

    text = visible_text(reader(bank.north_rm).get(f"/holdings/customer/{account.customer_id}/transactions/"))

    row = text.split("转入")[0].rsplit("记账时间", 1)[-1]
    assert "柜面" in row and "counter" not in row
    assert "贷记（入账）" in row and " C " not in row
    assert "1,234,567.80" in row


def test_a_large_transaction_reminder_reads_money_in_not_c(bank, account):
    """PLT-12: the reminder list and the customer's service history say 入账 and group the amount,
    where they showed the transaction's direction code C and 600000.00."""
    day = timezone.localdate()
    Reminder.objects.create(
        kind="large_txn", customer=account.customer, owner=bank.north_rm, subject="TBIG", due_on=day,
        data_date=day, amount=Decimal("600000.00"), text="C",
    )  # fmt: skip
    grant(bank.north_rm, "customers.customer:view", "customers.tab:service", "holdings.reminder:view", scope="own")
    browser = reader(bank.north_rm)

    reminders = visible_text(browser.get("/holdings/reminders/"))
    assert "入账" in reminders and " C " not in reminders
    history = visible_text(browser.get(f"/customers/{account.customer_id}/tab/service/"))
    assert "入账 · 600,000.00" in history
    assert "C · " not in history


# ------------------------------------------------------------------------------- jobs, online


def test_a_run_whose_progress_is_unknown_never_shows_none_percent(bank):
    """PLT-12: a run that reported a total of 0 (or no done count yet) shows no "None%"."""
    from steward.jobs.models import Job, JobRun

    grant(bank.admin, "jobs.job:view", scope="all")
    job = Job.objects.get(key="audit.verify_chain")
    running = JobRun.objects.create(job=job, status="running", started_at=timezone.now(), progress_total=0)
    finished = JobRun.objects.create(
        job=job, status="succeeded", started_at=timezone.now(), finished_at=timezone.now(), progress_total=0
    )
    # the run holds its job's lease, as a live worker's run does
    Job.objects.filter(pk=job.pk).update(locked_by_run=running, locked_until=timezone.now() + dt.timedelta(hours=1))
    browser = reader(bank.admin, "en")

    running_text = visible_text(browser.get(f"/jobs/runs/{running.pk}/"))
    assert "None%" not in running_text and "0 / 0" in running_text
    assert "progress-bar-indeterminate" in browser.get(f"/jobs/runs/{running.pk}/").content.decode()
    assert "(100%)" in visible_text(browser.get(f"/jobs/runs/{finished.pk}/"))


def test_the_online_users_list_names_its_columns(bank):
    """PLT-12: the headers read IP 地址 / 登录时间 / 最近活动 / 浏览器, not the session model's
    attribute names (Ip address, Started at, Last seen, User agent)."""
    grant(bank.admin, "org.employee:view", "org.employee:online", scope="all")
    browser = reader(bank.admin)
    response = browser.get("/org/employees/online/")
    text = visible_text(response)

    for header in ("IP 地址", "登录时间", "最近活动", "浏览器"):
        assert header in text
    for code in ("Ip address", "Started at", "Last seen", "User agent"):
        assert code not in text


def test_an_intake_file_and_day_are_named_by_their_labels(db):
    """PLT-12: an intake file reads "核心系统 · 账户与余额 · 2026-03-31" (in filters and the audit
    trail), not core/accounts; an intake day names its state, not "derived"."""
    from django.utils import translation

    from steward.holdings.models import IntakeBatch, IntakeDay

    batch = IntakeBatch(source="core", entity="accounts", data_date=dt.date(2026, 3, 31))
    day = IntakeDay(data_date=dt.date(2026, 3, 31), state="derived")
    with translation.override("zh-hans"):
        assert "core" not in str(batch) and "accounts" not in str(batch)
        assert str(batch).endswith("2026-03-31")
        assert "derived" not in str(day)
