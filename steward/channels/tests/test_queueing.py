"""INT-05: queueing is set-based — one INSERT … SELECT whatever the number of recipients."""

from __future__ import annotations

import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from steward.channels import services
from steward.channels.models import MessageBatch, OutboundMessage
from steward.channels.tests.conftest import at
from steward.customers.models import Customer
from steward.testing import grant


def _customers(bank, prefix: str, count: int, **fields):
    Customer.objects.bulk_create(
        [
            Customer(
                cif=f"{prefix}{n:07d}",
                name=f"客户{n}",
                mobile=f"135{n:08d}",
                org=bank.north_team,
                owner=bank.north_rm,
                sms_subscribed=n % 10 != 0,  # every tenth has not subscribed
                **fields,
            )
            for n in range(count)
        ],
        batch_size=2000,
    )
    return Customer.objects.filter(cif__startswith=prefix)


def test_ten_thousand_recipients_queue_in_the_same_number_of_queries_as_ten(bank, outbox):
    """INT-05: 10,000 recipients cost the statements 10 do (no statement per recipient), queue in
    seconds, and each row is decided: queued, or refused with its reason."""
    grant(bank.north_rm, "channels.message:send", scope="own")
    small = _customers(bank, "S", 10)
    big = _customers(bank, "B", 10_000)

    # Once before counting: the sender's grants and the send window's parameters are then cached.
    services.queue_messages(bank.north_rm, "sms", small[:1], body="x", purpose="service", now=at(10))
    with CaptureQueriesContext(connection) as few:
        services.queue_messages(
            bank.north_rm, "sms", small, body="{name}您好", purpose="marketing", batch="ten", now=at(10)
        )
    started = time.monotonic()
    with CaptureQueriesContext(connection) as many:
        result = services.queue_messages(
            bank.north_rm, "sms", big, body="{name}您好", purpose="marketing", batch="ten thousand", now=at(10)
        )
    elapsed = time.monotonic() - started

    assert len(many.captured_queries) == len(few.captured_queries), [q["sql"][:80] for q in many.captured_queries]
    assert elapsed < 10, elapsed
    assert result.total == 10_000 and result.counts == {"queued": 9_000, "refused": 1_000}
    assert result.reasons == {"not_subscribed": 1_000}
    batch = MessageBatch.objects.get(name="ten thousand")
    assert batch.total == 10_000 and batch.status_counts() == {"queued": 9_000, "refused": 1_000}
    assert MessageBatch.objects.get(name="ten").total == 10
    assert OutboundMessage.objects.get(customer__cif="B0000007").body == "客户7您好"


def test_a_scheduled_job_queues_reminders_to_staff_without_an_actor(bank, outbox):
    """INT-05: Steward itself (actor None) sends to employees — reminders to RMs — with their fields."""
    result = services.queue_messages(
        None,
        "sms",
        [bank.north_rm, bank.south_rm],
        body="{name}：今日有3条提醒（{branch}）",
        purpose="service",
        now=at(9),
    )
    bodies = dict(OutboundMessage.objects.filter(pk__in=result.ids).values_list("employee__employee_no", "body"))
    assert bodies == {
        "NRM": "北方客户经理：今日有3条提醒（北方一组）",
        "SRM": "南方客户经理：今日有3条提醒（南方一组）",
    }
    assert set(OutboundMessage.objects.values_list("created_by", flat=True)) == {None}


def test_a_customer_field_in_a_template_to_staff_is_named(bank, outbox):
    """INT-05: {title} exists for customers, not for employees: the error names it."""
    import pytest

    from steward.core.errors import DomainError

    with pytest.raises(DomainError, match=r"\{title\}"):
        services.queue_messages(None, "sms", [bank.north_rm], body="{name}{title}", purpose="service", now=at(9))
