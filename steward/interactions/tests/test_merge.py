"""CUS-12 / SVC-05: merging duplicate customers moves their contacts to the survivor, which keeps
the later last contact of the group."""

from steward.customers import merging
from steward.customers.models import Customer
from steward.customers.tests.factories import CustomerFactory
from steward.interactions import services
from steward.interactions.models import Interaction
from steward.interactions.tests.conftest import NOW, at
from steward.testing import grant


def sms(customer, ref, day):
    return {
        "customer_id": customer.pk,
        "channel": "sms",
        "direction": "outbound",
        "outcome": "delivered",
        "occurred_at": at(day),
        "external_ref": ref,
    }


def test_merging_moves_the_contacts_and_keeps_the_later_last_contact(book):
    grant(book.bank.north_manager, "customers.customer:merge", scope="subtree")
    duplicate = CustomerFactory(org=book.bank.north_team, owner=book.bank.north_rm, cif="C100X")
    services.record_automatic(
        [sms(book.mine, "M-1", 2), sms(duplicate, "M-2", 5), sms(duplicate, "M-3", 3)], source="sms", now=NOW
    )
    plan = merging.merge_preview(book.bank.north_manager, [duplicate], book.mine)
    assert plan.line("interactions").moved == 2

    merging.merge_customers(book.bank.north_manager, [duplicate], book.mine, now=NOW)
    assert Interaction.objects.filter(customer=book.mine).count() == 3
    assert not Interaction.objects.filter(customer=duplicate).exists()
    assert Customer.objects.get(pk=book.mine.pk).last_contact_at == at(5)


def test_the_survivors_own_later_contact_stays(book):
    grant(book.bank.north_manager, "customers.customer:merge", scope="subtree")
    duplicate = CustomerFactory(org=book.bank.north_team, owner=book.bank.north_rm, cif="C100Y")
    services.record_automatic([sms(book.mine, "L-1", 6), sms(duplicate, "L-2", 2)], source="sms", now=NOW)
    merging.merge_customers(book.bank.north_manager, [duplicate], book.mine, now=NOW)
    assert Customer.objects.get(pk=book.mine.pk).last_contact_at == at(6)
