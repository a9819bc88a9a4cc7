"""Mass SMS with approval (MKT-14, CUS-04): an RM applies to text a customer group; the team lead
approves; the SMS is queued to every member the RM may serve through the channel layer — the
subscribed one gets it, the unsubscribed one is refused with the reason — as one batch of the
marketing purpose. Without approval nothing is sent; a bad template is refused at application."""

import pytest
from django.utils import timezone

from steward.approvals import services as approvals
from steward.approvals.permissions import APPROVE, HANDLE, SUBMIT
from steward.channels.mass_sms import KEY
from steward.channels.models import MessageBatch, OutboundMessage
from steward.channels.permissions import MASS_SMS_APPROVE, SEND, VIEW
from steward.core.errors import DomainError
from steward.testing import EmployeeFactory, grant


@pytest.fixture
def team(bank, people, gateway):
    grant(
        bank.north_rm, SUBMIT, SEND, VIEW, "tags.group:view", "tags.group:add", "customers.customer:view", scope="own"
    )
    bank.lead = EmployeeFactory(employee_no="NTL", org=bank.north_team)
    grant(bank.lead, APPROVE, HANDLE, MASS_SMS_APPROVE, scope="team", org=bank.north_team)
    from steward.tags.models import CustomerGroup
    from steward.tags.services import add_members, create_group

    bank.group = create_group(bank.north_rm, name="到期客户", kind=CustomerGroup.Kind.PERSONAL)
    add_members(bank.north_rm, bank.group, [people.subscribed.pk, people.unsubscribed.pk], now=timezone.now())
    bank.people = people
    return bank


def payload(team, body="尊敬的{name}{title}，您关注的理财产品下周发行。"):
    return {"name": "新品发行通知", "group": str(team.group.pk), "body": body}


def test_an_approved_mass_sms_reaches_the_subscribed_members(team, django_capture_on_commit_callbacks):
    from steward.audit.context import acting_as

    with acting_as(team.north_rm):  # the group's choices are read for the acting user
        application = approvals.submit(team.north_rm, KEY, reason="新品推介", payload=payload(team))
    assert application.payload["recipients"] == 2
    assert application.title == "Mass SMS “新品发行通知” to 2 customers"
    assert not OutboundMessage.objects.exists()  # nothing before the decision

    with django_capture_on_commit_callbacks(execute=True):
        approvals.approve(team.lead, application)
    statuses = dict(OutboundMessage.objects.values_list("customer_id", "status"))
    assert statuses[team.people.unsubscribed.pk] == "refused"
    assert statuses[team.people.subscribed.pk] in ("queued", "held", "sent")
    batch = MessageBatch.objects.get()
    assert batch.name == "新品发行通知" and batch.purpose == "marketing"
    application.refresh_from_db()
    assert application.payload["batch_id"] == batch.pk


def test_a_bad_template_is_refused_when_applying(team):
    from steward.audit.context import acting_as

    with acting_as(team.north_rm), pytest.raises(DomainError) as error:
        approvals.submit(team.north_rm, KEY, reason="x", payload=payload(team, body="您好{nickname}"))
    assert "nickname" in str(error.value.message)
