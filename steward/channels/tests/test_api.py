"""The outbox API's permission matrix (route "outbound-messages"): reading needs
channels.message:view and shows only the scope; delivery reports need channels.receipt:post and
nothing else lets one in. Junk is a 400, never a 500."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from steward.access.registry import registry
from steward.channels.models import OutboundMessage
from steward.channels.tests.factories import OutboundMessageFactory
from steward.testing import EmployeeFactory, grant

RECEIPTS = "/api/v1/outbound-messages/receipts/"


def as_user(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def sent(people):
    return OutboundMessageFactory(customer=people.subscribed, status="sent", external_ref="gw-77")


def test_reading_needs_the_view_permission_and_shows_the_scope_masked(bank, sent):
    """INT-05 / PLT-11: 403 without channels.message:view; with it, the RM's own customers' messages,
    the mobile masked."""
    assert as_user(bank.north_rm).get("/api/v1/outbound-messages/").status_code == 403
    grant(bank.north_rm, "channels.message:view", scope="own")
    answer = as_user(bank.north_rm).get("/api/v1/outbound-messages/").json()
    assert answer["count"] == 1
    row = answer["results"][0]
    assert (row["id"], row["mobile"], row["status_label"]) == (sent.pk, "138****5678", "Sent")
    detail = as_user(bank.north_rm).get(f"/api/v1/outbound-messages/{sent.pk}/").json()
    assert detail["attempt_log"] == []


def test_receipts_need_their_own_permission_and_no_other_opens_them(bank, sent):
    """INT-05 / PLT-03: every other permission (scope all) gets 403 and changes nothing; the
    gateway's account holding only channels.receipt:post marks the message delivered."""
    report = [{"external_ref": "gw-77", "status": "delivered"}]
    everything_else = EmployeeFactory(employee_no="ALL", org=bank.head)
    grant(everything_else, *(p for p in registry.permissions if p != "channels.receipt:post"), scope="all")
    assert as_user(everything_else).post(RECEIPTS, report, format="json").status_code == 403
    sent.refresh_from_db()
    assert sent.status == "sent"

    gateway = EmployeeFactory(employee_no="GW", org=bank.head)
    grant(gateway, "channels.receipt:post", scope="all")
    answer = as_user(gateway).post(RECEIPTS, {"receipts": report}, format="json")
    assert answer.status_code == 200 and answer.json()["applied"] == 1
    assert as_user(gateway).get("/api/v1/outbound-messages/").status_code == 403
    sent.refresh_from_db()
    assert sent.status == "delivered"


def test_an_anonymous_caller_is_refused(sent):
    assert APIClient().get("/api/v1/outbound-messages/").status_code == 401
    assert (
        APIClient().post(RECEIPTS, [{"external_ref": "gw-77", "status": "delivered"}], format="json").status_code == 401
    )


@pytest.mark.parametrize(
    "body",
    [
        [{"external_ref": "", "status": "delivered"}],
        [{"external_ref": "gw-77", "status": "maybe"}],
        [{"external_ref": "x" * 101, "status": "failed"}],
        "not a list",
        [1, 2],
        {"receipts": {"a": 1}},
        [],
    ],
)
def test_a_bad_report_is_a_400_and_nothing_is_recorded(bank, sent, body):
    """INT-05 / PLT-11: a bad delivery report is refused naming the field; nothing changes."""
    gateway = EmployeeFactory(employee_no="GW", org=bank.head)
    grant(gateway, "channels.receipt:post", scope="all")
    answer = as_user(gateway).post(RECEIPTS, body, format="json")
    assert answer.status_code == 400, answer.content
    sent.refresh_from_db()
    assert sent.status == "sent"


def test_writing_the_outbox_through_the_api_is_not_served(bank, sent):
    """PLT-11: the outbox is read-only: POST on the list, PUT, PATCH and DELETE are 405."""
    grant(bank.admin, *registry.permissions, scope="all")
    client = as_user(bank.admin)
    assert client.post("/api/v1/outbound-messages/", {}, format="json").status_code == 405
    assert client.patch(f"/api/v1/outbound-messages/{sent.pk}/", {}, format="json").status_code == 405
    assert client.delete(f"/api/v1/outbound-messages/{sent.pk}/").status_code == 405
    assert OutboundMessage.objects.count() == 1
