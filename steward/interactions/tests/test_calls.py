"""SVC-05 / INT-05: the call centre's feed (CTI). Calls posted as events or delivered in the daily
call-detail file are matched at the end of the day to the customer by the number's blind index
(never by a stored plain number) and to the employee by extension or employee number; they become
interactions, move the last contact, and what cannot be matched is reported with the reason."""

import csv
import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from steward.customers.models import Customer
from steward.customers.tests.factories import CustomerFactory
from steward.holdings.models import IntakeBatch, IntakeRejectedRow
from steward.interactions import calls
from steward.interactions.models import CallRecord, Interaction
from steward.interactions.permissions import CALL_FEED, CALL_VIEW
from steward.interactions.tests.conftest import NOW, at
from steward.privacy.crypto import blind_index
from steward.testing import grant

STRANGER = "13700001111"  # no customer has it


@pytest.fixture
def feed(book):
    """The telephone system's account: only the feed permission. North RM sits at extension 8001."""
    book.bank.north_rm.extension = "8001"
    book.bank.north_rm.save(update_fields=["extension"])
    grant(book.bank.admin, CALL_FEED, scope="all", org=book.bank.head)
    return book.bank.admin


def event(call_id, number, *, outcome="answered", extension="8001", employee_no="", started=None, **extra):
    return {
        "call_id": call_id,
        "direction": "outbound",
        "started_at": started if isinstance(started, str) else (started or at(3, 10)).isoformat(),
        "duration_seconds": 95,
        "outcome": outcome,
        "number": number,
        "extension": extension,
        "employee_no": employee_no,
        **extra,
    }


def post(user, payload):
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api.post("/api/v1/calls/events/", payload, format="json")


def every_stored_text() -> str:
    """Every row of every table, as text (raw SQL: encrypted columns stay encrypted)."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            parts.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(parts)


# ---------------------------------------------------------------- the customers' mobile index


def test_a_saved_customer_carries_the_blind_index_of_its_mobile(book):
    customer = book.mine
    assert customer.mobile and customer.mobile_index == blind_index("mobile", customer.mobile)
    customer.mobile = "13811112222"
    customer.save()
    customer.refresh_from_db()
    assert customer.mobile_index == blind_index("mobile", "13811112222")
    customer.mobile = ""
    customer.save()
    customer.refresh_from_db()
    assert customer.mobile_index == ""


def test_the_daily_intake_sets_the_mobile_index(book, tmp_path):
    from steward.holdings.intake import load_file
    from steward.holdings.tests import bank_files as files

    path = files.write(tmp_path, "customers", [files.customer("K1", "赵六", mobile="13955556666", org="N1T1")])
    batch = load_file(None, path, "customers", dt.date(2026, 12, 6))
    assert batch.status == IntakeBatch.Status.LOADED, batch.error
    assert Customer.objects.get(cif="K1").mobile_index == blind_index("mobile", "13955556666")


def test_the_customer_import_sets_the_mobile_index(book, settings, tmp_path):
    from steward.customers.importing import import_customers
    from steward.customers.tests.factories import resident_id
    from steward.customers.tests.test_import import workbook

    settings.MEDIA_ROOT = tmp_path
    importer = book.bank.north_manager
    grant(importer, "customers.customer:import", "customers.customer:add", scope="subtree")
    rows = [{"cif": "N001", "name": "钱一", "id_number": resident_id(9001), "mobile": "13912345678"}]
    report = import_customers(importer, workbook(book, rows), save=True)
    assert report.clean, report
    assert Customer.objects.get(cif="N001").mobile_index == blind_index("mobile", "13912345678")


# ---------------------------------------------------------------- events and matching


def test_calls_match_by_number_without_plain_numbers_stored(book, feed):
    """The issue's done-when: calls match by number, and no plain number is stored anywhere."""
    mine = book.mine
    response = post(
        feed,
        [
            event("CALL-1", f"+86 {mine.mobile[:3]} {mine.mobile[3:7]} {mine.mobile[7:]}"),
            event("CALL-2", STRANGER, outcome="no_answer"),
        ],
    )
    assert response.status_code == 201, response.content
    assert response.json() == {"received": 2, "added": 2, "already_known": 0}

    result = calls.match_calls(now=NOW)

    assert (result.processed, result.matched, result.unmatched, result.interactions) == (2, 1, 1, 1)
    call = CallRecord.objects.get(call_id="CALL-1")
    assert (call.status, call.customer, call.employee, call.reason) == ("matched", mine, book.bank.north_rm, "")
    assert call.number_masked == "*******" + mine.mobile[-4:]
    contact = Interaction.objects.get(source="cti_event", external_ref="CALL-1")
    assert (contact.customer, contact.employee, contact.channel, contact.outcome, contact.is_contact) == (
        mine,
        book.bank.north_rm,
        "call",
        "reached",
        True,
    )
    mine.refresh_from_db()
    assert mine.last_contact_at == at(3, 10)
    stranger = CallRecord.objects.get(call_id="CALL-2")
    assert (stranger.status, stranger.reason, stranger.customer) == ("unmatched", "no_customer", None)
    # The stranger's number is nowhere, in no form; the customer's only in the customer's own row.
    stored = every_stored_text()
    assert STRANGER not in stored and STRANGER[:7] not in stored
    assert stored.count(mine.mobile) == Customer.objects.filter(mobile=mine.mobile).count()


