"""SVC-05 / INT-05: the automatic feeds (channels, call centre) write into the interaction record
set-based and idempotently; whether a row counts as a contact follows its outcome; the customers'
last contact only ever moves forward, and the segment rule "Last contact" reads it."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from steward.audit.models import AuditEntry
from steward.core.errors import DomainError
from steward.customers.models import Customer, CustomerAlias, LastContact
from steward.customers.tests.factories import CustomerFactory
from steward.interactions import services
from steward.interactions.models import Interaction
from steward.interactions.tests.conftest import NOW, at
from steward.segments.services import matching


def sms(customer, ref, day=3, outcome="delivered", **extra):
    return {
        "customer_id": customer.pk,
        "channel": "sms",
        "direction": "outbound",
        "outcome": outcome,
        "occurred_at": at(day),
        "summary": "理财到期提醒",
        "external_ref": ref,
        **extra,
    }


def last_contact(customer):
    return Customer.objects.get(pk=customer.pk).last_contact_at


def test_a_feed_run_again_adds_nothing(book):
    """INT-05: re-delivering the same messages (same source and references) records nothing more
    and answers 0; a reference repeated inside one delivery counts once."""
    rows = [sms(book.mine, "M-1"), sms(book.colleague, "M-2"), sms(book.south, "M-3"), sms(book.mine, "M-1")]
    assert services.record_automatic(rows, source="sms", now=NOW) == 3
    assert services.record_automatic(rows, source="sms", now=NOW) == 0
    assert services.record_automatic(rows[:2] + [sms(book.mine, "M-4")], source="sms", now=NOW) == 1
    assert Interaction.objects.count() == 4
    # The same reference from another source is another record.
    assert services.record_automatic([sms(book.mine, "M-1", channel="email")], source="email", now=NOW) == 1
    assert Interaction.objects.filter(external_ref="M-1").count() == 2
    first = Interaction.objects.get(source="sms", external_ref="M-1")
    assert (first.employee, first.created_by, first.is_contact) == (None, None, True)
    assert AuditEntry.objects.filter(object_type="interactions.interaction", action="create").exists()


def test_a_feed_writes_set_based(book):
    """Bulk path: a few queries per 500 rows, never one per row."""
    customers = [CustomerFactory(org=book.bank.north_team, owner=book.bank.north_rm) for _ in range(30)]
    rows = [sms(c, f"B-{i}", outcome="sent") for i, c in enumerate(customers)]
    with CaptureQueriesContext(connection) as queries:
        assert services.record_automatic(rows, source="sms", now=NOW) == 30
    assert len(queries) < 15, [q["sql"][:80] for q in queries]
    assert Customer.objects.filter(last_contact__at=at(3)).count() == 30


def test_only_rows_that_reached_the_customer_count_as_contacts(book):
    """SVC-05: a call answered or a message sent/delivered is a contact; a failed send, an
    unanswered or busy call, a voicemail and a refused contact are not — and do not move the
    customer's last contact."""
    rows = [
        sms(book.mine, "F-1", day=4, outcome="failed"),
        {**sms(book.mine, "C-1", day=5, outcome="no_answer"), "channel": "call"},
        {**sms(book.mine, "C-2", day=5, outcome="busy"), "channel": "call"},
        {**sms(book.mine, "C-3", day=5, outcome="left_message"), "channel": "call"},
        {**sms(book.mine, "C-4", day=5, outcome="declined"), "channel": "call"},
    ]
    services.record_automatic(rows[:1], source="sms", now=NOW)
    services.record_automatic(rows[1:], source="cti_event", now=NOW)
    assert not Interaction.objects.filter(is_contact=True).exists()
    assert last_contact(book.mine) is None
    answered = {**sms(book.mine, "C-5", day=2, outcome="reached"), "channel": "call", "duration_seconds": 95}
    services.record_automatic([answered], source="cti_event", now=NOW)
    assert last_contact(book.mine) == at(2)


def test_last_contact_moves_forward_only(book):
    """A contact recorded late (older than the last one) leaves the last contact where it was;
    a newer one moves it; manual and automatic rows alike."""
    services.record_automatic([sms(book.mine, "N-1", day=5)], source="sms", now=NOW)
    assert last_contact(book.mine) == at(5)
    services.record_automatic([sms(book.mine, "N-2", day=2)], source="sms", now=NOW)
    assert last_contact(book.mine) == at(5)
    services.record_interaction(
        book.bank.north_rm, book.mine, channel="visit", direction="outbound", occurred_at=at(1), outcome="reached",
        now=NOW,
    )  # fmt: skip
    assert last_contact(book.mine) == at(5)
    services.record_interaction(
        book.bank.north_rm, book.mine, channel="visit", direction="outbound", occurred_at=at(6, 16), outcome="reached",
        now=NOW,
    )  # fmt: skip
    assert last_contact(book.mine) == at(6, 16)
    # A time set by someone else (a later contact than any row here) is never moved back.
    LastContact.objects.filter(customer=book.mine).update(at=at(7, 9))
    services.record_automatic([sms(book.mine, "N-3", day=6)], source="sms", now=NOW)
    assert last_contact(book.mine) == at(7, 9)


