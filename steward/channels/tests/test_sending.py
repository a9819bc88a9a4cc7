"""INT-05: one channel layer — SMS through a real HTTP gateway, e-mail through a real SMTP server,
push through a webhook, the console outbox by default; retries, the SMS send window, delivery
reports and the settled signal. CUS-16: subscriptions and opt-outs are checked when queueing and
again when sending."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from rest_framework.test import APIClient

from steward.access import services as access_services
from steward.channels import services
from steward.channels.models import DeliveryReceipt, OutboundMessage
from steward.channels.tests.conftest import at, set_parameter
from steward.core.errors import DomainError
from steward.customers.models import Customer
from steward.testing import EmployeeFactory, grant

SEND = ("channels.message:send", "channels.message:view")


@pytest.fixture
def rm(bank):
    grant(bank.north_rm, *SEND, scope="own")
    return bank.north_rm


def queue(
    rm,
    recipients,
    *,
    channel="sms",
    body="尊敬的{name}{title}，您的产品将于下周到期。",
    purpose="service",
    now=None,
    capture=None,
    **kwargs,
):
    """Queue as the RM and run the commit callbacks (the eager Celery task sends at once)."""
    with capture(execute=True):
        return services.queue_messages(rm, channel, recipients, body=body, purpose=purpose, now=now or at(10), **kwargs)


def message_of(customer) -> OutboundMessage:
    return OutboundMessage.objects.get(customer=customer)


def test_an_sms_goes_through_the_gateway_and_the_delivery_report_marks_it_delivered(
    bank, rm, people, gateway, settled, django_capture_on_commit_callbacks
):
    """INT-05: the gateway receives the rendered text with the bearer token and answers its id; the
    gateway's service account posts the delivery report with its API token; the message reads
    delivered and is settled once."""
    result = queue(rm, [people.subscribed], capture=django_capture_on_commit_callbacks)

    (request,) = gateway.requests
    assert request["headers"]["Authorization"] == "Bearer gateway-secret"
    assert request["json"]["to"] == "13812345678"
    assert request["json"]["text"] == "尊敬的张三先生，您的产品将于下周到期。"
    assert request["json"]["client_ref"] == f"steward-{result.ids[0]}"
    message = message_of(people.subscribed)
    assert (message.status, message.external_ref, message.attempts) == ("sent", "gw-1", 1)
    assert message.settled_at is None and settled == []  # it waits for the report

    account = EmployeeFactory(employee_no="SMSGW", org=bank.head)
    grant(account, "channels.receipt:post", scope="all")
    _token, key = access_services.issue_token(account, account, name="gateway")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    report = [{"external_ref": "gw-1", "status": "delivered"}]
    first = api.post("/api/v1/outbound-messages/receipts/", report, format="json")
    again = api.post("/api/v1/outbound-messages/receipts/", report, format="json")

    assert first.status_code == 200, first.content
    assert first.json() == {"received": 1, "applied": 1, "unchanged": 0, "waiting": 0}
    assert again.json()["applied"] == 0  # idempotent
    message.refresh_from_db()
    assert message.status == "delivered" and message.settled_at is not None
    assert settled == [{message.pk: "delivered"}]


def test_a_gateway_that_answers_503_is_tried_again_after_its_wait(
    rm, people, gateway, django_capture_on_commit_callbacks
):
    """INT-05: a 503 is a temporary failure — the message waits retry_base_seconds (60) and the
    release job sends it again; the attempts are recorded."""
    gateway.answers = [(503, {"error": "busy"})]
    queue(rm, [people.subscribed], capture=django_capture_on_commit_callbacks)
    message = message_of(people.subscribed)
    assert (message.status, message.attempts) == ("queued", 1)
    assert "HTTP 503" in message.reason_detail
    assert abs(message.not_before - (at(10) + dt.timedelta(seconds=60))) < dt.timedelta(seconds=5)

    with django_capture_on_commit_callbacks(execute=True):
        early = services.release_due_messages(now=at(10, 0, second=30))
    assert early.dispatched == 0 and len(gateway.requests) == 1

    with django_capture_on_commit_callbacks(execute=True):
        services.release_due_messages(now=at(10, 1, second=10))
    message.refresh_from_db()
    assert (message.status, message.attempts, message.external_ref) == ("sent", 2, "gw-1")
    assert len(gateway.requests) == 2
    assert list(message.attempt_log.values_list("outcome", flat=True)) == ["temporary", "sent"]


def test_a_message_that_keeps_failing_fails_after_the_last_attempt(
    rm, people, gateway, settled, django_capture_on_commit_callbacks
):
    """INT-05: after channels.max_attempts temporary failures the message fails and says why."""
    set_parameter("channels.max_attempts", "2")
    gateway.answers = [(502, {}), (504, {})]
    queue(rm, [people.subscribed], capture=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.release_due_messages(now=at(10, 5))
    message = message_of(people.subscribed)
    assert (message.status, message.reason, message.attempts) == ("failed", "gave_up", 2)
    assert "could not be reached after every attempt" in message.reason_text
    assert settled == [{message.pk: "failed"}]


def test_a_4xx_fails_at_once_with_the_gateways_words(rm, people, gateway, django_capture_on_commit_callbacks):
    """INT-05: a 4xx is permanent: no retry, the gateway's answer is kept."""
    gateway.answers = [(400, {"error": "invalid number"})]
    queue(rm, [people.subscribed], capture=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.release_due_messages(now=at(12))
    message = message_of(people.subscribed)
    assert (message.status, message.reason, message.attempts) == ("failed", "rejected", 1)
    assert "invalid number" in message.reason_detail
    assert len(gateway.requests) == 1


def test_an_unreachable_gateway_is_a_temporary_failure(
    rm, people, settings, outbox, django_capture_on_commit_callbacks
):
    """INT-05: nothing listening (connection refused) is retried, not failed."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.STEWARD_SMS_GATEWAY_URL = f"http://127.0.0.1:{port}/send"
    settings.STEWARD_CHANNEL_ADAPTERS = {"sms": "gateway", "email": "console", "push": "console"}
    queue(rm, [people.subscribed], capture=django_capture_on_commit_callbacks)
    message = message_of(people.subscribed)
    assert (message.status, message.attempts) == ("queued", 1)
    assert "could not be reached" in message.reason_detail


def test_an_email_reaches_a_real_smtp_server(rm, people, smtp_server, settled, django_capture_on_commit_callbacks):
    """INT-05: e-mail goes through Django's SMTP backend, from the configured sender, with the
    rendered subject and text; it is settled as sent."""
    queue(
        rm,
        [people.subscribed],
        channel="email",
        subject="{name}{title}，您的对账单",
        body="{surname}{title}您好：本月对账单已生成。客户经理{rm_name}",
        capture=django_capture_on_commit_callbacks,
    )
    (mail,) = smtp_server
    assert mail["to"] == ["zhang.san@example.com"] and mail["from"] == "service@bank.example"
    message = message_of(people.subscribed)
    assert message.status == "sent" and "steward" in message.external_ref
    assert message.external_ref in mail["data"]
    from email import message_from_bytes
    from email.header import decode_header, make_header

    parsed = message_from_bytes(mail["raw"])
    assert str(make_header(decode_header(parsed["Subject"]))) == "张三先生，您的对账单"
    assert (
        parsed.get_payload(decode=True).decode("utf-8").strip() == "张先生您好：本月对账单已生成。客户经理北方客户经理"
    )
    assert settled == [{message.pk: "sent"}]


def test_a_push_goes_to_the_webhook_with_the_customer_number(
    rm, people, gateway, settled, django_capture_on_commit_callbacks
):
    """INT-05: app push is a POST to the webhook, addressed to the mobile-banking user (customer number)."""
    queue(
        rm,
        [people.unsubscribed],
        channel="push",
        subject="到期提醒",
        body="{name}，产品到期",
        capture=django_capture_on_commit_callbacks,
    )
    (request,) = gateway.requests
    assert request["path"] == "/push" and "Authorization" not in request["headers"]
    assert request["json"] == {
        "to": people.unsubscribed.cif,
        "title": "到期提醒",
        "body": "王五，产品到期",
        "client_ref": request["json"]["client_ref"],
        "purpose": "service",
    }
    message = message_of(people.unsubscribed)
    assert message.status == "sent" and settled == [{message.pk: "sent"}]


def test_without_a_gateway_the_console_adapter_writes_the_outbox_file(
    rm, people, outbox, django_capture_on_commit_callbacks
):
    """INT-05 (the demo): each message is a line of var/outbox/<channel>.log, the address masked."""
    queue(rm, [people.subscribed, people.lady], capture=django_capture_on_commit_callbacks)
    lines = [json.loads(line) for line in (outbox / "sms.log").read_text(encoding="utf-8").splitlines()]
    assert [line["to"] for line in lines] == ["138****5678", "139****5678"]
    assert lines[1]["body"] == "尊敬的李四女士，您的产品将于下周到期。"
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {"sent"}


def test_an_sms_queued_at_23_is_held_and_sent_when_the_window_opens(
    rm, people, gateway, django_capture_on_commit_callbacks
):
    """INT-05: no SMS at night — queued at 23:00 it is held until 08:00 the next morning, and the
    release job sends it then; it is never dropped."""
    result = queue(rm, [people.subscribed], now=at(23), capture=django_capture_on_commit_callbacks)
    message = message_of(people.subscribed)
    assert result.counts == {"held": 1}
    assert (message.status, message.not_before) == ("held", at(8, day=3))
    assert gateway.requests == []

    with django_capture_on_commit_callbacks(execute=True):
        services.release_due_messages(now=at(7, 59, day=3))
    message.refresh_from_db()
    assert message.status == "held" and gateway.requests == []

    with django_capture_on_commit_callbacks(execute=True):
        services.release_due_messages(now=at(8, 0, day=3))
    message.refresh_from_db()
    assert message.status == "sent" and len(gateway.requests) == 1
    assert message.sent_at >= at(8, day=3)


def test_a_retry_that_falls_after_the_window_closes_is_held_until_morning(
    rm, people, gateway, django_capture_on_commit_callbacks
):
    """INT-05: the window is checked when sending too: a retry due at 21:00:30 waits until 08:00."""
    gateway.answers = [(503, {})]
    queue(rm, [people.subscribed], now=at(20, 59, second=30), capture=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.release_due_messages(now=at(21, 0, second=45))
    message = message_of(people.subscribed)
    assert (message.status, message.not_before, len(gateway.requests)) == ("held", at(8, day=3), 1)


def test_an_unsubscribed_customer_gets_nothing_and_the_message_says_why(
    rm, people, gateway, settled, django_capture_on_commit_callbacks, client
):
    """CUS-16: a customer without the SMS subscription (or without a mobile number) gets nothing; the
    outbox says why, in words."""
    result = queue(
        rm,
        [people.subscribed, people.unsubscribed, people.no_mobile],
        purpose="marketing",
        capture=django_capture_on_commit_callbacks,
    )
    assert result.counts == {"queued": 1, "refused": 2}
    assert result.reasons == {"not_subscribed": 1, "no_address": 1}
    assert [r["json"]["to"] for r in gateway.requests] == ["13812345678"]
    refused = message_of(people.unsubscribed)
    assert (refused.status, refused.reason) == ("refused", "not_subscribed")
    assert {pk: status for batch in settled for pk, status in batch.items()} == {
        refused.pk: "refused",
        message_of(people.no_mobile).pk: "refused",
    }

    client.force_login(rm)
    page = client.get(f"/channels/{refused.pk}/").content.decode()
    assert "The customer has not subscribed to notices on this channel." in page
    assert "137****5678" in page and "13712345678" not in page


def test_a_customer_who_unsubscribes_before_the_send_is_refused_as_opted_out(
    rm, people, gateway, django_capture_on_commit_callbacks
):
    """CUS-16: subscriptions are checked again at send time: held overnight, the customer opts out,
    and in the morning the message is refused, not sent."""
    queue(rm, [people.subscribed], now=at(22), capture=django_capture_on_commit_callbacks)
    Customer.objects.filter(pk=people.subscribed.pk).update(sms_subscribed=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.release_due_messages(now=at(8, 0, day=3))
    message = message_of(people.subscribed)
    assert (message.status, message.reason) == ("refused", "opted_out")
    assert "unsubscribed from this channel after the message was queued" in message.reason_text
    assert gateway.requests == []


def test_a_mandatory_notice_passes_over_the_subscription_and_needs_its_permission(
    rm, people, gateway, django_capture_on_commit_callbacks
):
    """CUS-16: a mandatory notice reaches an unsubscribed customer; sending one needs
    channels.message:mandatory, so a marketing text cannot be relabelled past an opt-out."""
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        queue(rm, [people.unsubscribed], purpose="mandatory", capture=django_capture_on_commit_callbacks)
    grant(rm, "channels.message:mandatory", scope="own")
    queue(rm, [people.unsubscribed], purpose="mandatory", capture=django_capture_on_commit_callbacks)
    assert message_of(people.unsubscribed).status == "sent"


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ("您好{nmae}", "{nmae}"),
        ("您好{name.__class__}", "{name.__class__}"),
        ("您好{name!r}", "{name!r}"),
        ("您好{name:>10}", "{name:>10}"),
        ("您好{name", "brace"),
    ],
)
def test_a_template_with_a_missing_field_is_refused_naming_it_and_nothing_is_queued(
    rm, people, outbox, body, named, django_capture_on_commit_callbacks
):
    """INT-05: a placeholder that is not a recipient field (or a format, or a stray brace) is a clear
    error naming it, before anything is queued."""
    with pytest.raises(DomainError) as error:
        queue(rm, [people.subscribed], body=body, capture=django_capture_on_commit_callbacks)
    assert named in str(error.value) and error.value.field == "body"
    assert not OutboundMessage.objects.exists()


def test_literal_braces_and_every_field_render(rm, people, outbox, django_capture_on_commit_callbacks):
    """INT-05: {{ and }} write braces; every customer field renders from the customer's row."""
    queue(
        rm,
        [people.lady],
        body="{{{surname}}} {name}{title} {rm_name}@{branch}",
        capture=django_capture_on_commit_callbacks,
    )
    assert message_of(people.lady).body == "{李} 李四女士 北方客户经理@北方一组"


def test_recipients_outside_the_senders_scope_are_refused_and_nothing_is_queued(rm, people, outbox):
    """INT-05 / PLT-04: the RM cannot message another RM's customer; the error names the number."""
    with pytest.raises(DomainError) as error:
        services.queue_messages(rm, "sms", [people.subscribed, people.south], body="x", purpose="service", now=at(10))
    assert people.south.cif in str(error.value)
    assert not OutboundMessage.objects.exists()


def test_the_settled_signal_fires_once_per_message_with_its_final_status(
    rm, people, gateway, settled, django_capture_on_commit_callbacks
):
    """INT-05: message_settled carries the ids and final statuses — refused at once, sent for push,
    delivered by report, cancelled — and fires once per message."""
    queue(rm, [people.unsubscribed], capture=django_capture_on_commit_callbacks)  # refused
    queue(rm, [people.lady], channel="push", body="x", capture=django_capture_on_commit_callbacks)  # sent
    queue(rm, [people.subscribed], capture=django_capture_on_commit_callbacks)  # waits for its report
    held = queue(rm, [people.subscribed], now=at(23), capture=django_capture_on_commit_callbacks)
    services.cancel_messages(rm, OutboundMessage.objects.filter(pk__in=held.ids), now=at(23, 5))
    sms = OutboundMessage.objects.get(customer=people.subscribed, status="sent")
    services.record_receipts(
        EmployeeFactory(is_superuser=True), [{"external_ref": sms.external_ref, "status": "delivered"}], now=at(10, 1)
    )
    services.release_due_messages(now=at(12, day=5))  # past the report wait: nothing left to settle

    flat = [(pk, status) for batch in settled for pk, status in batch.items()]
    assert sorted(status for _pk, status in flat) == ["cancelled", "delivered", "refused", "sent"]
    assert len({pk for pk, _status in flat}) == len(flat) == 4


def test_an_sms_without_a_report_is_settled_as_sent_after_the_wait(
    rm, people, gateway, settled, django_capture_on_commit_callbacks
):
    """INT-05: no delivery report within channels.sms_receipt_wait_hours (48): settled as sent."""
    queue(rm, [people.subscribed], capture=django_capture_on_commit_callbacks)
    services.release_due_messages(now=at(9, day=4))
    assert settled == []
    result = services.release_due_messages(now=at(10, 1, day=4))
    message = message_of(people.subscribed)
    assert result.settled == 1 and message.status == "sent" and settled == [{message.pk: "sent"}]


def test_a_report_that_overtakes_its_message_waits_and_is_applied(rm, people, gateway):
    """INT-05: a report for a reference not recorded yet is kept and applied when it is."""
    admin = EmployeeFactory(is_superuser=True)
    early = services.record_receipts(admin, [{"external_ref": "gw-1", "status": "failed", "detail": "absent"}])
    assert (early.waiting, early.applied) == (1, 0)
    services.queue_messages(rm, "sms", [people.subscribed], body="x", purpose="service", now=at(10))
    services.send_message(message_of(people.subscribed).pk, now=at(10))
    message = message_of(people.subscribed)
    assert (message.status, message.reason, message.reason_detail) == ("failed", "undelivered", "absent")
    assert DeliveryReceipt.objects.get().message == message


def test_two_workers_given_the_same_message_send_it_once(rm, people, gateway):
    """INT-05: sending takes the message with a conditional update; the second call does nothing."""
    services.queue_messages(rm, "sms", [people.subscribed], body="x", purpose="service", now=at(10))
    pk = message_of(people.subscribed).pk
    assert services.send_message(pk, now=at(10)) == "sent"
    assert services.send_message(pk, now=at(10)) is None
    assert len(gateway.requests) == 1


def test_a_message_left_sending_by_a_stopped_worker_is_queued_again(rm, people, gateway):
    """INT-05: a worker that died mid-send leaves "sending"; 15 minutes later the job sends it."""
    services.queue_messages(rm, "sms", [people.subscribed], body="x", purpose="service", now=at(10))
    OutboundMessage.objects.update(status="sending", last_attempt_at=at(10), attempts=1)
    assert services.release_due_messages(now=at(10, 10)).recovered == 0
    result = services.release_due_messages(now=at(10, 16))
    assert (result.recovered, result.dispatched) == (1, 1)


def test_cancelling_an_unsent_message(rm, people, outbox, client):
    """INT-05: a held message can be cancelled from its page; a sent one cannot."""
    result = services.queue_messages(rm, "sms", [people.subscribed], body="x", purpose="service", now=at(23))
    client.force_login(rm)
    page = client.get(f"/channels/{result.ids[0]}/").content.decode()
    assert 'data-testid="cancel"' in page
    client.post(f"/channels/{result.ids[0]}/cancel/")
    message = message_of(people.subscribed)
    assert (message.status, message.reason) == ("cancelled", "cancelled")
    assert 'data-testid="cancel"' not in client.get(f"/channels/{message.pk}/").content.decode()