def test_ambiguous_merged_and_unknown_numbers_and_employees(book, feed):
    twin = CustomerFactory(org=book.bank.north_team, owner=book.bank.north_rm, mobile="13600000001")
    CustomerFactory(org=book.bank.north_team, owner=book.bank.north_rm2, mobile="13600000001")
    survivor = book.colleague
    merged = CustomerFactory(org=book.bank.north_team, mobile="13600000002")
    Customer.objects.filter(pk=merged.pk).update(status=Customer.Status.MERGED, merged_into=survivor)
    closed = CustomerFactory(org=book.bank.north_team, mobile="13600000003", status=Customer.Status.CLOSED)
    assert twin and closed
    post(
        feed,
        [
            event("A", "13600000001"),
            event("M", "13600000002", extension="", employee_no="NRM2"),
            event("C", "13600000003"),
            event("E", book.mine.mobile, extension="9999"),
            event("N", "", outcome="failed"),
        ],
    )
    calls.match_calls(now=NOW)
    got = {c.call_id: (c.status, c.reason, c.customer_id, c.employee_id) for c in CallRecord.objects.all()}
    rm, rm2 = book.bank.north_rm.pk, book.bank.north_rm2.pk
    assert got == {
        "A": ("unmatched", "several_customers", None, rm),
        "M": ("matched", "", survivor.pk, rm2),
        "C": ("unmatched", "no_customer", None, rm),
        "E": ("matched", "unknown_employee", book.mine.pk, None),
        "N": ("unmatched", "no_number", None, rm),
    }
    assert set(Interaction.objects.values_list("external_ref", "customer_id")) == {
        ("M", survivor.pk),
        ("E", book.mine.pk),
    }


def test_events_and_matching_are_idempotent_and_retry_unmatched_calls(book, feed):
    payload = [event("X1", book.mine.mobile), event("X2", "13600000009")]
    post(feed, payload)
    assert post(feed, {"events": payload}).json() == {"received": 2, "added": 0, "already_known": 2}
    calls.match_calls(now=NOW)
    again = calls.match_calls(now=NOW)
    assert (again.processed, again.interactions) == (1, 0)  # only the unmatched call, nothing new
    assert Interaction.objects.count() == 1
    # The customer's mobile is recorded later: the next run finds it.
    book.colleague.mobile = "13600000009"
    book.colleague.save()
    later = calls.match_calls(now=NOW + dt.timedelta(hours=1))
    assert (later.matched, later.interactions) == (1, 1)
    assert CallRecord.objects.get(call_id="X2").customer == book.colleague


def test_a_bad_event_answers_400_naming_the_field_and_stores_nothing(book, feed):
    response = post(feed, [event("OK", book.mine.mobile), event("BAD", book.mine.mobile, started="yesterday")])
    assert response.status_code == 400
    body = response.json()
    assert "started_at" in body and "Event 2" in body["started_at"][0]
    assert post(feed, [event("U", "1", outcome="answered")]).json()["number"]
    assert "outcome" in post(feed, [event("O", book.mine.mobile, outcome="maybe")]).json()
    assert "colour" in post(feed, [event("F", book.mine.mobile, colour="red")]).json()
    assert post(feed, "not a list").status_code == 400
    assert CallRecord.objects.count() == 0


def test_posting_events_needs_the_feed_permission(book, feed):
    assert post(None, [event("Z", book.mine.mobile)]).status_code == 401
    grant(book.bank.north_rm, CALL_VIEW, scope="own")
    assert post(book.bank.north_rm, [event("Z", book.mine.mobile)]).status_code == 403
    assert CallRecord.objects.count() == 0


# ---------------------------------------------------------------- the daily call-detail file