def test_the_segment_rule_last_contact_finds_the_contacted_customer(book):
    """CUS-07 / SVC-05: "last contact after 1 December" finds the customer once a contact is
    recorded; "never contacted" no longer does."""
    manager = book.bank.north_manager
    after = {"op": "and", "rules": [{"field": "last_contact", "operator": "after", "value": "2026-12-01"}]}
    never = {"op": "and", "rules": [{"field": "last_contact", "operator": "never"}]}
    today = dt.date(2026, 12, 7)
    assert "C100" not in set(matching(manager, after, today).values_list("cif", flat=True))
    assert "C100" in set(matching(manager, never, today).values_list("cif", flat=True))
    services.record_automatic([sms(book.mine, "S-1", day=3)], source="sms", now=NOW)
    assert set(matching(manager, after, today).values_list("cif", flat=True)) == {"C100"}
    assert "C100" not in set(matching(manager, never, today).values_list("cif", flat=True))


@pytest.mark.parametrize(
    ("bad", "field", "message"),
    [
        ({"channel": "fax"}, "channel", "Row 2: choose one of the channels."),
        ({"outcome": "maybe"}, "outcome", "Row 2: choose one of the outcomes."),
        ({"external_ref": ""}, "external_ref", "Row 2: an automatic row needs the channel's reference"),
        ({"external_ref": "R" * 101}, "external_ref", "Row 2: the channel's reference is longer than 100"),
        ({"occurred_at": at(8)}, "occurred_at", "Row 2: the contact cannot lie in the future."),
        ({"occurred_at": "2026-12-01"}, "occurred_at", "Row 2: give the date and time of the contact."),
        ({"duration_seconds": 90000}, "duration_seconds", "Row 2: the duration is a whole number of seconds"),
        ({"customer_id": 10**12}, "customer", "Row 2: no customer has the id 1000000000000."),
        ({"customer_id": None, "cif": "NOPE"}, "cif", "Row 2: no customer has the number NOPE."),
        ({"customer_id": None}, "customer", "Row 2: name the customer"),
        ({"employee_id": 10**12}, "employee", "Row 2: no employee has the id 1000000000000."),
        ({"colour": "red"}, "colour", "Row 2: unknown fields colour."),
    ],
)
def test_a_bad_row_is_named_and_nothing_is_recorded(book, bad, field, message):
    """Bad input names its row and field; all rows or none are written."""
    rows = [sms(book.mine, "OK-1"), {**sms(book.colleague, "OK-2"), **bad}]
    with pytest.raises(DomainError) as error:
        services.record_automatic(rows, source="sms", now=NOW)
    assert message in str(error.value.message)
    assert error.value.field == field
    assert not Interaction.objects.exists()
    assert last_contact(book.mine) is None


def test_an_unknown_source_is_refused(book):
    with pytest.raises(DomainError) as error:
        services.record_automatic([sms(book.mine, "X")], source="manual", now=NOW)
    assert error.value.field == "source"


def test_a_merged_number_or_customer_lands_on_the_survivor(book):
    """CUS-12: a feed still naming a merged customer (its number or its id) writes to the survivor."""
    old = CustomerFactory(org=book.bank.north_team, owner=book.bank.north_rm, cif="C999")
    Customer.objects.filter(pk=old.pk).update(status=Customer.Status.MERGED, merged_into=book.mine)
    CustomerAlias.objects.create(cif="C999", customer=book.mine, merged_customer=old, created_at=NOW)
    rows = [
        {**sms(book.mine, "A-1"), "customer_id": None, "cif": "C999"},
        {**sms(book.mine, "A-2", day=4), "customer_id": old.pk},
        {**sms(book.mine, "A-3"), "customer_id": None, "cif": "C200"},
    ]
    assert services.record_automatic(rows, source="sms", now=NOW) == 3
    assert Interaction.objects.filter(customer=book.mine).count() == 2
    assert Interaction.objects.filter(customer=book.colleague).count() == 1
    assert last_contact(book.mine) == at(4)


def test_contact_counts_per_employee_for_planned_vs_actual(book):
    """SVC-05 (statistics): the contacts each employee made in a period; attempts that did not
    reach the customer and rows outside the period do not count; every id asked for answers."""
    rm, rm2 = book.bank.north_rm, book.bank.north_rm2
    rows = [
        sms(book.mine, "K-1", day=2, employee_id=rm.pk),
        sms(book.mine, "K-2", day=3, employee_id=rm.pk),
        sms(book.mine, "K-3", day=3, employee_id=rm.pk, outcome="failed"),
        sms(book.colleague, "K-4", day=3, employee_id=rm2.pk),
        sms(book.colleague, "K-5", day=1, employee_id=rm2.pk),  # before the period
    ]
    services.record_automatic(rows, source="sms", now=NOW)
    counts = services.contact_counts([rm.pk, rm2.pk, book.bank.south_rm.pk], at(2, 0), at(7, 0))
    assert counts == {rm.pk: 2, rm2.pk: 1, book.bank.south_rm.pk: 0}
    assert services.contact_counts([], at(1, 0), at(7, 0)) == {}
