"""PLT-10 with PLT-09: the approver is notified when an application arrives for them, the applicant
when it is decided — counted by the bell, listed on the notification list, opened to the
application — through the notices app's one notification path."""

import re

import pytest

from steward.approvals import services
from steward.approvals.tests.conftest import ACTIVITY, LEAVE, activity_payload, leave_payload
from steward.approvals.tests.test_failing_action import BudgetBooking
from steward.notices.models import Notification
from steward.notices.services import NoticeBar


def bell(client) -> int:
    match = re.search(r'data-testid="notifications-unread">(\d+)<', client.get("/").content.decode())
    return int(match.group(1)) if match else 0


def texts(user) -> list[str]:
    return [n.text for n in Notification.objects.filter(recipient=user)]


def test_the_approver_is_told_an_application_arrived_and_the_bell_leads_to_it(people, client):
    """PLT-10: submitting tells the step's handler; the bell counts it; the list opens the application."""
    application = services.submit(people.rm, LEAVE, reason="年假", payload=leave_payload())

    assert texts(people.lead) == [
        f"北方客户经理 sent you “{application.title}” (#{application.pk}) to decide: Supervisor approval."
    ]
    assert texts(people.rm) == []  # nobody is told of their own act
    client.force_login(people.lead)
    assert bell(client) == 1
    inbox = client.get("/notices/").content.decode()
    assert 'data-testid="notification" data-unread="1"' in inbox
    assert f"(#{application.pk}) to decide" in inbox

    notification = Notification.objects.get(recipient=people.lead)
    response = client.get(f"/notices/notifications/{notification.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/approvals/{application.pk}/"
    assert bell(client) == 0
    # Someone else's notification does not exist for a reader.
    client.force_login(people.rm2)
    assert client.get(f"/notices/notifications/{notification.pk}/").status_code == 404


def test_opening_the_application_reads_the_notification_that_led_there(people, client):
    """PLT-10: whoever goes to the application through "To approve" finds the bell cleared as well."""
    application = services.submit(people.rm, LEAVE, reason="年假", payload=leave_payload())
    client.force_login(people.lead)
    assert bell(client) == 1
    assert client.get(f"/approvals/{application.pk}/").status_code == 200
    assert bell(client) == 0


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_the_applicant_is_told_the_decision(people, client, decision):
    """PLT-10: approval and rejection are announced to the submitter, naming who decided."""
    application = services.submit(people.rm, LEAVE, reason="年假", payload=leave_payload())
    if decision == "approve":
        services.approve(people.lead, application, comment="同意")
    else:
        services.reject(people.lead, application, comment="人手不足")
    word = "approved" if decision == "approve" else "rejected"

    assert texts(people.rm) == [f"Your application “{application.title}” (#{application.pk}) was {word} by 北方组长."]
    client.force_login(people.rm)
    assert bell(client) == 1


def test_each_step_tells_its_own_approvers_and_forwarding_tells_the_new_one(people):
    """PLT-10: a chain tells the next step's approvers when the application moves on to them;
    a forwarded or withdrawn application tells whoever it now concerns."""
    application = services.submit(people.rm, ACTIVITY, reason="答谢客户", payload=activity_payload())
    services.approve(people.lead, application, comment="同意")
    second = Notification.objects.filter(kind="approvals.arrived").exclude(recipient=people.lead)
    assert {n.recipient for n in second} == {people.sub_manager}
    assert "Branch manager approval" in second.get().text

    services.forward(people.sub_manager, application, to=people.manager, comment="请行长定")
    assert Notification.objects.filter(recipient=people.manager, kind="approvals.arrived").count() == 1

    services.withdraw(people.rm, application)
    assert [n.text for n in Notification.objects.filter(recipient=people.manager, kind="approvals.withdrawn")] == [
        f"北方客户经理 withdrew “{application.title}” (#{application.pk}): it no longer waits for you."
    ]


def test_an_approval_whose_action_fails_announces_nothing(people, register_type):
    """PLT-09 / PLT-10: the approval rolled back, so did its notification."""
    booking = register_type(BudgetBooking())
    application = services.submit(people.rm, booking.key, reason="记账", payload={"amount": "100"})
    with pytest.raises(services.ApprovalActionFailed):
        services.approve(people.lead, application, comment="同意")
    assert not Notification.objects.filter(recipient=people.rm).exists()


def test_a_notification_reads_in_its_readers_language(people, client):
    """PLT-12: the text is composed when read, in the reader's language."""
    services.submit(people.rm, LEAVE, reason="年假", payload=leave_payload())
    client.force_login(people.lead)
    inbox = client.get("/notices/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "北方客户经理 将“" in inbox and "送交您审批" in inbox


def test_the_bell_counts_notifications_without_any_notice(people, django_assert_num_queries):
    """PLT-10: with no current system notice, the bell still counts personal notifications (one query)."""
    services.submit(people.rm, LEAVE, reason="年假", payload=leave_payload())
    bar = NoticeBar(people.lead)
    people.lead.org  # noqa: B018  (the page layout has loaded it already)
    with django_assert_num_queries(2):  # the notices (none), then the notifications' count
        assert bar.items == [] and bar.unread == 1


def test_the_api_lists_and_reads_my_notifications(people):
    """PLT-10 / PLT-11: GET /api/v1/my-notices/notifications/, POST …/notifications/read/ {"id": …}."""
    from rest_framework.test import APIClient

    application = services.submit(people.rm, LEAVE, reason="年假", payload=leave_payload())
    api = APIClient()
    api.force_authenticate(people.lead)
    rows = api.get("/api/v1/my-notices/notifications/", {"state": "unread"}).json()
    assert [(r["kind"], r["url"]) for r in rows] == [("approvals.arrived", f"/approvals/{application.pk}/")]
    assert api.get("/api/v1/my-notices/unread-count/").json() == {"unread": 1}  # the bell's number
    assert (
        api.post("/api/v1/my-notices/notifications/read/", {"id": rows[0]["id"]}, format="json").json()["read_at"]
        is not None
    )
    assert api.get("/api/v1/my-notices/notifications/", {"state": "unread"}).json() == []
    assert api.get("/api/v1/my-notices/unread-count/").json() == {"unread": 0}
    other = APIClient()
    other.force_authenticate(people.rm2)
    assert other.post("/api/v1/my-notices/notifications/read/", {"id": rows[0]["id"]}, format="json").status_code == 404