def write_calls(path, rows, header=calls.LAYOUT):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_the_call_file_loads_rejects_bad_lines_and_is_idempotent(book, feed, tmp_path):
    post(feed, [event("EV-1", book.mine.mobile)])
    day = dt.date(2026, 12, 3)
    path = write_calls(
        tmp_path / "2026-12-03" / "calls.csv",
        [
            [
                "EV-1",
                "outbound",
                "2026-12-03 10:00:00",
                "95",
                "answered",
                book.mine.mobile,
                "8001",
                "",
            ],  # also an event
            ["F-1", "inbound", "2026-12-03 11:00:00", "30", "answered", book.colleague.mobile, "", "NRM2"],
            ["F-2", "inbound", "2026-12-03 12:00:00", "", "hung up", book.mine.mobile, "", ""],  # line 4: bad
            ["F-1", "inbound", "2026-12-03 11:00:00", "30", "answered", book.colleague.mobile, "", "NRM2"],  # repeat
        ],
    )
    batch = calls.load_call_file(None, path, day, now=NOW)
    assert (batch.status, batch.rows_read, batch.rows_loaded, batch.rows_rejected) == ("loaded", 4, 2, 2)
    assert batch.calls_added == 1  # EV-1 was posted as an event already
    rejected = dict(IntakeRejectedRow.objects.filter(batch=batch).values_list("line", "reason"))
    assert set(rejected) == {4, 5} and "outcome" in rejected[4] and "repeats line 3" in rejected[5]
    again = calls.load_call_file(None, path, day, now=NOW)  # re-delivered
    assert again.pk == batch.pk and again.calls_added == 0 and again.runs == 2
    calls.match_calls(now=NOW)
    assert set(Interaction.objects.values_list("source", "external_ref")) == {
        ("cti_event", "EV-1"),
        ("cti_file", "F-1"),
    }


def test_a_call_file_with_a_wrong_header_is_refused(book, tmp_path):
    path = write_calls(tmp_path / "calls.csv", [["X"]], header=["id", "when"])
    batch = calls.load_call_file(None, path, dt.date(2026, 12, 3), now=NOW)
    assert batch.status == IntakeBatch.Status.REFUSED and "Wrong header" in batch.error
    assert CallRecord.objects.count() == 0


def test_the_job_loads_the_drop_folder_and_matches(book, feed, tmp_path, settings):
    from steward.jobs.registry import jobs

    settings.STEWARD_INTAKE_DROP_FOLDER = str(tmp_path)
    folder = tmp_path / "2026-12-03"
    write_calls(
        folder / "calls.csv",
        [["J-1", "outbound", "2026-12-03 09:00:00", "60", "answered", book.mine.mobile, "8001", ""]],
    )
    (folder / "_READY").write_text("")
    assert jobs.get("interactions.match_calls") is not None
    result = calls.run_end_of_day(now=NOW)
    assert (result.files, result.matched, result.interactions) == (1, 1, 1)
    assert calls.run_end_of_day(now=NOW).files == 0  # loaded once


# ---------------------------------------------------------------- who sees which call


def test_calls_are_seen_through_the_customers_and_employees_scope(book, feed, client):
    grant(book.bank.south_rm, CALL_VIEW, scope="own")
    grant(book.bank.north_rm, CALL_VIEW, scope="own")
    auditor = book.bank.north_manager
    grant(auditor, CALL_VIEW, scope="all", org=book.bank.head)
    # Hyphenated call ids: a page's CSRF token (letters and digits) once contained "S1".
    post(
        feed,
        [
            event("CALL-S1", book.mine.mobile),
            event("CALL-S2", STRANGER),  # north RM's extension: theirs
            event("CALL-S3", STRANGER, extension=""),  # nobody's
        ],
    )
    calls.match_calls(now=NOW)
    see = lambda user: set(CallRecord.objects.visible_to(user, CALL_VIEW).values_list("call_id", flat=True))  # noqa: E731
    assert see(book.bank.north_rm) == {"CALL-S1", "CALL-S2"}
    assert see(book.bank.south_rm) == set()
    assert see(auditor) == {"CALL-S1", "CALL-S2", "CALL-S3"}

    client.force_login(book.bank.south_rm)
    page = client.get(reverse("interactions:calls"), {"data_date": "2026-12-03"})
    assert page.status_code == 200 and b"CALL-S1" not in page.content and b"CALL-S3" not in page.content
    client.force_login(auditor)
    page = client.get(reverse("interactions:calls"), {"data_date": "2026-12-03", "status": "unmatched"})
    html = page.content.decode()
    assert page.status_code == 200 and "CALL-S3" in html and "CALL-S1" not in html
    assert "*******1111" in html and STRANGER not in html
    client.force_login(book.bank.north_rm2)  # no permission
    assert client.get(reverse("interactions:calls")).status_code == 403
