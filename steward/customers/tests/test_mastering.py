"""CUS-09, CUS-12: Steward masters the owners it decided and the merges it made; the daily
customers and accounts files written here (not by the shipped generator) cannot undo them."""

import csv
import datetime as dt

import pytest
from django.core.cache import cache

from steward.audit.models import AuditEntry
from steward.basedata.services import set_parameter
from steward.customers import mastering, merging, services
from steward.customers.models import Customer, CustomerAlias, OwnershipChange, OwnershipConflict
from steward.customers.tests.factories import resident_id
from steward.holdings.intake import LAYOUTS, load_day, load_file
from steward.holdings.models import Account, DailyBalance
from steward.testing import grant

DAY1, DAY2, DAY3 = dt.date(2026, 5, 11), dt.date(2026, 5, 12), dt.date(2026, 5, 13)


def _write(path, entity, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(LAYOUTS[entity])
        writer.writerows(rows)


def _customer(cif, n, owner_no, name=None, org="N1T1", status=""):
    return [cif, name or f"客户{n}", "01", resident_id(1000 + n), "", "", "", "", "", "", "", "", "", "", "", status, org, owner_no]  # fmt: skip


def _day(tmp_path, day, customers, accounts=None):
    directory = tmp_path / day.isoformat()
    _write(directory / "customers.csv", "customers", customers)
    if accounts is not None:
        _write(directory / "products.csv", "products", [["DEP1", "活期存款", "demand", "", "CNY", "", "", "0"]])
        _write(directory / "accounts.csv", "accounts", accounts)
    return directory


@pytest.fixture
def supervisor(book):
    grant(book.bank.north_manager, "customers.customer:merge", mastering.RESOLVE, scope="subtree")
    return book.bank.north_manager


def _owner(cif):
    return Customer.objects.get(cif=cif).owner


def test_an_assignment_in_steward_survives_the_next_days_customers_file(book, supervisor, tmp_path):
    """CUS-09: an RM's customer reassigned in Steward keeps its new owner after the next day's file
    names the old one; the disagreement is recorded as a conflict, not applied."""
    rows = [_customer("K1", 1, "NRM"), _customer("K2", 2, "NRM")]
    load_day(None, _day(tmp_path, DAY1, rows), DAY1)
    assert _owner("K1") == book.bank.north_rm  # a customer Steward never owned takes the file's owner
    services.assign_owner(supervisor, [Customer.objects.get(cif="K1")], book.bank.north_rm2, reason="调整")

    load_day(None, _day(tmp_path, DAY2, rows), DAY2)

    assert _owner("K1") == book.bank.north_rm2
    conflict = OwnershipConflict.objects.get(customer__cif="K1")
    assert conflict.status == OwnershipConflict.Status.OPEN
    assert (conflict.steward_owner, conflict.file_owner) == (book.bank.north_rm2, book.bank.north_rm)
    assert conflict.data_date == DAY2 and conflict.source == "core" and conflict.intake_batch_id
    assert not OwnershipChange.objects.filter(customer__cif="K1", kind=OwnershipChange.Kind.INTAKE).exists()
    assert AuditEntry.objects.filter(action="customers.ownership_conflict").exists()
    # The third day's file says the same: still one open conflict, and the owner Steward decided.
    load_day(None, _day(tmp_path, DAY3, rows), DAY3)
    assert OwnershipConflict.objects.filter(customer__cif="K1").count() == 1
    assert _owner("K1") == book.bank.north_rm2
    # A file naming yet another owner refreshes the open conflict.
    load_day(None, _day(tmp_path, DAY3, [_customer("K1", 1, "SRM"), rows[1]]), DAY3)
    conflict = OwnershipConflict.objects.get(customer__cif="K1")
    assert (conflict.file_owner, conflict.data_date) == (book.bank.south_rm, DAY3)
    assert _owner("K1") == book.bank.north_rm2


def test_an_approved_transfer_survives_the_next_days_file(book, supervisor, tmp_path):
    """CUS-09: the owner an approved transfer set stays when the file still names the old owner."""
    from steward.approvals.services import approve

    rows = [_customer("K1", 1, "NRM")]
    load_day(None, _day(tmp_path, DAY1, rows), DAY1)
    application = services.request_transfer(
        book.bank.north_rm, [Customer.objects.get(cif="K1")], book.bank.north_rm2, reason="调岗"
    )
    approve(supervisor, application)
    assert _owner("K1") == book.bank.north_rm2
    load_day(None, _day(tmp_path, DAY2, rows), DAY2)
    assert _owner("K1") == book.bank.north_rm2


def test_an_empty_owner_column_unassigns_nobody(book, supervisor, tmp_path):
    """CUS-09: an empty owner column leaves the owner as it is, Steward-decided or not."""
    load_day(None, _day(tmp_path, DAY1, [_customer("K1", 1, "NRM"), _customer("K2", 2, "NRM")]), DAY1)
    services.assign_owner(supervisor, [Customer.objects.get(cif="K2")], book.bank.north_rm2)
    load_day(None, _day(tmp_path, DAY2, [_customer("K1", 1, ""), _customer("K2", 2, "")]), DAY2)
    assert _owner("K1") == book.bank.north_rm and _owner("K2") == book.bank.north_rm2
    assert not OwnershipConflict.objects.exists()


def test_the_file_moves_a_customer_steward_never_owned_with_history(book, tmp_path):
    """CUS-09: the file's owner column still sets the owner of customers Steward never decided,
    and the move is in the ownership history."""
    load_day(None, _day(tmp_path, DAY1, [_customer("K1", 1, "NRM")]), DAY1)
    load_day(None, _day(tmp_path, DAY2, [_customer("K1", 1, "NRM2")]), DAY2)
    assert _owner("K1") == book.bank.north_rm2
    change = OwnershipChange.objects.get(customer__cif="K1")
    assert change.kind == OwnershipChange.Kind.INTAKE
    assert (change.from_owner, change.to_owner) == (book.bank.north_rm, book.bank.north_rm2)


def test_with_the_override_policy_on_the_file_wins_and_history_is_written(book, supervisor, tmp_path):
    """CUS-09: an installation that lets core banking override Steward: the file's owner is taken,
    written to the history, and no conflict is raised."""
    rows = [_customer("K1", 1, "NRM")]
    load_day(None, _day(tmp_path, DAY1, rows), DAY1)
    services.assign_owner(supervisor, [Customer.objects.get(cif="K1")], book.bank.north_rm2)
    set_parameter(book.bank.admin, mastering.OVERRIDE_PARAMETER, "true")
    cache.clear()
    assert mastering.core_banking_overrides_owner()
    load_day(None, _day(tmp_path, DAY2, rows), DAY2)
    assert _owner("K1") == book.bank.north_rm
    change = OwnershipChange.objects.filter(customer__cif="K1").order_by("-pk").first()
    assert change.kind == OwnershipChange.Kind.INTAKE and change.from_owner == book.bank.north_rm2
    assert not OwnershipConflict.objects.exists()
    assert Customer.objects.get(cif="K1").owner_decided_at is None


def test_conflicts_are_listed_for_administrators_and_resolved(book, supervisor, tmp_path, client):
    """CUS-09: the conflicts page lists the open conflicts in the user's scope; "keep" settles it for
    good, "take" moves the customer through the ownership service with history."""
    rows = [_customer("K1", 1, "NRM"), _customer("K2", 2, "NRM")]
    load_day(None, _day(tmp_path, DAY1, rows), DAY1)
    both = list(Customer.objects.filter(cif__in=["K1", "K2"]))
    services.assign_owner(supervisor, both, book.bank.north_rm2)
    load_day(None, _day(tmp_path, DAY2, rows), DAY2)
    assert OwnershipConflict.objects.filter(status="open").count() == 2

    client.force_login(supervisor)
    page = client.get("/customers/ownership-conflicts/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "K1" in body and "K2" in body and book.bank.north_rm.name in body
    k1 = OwnershipConflict.objects.get(customer__cif="K1")
    k2 = OwnershipConflict.objects.get(customer__cif="K2")
    response = client.post(f"/customers/ownership-conflicts/{k1.pk}/resolve/", {"decision": "take"})
    assert response.status_code == 302
    assert _owner("K1") == book.bank.north_rm
    assert OwnershipChange.objects.filter(customer__cif="K1", kind=OwnershipChange.Kind.CONFLICT).exists()
    client.post(f"/customers/ownership-conflicts/{k2.pk}/resolve/", {"decision": "keep"})
    assert _owner("K2") == book.bank.north_rm2
    # A kept disagreement is not raised again by the next file; K1 now agrees with the file.
    load_day(None, _day(tmp_path, DAY3, rows), DAY3)
    assert not OwnershipConflict.objects.filter(status="open").exists()
    assert _owner("K2") == book.bank.north_rm2


def test_the_conflicts_page_shows_nothing_outside_the_scope(book, supervisor, tmp_path, client):
    """CUS-09: an administrator of the south sees none of the north's conflicts; without the
    permission the page is refused and the menu does not offer it."""
    rows = [_customer("K1", 1, "NRM")]
    load_day(None, _day(tmp_path, DAY1, rows), DAY1)
    services.assign_owner(supervisor, [Customer.objects.get(cif="K1")], book.bank.north_rm2)
    load_day(None, _day(tmp_path, DAY2, rows), DAY2)
    south_admin = book.bank.south_rm
    grant(south_admin, mastering.RESOLVE, scope="subtree", org=book.bank.south)
    assert not mastering.conflicts_for(south_admin).exists()
    client.force_login(south_admin)
    assert ">K1<" not in client.get("/customers/ownership-conflicts/").content.decode()  # (not a CSRF token's K1)
    conflict = OwnershipConflict.objects.get()
    assert (
        client.post(f"/customers/ownership-conflicts/{conflict.pk}/resolve/", {"decision": "take"}).status_code == 404
    )
    client.force_login(book.bank.north_rm)
    assert client.get("/customers/ownership-conflicts/").status_code == 403
    assert "/customers/ownership-conflicts/" not in client.get("/customers/").content.decode()
    client.force_login(supervisor)
    assert "/customers/ownership-conflicts/" in client.get("/customers/").content.decode()


def test_a_merged_customer_stays_merged_and_its_accounts_land_on_the_survivor(book, supervisor, tmp_path):
    """CUS-12: after a merge the next day's customers and accounts files neither reactivate the
    duplicate nor give it back its accounts; a new account naming its number lands on the survivor.
    A chain (K2 into K1, K1 into K3) resolves to the final survivor."""
    customers = [_customer("K1", 1, "NRM"), _customer("K2", 2, "NRM", name="重复"), _customer("K3", 3, "NRM")]
    accounts = [["A1", "K1", "DEP1", "", "", "100.00", ""], ["A2", "K2", "DEP1", "", "", "50.00", ""]]
    load_day(None, _day(tmp_path, DAY1, customers, accounts), DAY1)
    k1, k2 = Customer.objects.get(cif="K1"), Customer.objects.get(cif="K2")
    merging.merge_customers(supervisor, [k2], k1)
    assert CustomerAlias.objects.get(cif="K2").customer == k1

    accounts2 = [*accounts, ["A3", "K2", "DEP1", "", "", "7.00", ""]]
    result = load_day(None, _day(tmp_path, DAY2, customers, accounts2), DAY2)
    assert all(b.status == "loaded" for b in result.batches)
    k2.refresh_from_db()
    assert k2.status == Customer.Status.MERGED and k2.merged_into == k1 and k2.name == "重复"
    assert set(Account.objects.filter(customer=k1).values_list("number", flat=True)) == {"A1", "A2", "A3"}
    assert not Account.objects.filter(customer=k2).exists()
    assert DailyBalance.objects.filter(customer=k1, data_date=DAY2).count() == 3
    assert AuditEntry.objects.filter(action="customers.intake_alias_skipped").exists()

    k3 = Customer.objects.get(cif="K3")
    merging.merge_customers(supervisor, [k1], k3)
    assert dict(CustomerAlias.objects.values_list("cif", "customer__cif")) == {"K1": "K3", "K2": "K3"}
    load_day(None, _day(tmp_path, DAY3, customers, accounts2), DAY3)
    assert set(Account.objects.filter(customer=k3).values_list("number", flat=True)) == {"A1", "A2", "A3"}
    assert set(Customer.objects.filter(cif__in=["K1", "K2"]).values_list("status", flat=True)) == {"merged"}


def test_a_customers_file_alone_cannot_reactivate_a_merged_customer(book, supervisor, tmp_path):
    """CUS-12: load_file of a customers file naming the duplicate with status active."""
    load_day(None, _day(tmp_path, DAY1, [_customer("K1", 1, "NRM"), _customer("K2", 2, "NRM")]), DAY1)
    merging.merge_customers(supervisor, [Customer.objects.get(cif="K2")], Customer.objects.get(cif="K1"))
    directory = _day(tmp_path, DAY2, [_customer("K1", 1, "NRM"), _customer("K2", 2, "NRM2", status="active")])
    batch = load_file(None, directory / "customers.csv", "customers", DAY2)
    assert batch.status == "loaded" and batch.rows_rejected == 0
    k2 = Customer.objects.get(cif="K2")
    assert k2.status == Customer.Status.MERGED and k2.owner == book.bank.north_rm


def test_an_older_days_file_raises_no_conflict_and_writes_no_history(book, supervisor, tmp_path):
    """CUS-09: a re-delivered older day does not apply its owners, so it neither raises conflicts
    nor writes ownership history for them."""
    load_day(None, _day(tmp_path, DAY2, [_customer("K1", 1, "NRM"), _customer("K2", 2, "NRM")]), DAY2)
    services.assign_owner(supervisor, [Customer.objects.get(cif="K1")], book.bank.north_rm2)
    load_day(None, _day(tmp_path, DAY1, [_customer("K1", 1, "SRM"), _customer("K2", 2, "SRM")]), DAY1)
    assert _owner("K1") == book.bank.north_rm2 and _owner("K2") == book.bank.north_rm
    assert not OwnershipConflict.objects.exists()
    assert not OwnershipChange.objects.filter(kind=OwnershipChange.Kind.INTAKE).exists()


def test_the_conflicts_api_is_scoped_and_resolves(book, supervisor, client):
    """CUS-09: GET /api/v1/ownership-conflicts/ lists the conflicts in scope; resolve keeps or takes;
    a wrong decision is a 400 naming the field; outside the scope a 404, without the permission a 403."""
    from steward.customers.tests.factories import OwnershipConflictFactory

    book.mine.owner_decided_at = book.mine.created_at
    book.mine.save(update_fields=["owner_decided_at"])
    north = OwnershipConflictFactory(customer=book.mine, file_owner=book.bank.north_rm2)
    south = OwnershipConflictFactory(customer=book.south, file_owner=book.bank.north_rm)
    client.force_login(supervisor)
    listed = client.get("/api/v1/ownership-conflicts/").json()
    assert [row["id"] for row in listed["results"]] == [north.pk]
    assert listed["results"][0]["file_owner"] == "NRM2" and listed["results"][0]["cif"] == "C100"
    url = f"/api/v1/ownership-conflicts/{north.pk}/resolve/"
    bad = client.post(url, {"decision": "maybe"}, content_type="application/json")
    assert bad.status_code == 400 and "decision" in bad.json()
    assert client.post(f"/api/v1/ownership-conflicts/{south.pk}/resolve/", {"decision": "take"}).status_code == 404
    taken = client.post(url, {"decision": "take"}, content_type="application/json")
    assert taken.status_code == 200 and taken.json()["status"] == "taken"
    assert _owner("C100") == book.bank.north_rm2
    again = client.post(url, {"decision": "keep"}, content_type="application/json")
    assert again.status_code == 400
    client.force_login(book.bank.north_rm)
    assert client.get("/api/v1/ownership-conflicts/").status_code == 403


def test_conflicts_cannot_be_created_or_changed_through_the_api(book, supervisor, client):
    """CUS-09: only the intake raises conflicts: POST/PUT/DELETE on the list or a conflict are 405."""
    client.force_login(supervisor)
    assert client.post("/api/v1/ownership-conflicts/", {}, content_type="application/json").status_code == 405
    assert client.post("/api/v1/ownership-conflicts/", "x" * 10, content_type="application/json").status_code == 405
