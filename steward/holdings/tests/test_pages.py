import datetime as dt
import io
from decimal import Decimal

from django.urls import reverse
from rest_framework.test import APIClient

from steward.customers.models import Customer
from steward.holdings.intake import LAYOUTS, load_day
from steward.holdings.models import Account, IntakeBatch, Reminder, TierChange, Transaction
from steward.holdings.tests.conftest import DAY, write_csv
from steward.testing import TEST_PASSWORD, grant

HOLDINGS = ("holdings.account:view", "holdings.transaction:view", "holdings.reminder:view", "holdings.product:view")


def login(client, user):
    assert client.login(username=user.employee_no, password=TEST_PASSWORD)
    return client


def test_an_rm_sees_only_accounts_and_transactions_of_customers_in_scope(day_dir, client, bank):
    load_day(None, day_dir, DAY)
    grant(bank.north_rm, *HOLDINGS, scope="own")
    mine = Customer.objects.filter(owner=bank.north_rm).first()
    theirs = Customer.objects.filter(owner=bank.south_rm).first()

    visible = Account.objects.visible_to(bank.north_rm, "holdings.account:view")
    assert set(visible.values_list("customer__owner", flat=True)) == {bank.north_rm.pk}
    login(client, bank.north_rm)
    page = client.get(reverse("holdings:customer_accounts", args=[mine.pk]))
    assert page.status_code == 200
    assert Account.objects.filter(customer=mine).first().product.name in page.content.decode()
    assert client.get(reverse("holdings:customer_accounts", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("holdings:customer_transactions", args=[theirs.pk])).status_code == 404


def test_an_unrelated_user_sees_nothing(day_dir, client, bank):
    load_day(None, day_dir, DAY)
    grant(bank.south_rm, *HOLDINGS, scope="team", org=bank.north_team)  # a team without customers of theirs
    Customer.objects.filter(org=bank.north_team).update(org=bank.south_team)
    assert (
        not Account.objects.visible_to(bank.south_rm, "holdings.account:view")
        .filter(customer__org=bank.north_team)
        .exists()
    )
    assert Transaction.objects.visible_to(bank.south_rm, "holdings.transaction:view").count() == 0
    assert Transaction.objects.visible_to(bank.north_rm, "holdings.transaction:view").count() == 0  # no grant


def test_a_confidential_customer_s_accounts_stay_hidden_from_the_branch(day_dir, bank):
    load_day(None, day_dir, DAY)
    customer = Customer.objects.filter(org=bank.north_team, owner=bank.north_rm).first()
    Customer.objects.filter(pk=customer.pk).update(is_confidential=True)
    grant(bank.north_manager, *HOLDINGS, scope="subtree")
    visible = Account.objects.visible_to(bank.north_manager, "holdings.account:view")
    assert visible.exists()
    assert not visible.filter(customer=customer).exists()


def test_large_transactions_maturities_and_birthdays_become_reminders_once(day_dir, bank, client):
    load_day(None, day_dir, DAY)
    account = Account.objects.filter(customer__owner=bank.north_rm, product__is_liability=False).first()
    big = ["TBIG1", account.number, f"{DAY} 10:00:00", "600000.00", "C", "counter", "大额转入"]
    small = ["TSMALL", account.number, f"{DAY} 11:00:00", "100.00", "D", "atm", "取现"]
    write_csv(day_dir / "transactions.csv", LAYOUTS["transactions"], [big, small])
    (day_dir / "customers.csv").unlink()  # keep the birth date set here
    Customer.objects.filter(pk=account.customer_id).update(birth_date=dt.date(1980, 4, 3))
    load_day(None, day_dir, DAY)
    count = Reminder.objects.count()
    load_day(None, day_dir, DAY)

    assert Reminder.objects.count() == count
    large = Reminder.objects.get(kind="large_txn", subject="TBIG1")
    assert (large.customer_id, large.owner, large.amount) == (account.customer_id, bank.north_rm, Decimal("600000.00"))
    birthday = Reminder.objects.get(kind="birthday", customer_id=account.customer_id)
    assert birthday.due_on == dt.date(2026, 4, 3)
    assert Reminder.objects.filter(kind="maturity", due_on=DAY + dt.timedelta(days=10)).exists()  # WM-STEADY

    grant(bank.north_rm, *HOLDINGS, scope="own")
    page = login(client, bank.north_rm).get(reverse("holdings:reminder_list"))
    assert page.status_code == 200
    assert str(large.customer) in page.content.decode()
    assert (
        not Reminder.objects.visible_to(bank.north_rm, "holdings.reminder:view")
        .filter(customer__owner=bank.south_rm)
        .exists()
    )


def test_a_tier_change_is_recorded_once(day_dir, tmp_path, no_shrink_hold):
    load_day(None, day_dir, DAY)
    customer = Customer.objects.order_by("-figures__aum").first()
    changes = TierChange.objects.filter(customer=customer).count()
    assert changes == 1  # from nothing to its first tier
    account = Account.objects.filter(customer=customer, product__is_liability=False).first()
    write_csv(
        tmp_path / "accounts.csv",
        LAYOUTS["accounts"],
        [[account.number, customer.cif, account.product.code, "", "", "10.00"]],
    )
    later = DAY + dt.timedelta(days=1)
    load_day(None, tmp_path, later)
    load_day(None, tmp_path, later)
    customer.refresh_from_db()
    assert customer.figures.tier == "普通"
    assert TierChange.objects.filter(customer=customer, data_date=later).count() == 1


def test_products_page_filters_by_category(day_dir, client, bank):
    load_day(None, day_dir, DAY)
    grant(bank.north_rm, "holdings.product:view")
    login(client, bank.north_rm)
    from steward.holdings.models import ProductCategory

    deposits = ProductCategory.objects.get(code="deposits")
    page = client.get(reverse("holdings:product_list"), {"category": deposits.pk}).content.decode()
    assert "一年期定期" in page and "沪深300指数基金" not in page


def test_intake_pages_and_the_api_upload(day_dir, client, bank):
    grant(bank.admin, "holdings.intake:view", "holdings.intake:upload")
    api = APIClient()
    api.force_authenticate(bank.admin)
    upload = io.BytesIO((day_dir / "products.csv").read_bytes())
    upload.name = "products.csv"
    response = api.post(
        "/api/v1/intake-batches/upload/",
        {"entity": "products", "data_date": DAY.isoformat(), "file": upload},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert response.json()[0]["status"] == "loaded"
    bad = io.BytesIO(b"code,name\nX,Y\n")
    bad.name = "products.csv"
    response = api.post(
        "/api/v1/intake-batches/upload/",
        {"entity": "products", "data_date": DAY.isoformat(), "file": bad},
        format="multipart",
    )
    assert response.status_code == 400
    assert "Wrong header" in response.json()[0]["error"]

    batch = IntakeBatch.objects.get()
    login(client, bank.admin)
    assert "products" in client.get(reverse("holdings:batch_list")).content.decode()
    assert client.get(reverse("holdings:batch_detail", args=[batch.pk])).status_code == 200
    outsider = APIClient()
    outsider.force_authenticate(bank.south_rm)
    assert outsider.get("/api/v1/intake-batches/").status_code == 403


def test_the_drop_folder_job_loads_complete_days_once(day_dir, bank):
    from steward.basedata.services import set_parameter
    from steward.holdings import services

    grant(bank.admin, "basedata.parameter:change")
    set_parameter(bank.admin, "holdings.drop_folder", str(day_dir.parent))
    from django.core.cache import cache

    cache.clear()
    now = dt.datetime(2026, 4, 1, 2, tzinfo=dt.UTC)
    assert services.load_drop_folder(now=now) == []  # no _READY marker yet: the day is incomplete
    good = (day_dir / "transactions.csv").read_text()
    (day_dir / "transactions.csv").write_text("reference\n")
    (day_dir / "_READY").write_text("")

    from steward.holdings.jobs import load_drop_folder

    assert load_drop_folder(None, now)["processed"] == 1  # the scheduled job calls the same service
    assert Customer.objects.count() == 30
    assert load_drop_folder(None, now)["processed"] == 1  # the refused file makes it try the day again
    (day_dir / "transactions.csv").write_text(good)
    assert [r.data_date for r in services.load_drop_folder(now=now)] == [DAY]
    assert services.load_drop_folder(now=now) == []  # loaded in full: not loaded again
    assert set(IntakeBatch.objects.values_list("status", flat=True)) == {"loaded"}


def test_cards_expiring_within_the_window_become_reminders_for_their_owner_once(day_dir, bank):
    from steward.holdings.figures import derive_day

    load_day(None, day_dir, DAY)
    soon, later, closed = Account.objects.filter(customer__owner=bank.north_rm).order_by("pk")[:3]
    Account.objects.filter(pk=soon.pk).update(expires_on=DAY + dt.timedelta(days=20))
    Account.objects.filter(pk=later.pk).update(expires_on=DAY + dt.timedelta(days=200))  # outside 30 days
    Account.objects.filter(pk=closed.pk).update(expires_on=DAY + dt.timedelta(days=5), closed_on=DAY)
    derive_day(DAY)
    derive_day(DAY)

    reminders = Reminder.objects.filter(kind="card_expiry")
    assert [(r.customer_id, r.owner, r.due_on, r.subject) for r in reminders] == [
        (soon.customer_id, bank.north_rm, DAY + dt.timedelta(days=20), soon.number[-4:])
    ]
    assert reminders[0].get_kind_display() == "Card expiry"
