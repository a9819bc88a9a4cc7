"""SVC-05 / INT-05: a message Steward sends to a customer is a contact — when it settles as
delivered (or sent, or failed) one interaction per recipient is recorded, by the sender, with the
message as its reference; a message refused before sending (not subscribed) records nothing;
the settlement announced twice records nothing more. A delivered SMS moves the last contact."""

from rest_framework.test import APIClient

from steward.access import services as access_services
from steward.channels.models import OutboundMessage
from steward.channels.tests.conftest import at
from steward.channels.tests.test_sending import SEND, queue
from steward.interactions.channel_messages import log_settled_messages, message_reference
from steward.interactions.models import Interaction
from steward.testing import EmployeeFactory, grant


def test_a_delivered_sms_is_a_contact_and_a_refused_one_is_not(
    bank, people, gateway, settled, django_capture_on_commit_callbacks
):
    grant(bank.north_rm, *SEND, scope="own")
    queue(bank.north_rm, [people.subscribed, people.unsubscribed], capture=django_capture_on_commit_callbacks)
    assert not Interaction.objects.exists()  # sent, waiting for its delivery report

    account = EmployeeFactory(employee_no="SMSGW", org=bank.head)
    grant(account, "channels.receipt:post", scope="all")
    _token, key = access_services.issue_token(account, account, name="gateway")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    api.post("/api/v1/outbound-messages/receipts/", [{"external_ref": "gw-1", "status": "delivered"}], format="json")

    message = OutboundMessage.objects.get(customer=people.subscribed)
    (contact,) = Interaction.objects.all()
    assert contact.customer == people.subscribed and contact.employee == bank.north_rm
    assert (contact.channel, contact.source, contact.outcome) == ("sms", "sms", "delivered")
    assert contact.external_ref == message_reference(message.pk) and contact.is_contact
    assert "您的产品将于下周到期" in contact.summary
    people.subscribed.refresh_from_db()
    assert people.subscribed.last_contact_at == contact.occurred_at

    again = log_settled_messages(OutboundMessage, [message.pk], {message.pk: "delivered"}, at(11))
    assert again == 0 and Interaction.objects.count() == 1


def test_a_late_delivery_report_corrects_the_recorded_contact(
    bank, people, gateway, settled, django_capture_on_commit_callbacks
):
    """INT-05 / SVC-05: an SMS whose report did not come in time settles as "sent" (a contact);
    the report that arrives later saying it failed turns that contact into a failed, uncounted one."""
    import datetime as dt

    from django.utils import timezone

    from steward.channels.services import record_receipts, release_due_messages

    grant(bank.north_rm, *SEND, scope="own")
    queue(bank.north_rm, [people.subscribed], capture=django_capture_on_commit_callbacks)
    release_due_messages(now=timezone.now() + dt.timedelta(days=3))
    (contact,) = Interaction.objects.all()
    assert (contact.outcome, contact.is_contact) == ("sent", True)

    account = EmployeeFactory(employee_no="SMSGW", org=bank.head)
    grant(account, "channels.receipt:post", scope="all")
    result = record_receipts(account, [{"external_ref": "gw-1", "status": "failed", "detail": "空号"}])
    assert result.applied == 1
    contact.refresh_from_db()
    assert (contact.outcome, contact.is_contact) == ("failed", False)
    assert Interaction.objects.count() == 1
