"""INT-05: the outbox pages — masked addresses, the reason in words, and nothing outside the scope."""

from __future__ import annotations

from steward.channels.models import OutboundMessage
from steward.channels.tests.factories import MessageBatchFactory, OutboundMessageFactory
from steward.testing import grant


def test_the_rm_sees_the_messages_to_their_customers_masked(bank, people, client):
    """INT-05: the outbox lists the RM's customers' messages; mobile numbers are masked."""
    mine = OutboundMessageFactory(customer=people.subscribed, status="refused", reason="not_subscribed")
    grant(bank.north_rm, "channels.message:view", scope="own")
    client.force_login(bank.north_rm)
    page = client.get("/channels/").content.decode()
    assert f'href="/channels/{mine.pk}/"' in page
    assert "138****5678" in page and "13812345678" not in page
    detail = client.get(f"/channels/{mine.pk}/").content.decode()
    assert "The customer has not subscribed to notices on this channel." in detail


def test_an_rm_outside_the_scope_sees_none_of_the_messages(bank, people, client):
    """INT-05 / PLT-04: another branch's RM sees none of them — list, detail, export and API."""
    message = OutboundMessageFactory(customer=people.subscribed)
    staff = OutboundMessageFactory(employee=bank.north_rm2)
    grant(bank.south_rm, "channels.message:view", "channels.message:export", scope="own")
    client.force_login(bank.south_rm)

    page = client.get("/channels/").content.decode()
    assert f"/channels/{message.pk}/" not in page and f"/channels/{staff.pk}/" not in page
    assert client.get(f"/channels/{message.pk}/").status_code == 404
    assert client.get(f"/channels/{staff.pk}/").status_code == 404
    assert client.get("/api/v1/outbound-messages/").json()["count"] == 0
    assert client.get(f"/api/v1/outbound-messages/{message.pk}/").status_code == 404
    assert client.get("/channels/", {"export": "xlsx"}).status_code == 200


def test_a_team_lead_sees_the_messages_to_staff_of_the_team(bank, people, client):
    """INT-05: messages to employees are visible in scope of the employee's org."""
    staff = OutboundMessageFactory(employee=bank.north_rm2)
    grant(bank.north_manager, "channels.message:view", scope="subtree")
    client.force_login(bank.north_manager)
    assert client.get(f"/channels/{staff.pk}/").status_code == 200
    grant(bank.north_rm, "channels.message:view", scope="own")
    client.force_login(bank.north_rm)
    assert client.get(f"/channels/{staff.pk}/").status_code == 404


def test_the_outbox_filters_by_status_channel_and_batch(bank, people, client):
    """INT-05: status, channel and batch filters; a batch shows its counts."""
    batch = MessageBatchFactory(name="三月到期提醒", org=bank.north_team)
    held = OutboundMessageFactory(customer=people.subscribed, status="held", batch=batch)
    sent = OutboundMessageFactory(customer=people.lady, status="sent", batch=batch)
    other = OutboundMessageFactory(customer=people.lady, channel="push", app_user=people.lady.cif, status="sent")
    grant(bank.north_manager, "channels.message:view", scope="subtree")
    client.force_login(bank.north_manager)

    def shown(query):
        page = client.get("/channels/", query).content.decode()
        return {m.pk for m in (held, sent, other) if f'href="/channels/{m.pk}/"' in page}

    assert shown({"status": "held"}) == {held.pk}
    assert shown({"channel": "push"}) == {other.pk}
    assert shown({"batch": batch.pk}) == {held.pk, sent.pk}
    page = client.get("/channels/", {"batch": batch.pk}).content.decode()
    assert 'data-testid="batch-summary"' in page and "三月到期提醒" in page
    assert shown({"batch": "99999999999999999999999"}) == set()
    assert OutboundMessage.objects.count() == 3
