"""INT-05 (the demo): `seed_demo` queues a service notice from the demo RM to their customers, once."""

from steward.channels.demo import seed_demo_channels
from steward.channels.models import MessageBatch, OutboundMessage
from steward.channels.tests.conftest import at
from steward.customers.tests.factories import CustomerFactory
from steward.testing import EmployeeFactory, grant


def test_the_demo_queues_the_rms_notice_once(bank, outbox):
    rm = EmployeeFactory(employee_no="rm", org=bank.north_team)
    grant(rm, "channels.message:send", "channels.message:view", scope="own")
    for n in range(3):
        CustomerFactory(org=bank.north_team, owner=rm, sms_subscribed=n != 0)
    assert seed_demo_channels(now=at(10)) == 3
    assert seed_demo_channels(now=at(10)) == 0
    batch = MessageBatch.objects.get()
    assert batch.total == 3 and batch.status_counts() == {"queued": 2, "refused": 1}
    assert OutboundMessage.objects.filter(body__contains="您好！您的客户经理").count() == 3
