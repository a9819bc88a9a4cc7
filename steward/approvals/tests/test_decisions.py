"""PLT-09: approve, reject, forward, withdraw — and the rules that guard them."""

import pytest
from django.core.exceptions import PermissionDenied

from steward.approvals import services
from steward.approvals.models import Application, Decision
from steward.approvals.tests.conftest import ACTIVITY, LEAVE, NOW, activity_payload, leave_payload
from steward.audit.models import AuditEntry
from steward.core.errors import DomainError


def audit_actions(application):
    return list(
        AuditEntry.objects.filter(
            object_type="approvals.application", object_id=str(application.pk), action__startswith="approvals."
        )
        .order_by("seq")
        .values_list("action", flat=True)
    )


@pytest.fixture
def leave(people):
    return services.submit(people.rm, LEAVE, reason="家中有事", payload=leave_payload(), now=NOW)


def test_a_leave_application_is_submitted_approved_and_audited(people, leave):
    assert leave.title == "Annual leave 2026-03-02 – 2026-03-04 (3 days)"
    one_day = services.submit(people.rm, LEAVE, reason="x", payload=leave_payload(end="2026-03-02"))
    assert one_day.title == "Annual leave 2026-03-02 (1 day)"
    services.withdraw(people.rm, one_day)
    assert leave.payload == {"leave_type": "annual", "start_date": "2026-03-02", "end_date": "2026-03-04", "days": 3}
    assert list(services.waiting_for(people.lead)) == [leave]

    approved = services.approve(people.lead, leave, comment="批准")

    assert approved.status == Application.Status.APPROVED
    assert approved.decided_by == people.lead
    assert list(services.waiting_for(people.lead)) == []
    assert audit_actions(leave) == ["approvals.submitted", "approvals.approved"]
    people.rm.refresh_from_db()
    assert people.rm.status == "active"  # approving a leave changes nothing else (docs/approvals.md)


def test_the_submitter_can_never_approve_their_own_application(bank, people):
    from steward.approvals.permissions import APPROVE, HANDLE
    from steward.testing import grant

    # Even a submitter who holds the approving permission for their own org.
    grant(people.rm, HANDLE, APPROVE, scope="team", org=bank.north_team)
    application = services.submit(people.rm, LEAVE, reason="家事", payload=leave_payload())
    assert people.rm not in application.handlers.all()

    application.handlers.add(people.rm)  # even if the data were tampered with
    with pytest.raises(PermissionDenied, match="your own application"):
        services.approve(people.rm, application)
    with pytest.raises(PermissionDenied, match="your own application"):
        services.reject(people.rm, application, comment="x")
    assert Application.objects.get(pk=application.pk).status == Application.Status.PENDING


def test_an_application_cannot_be_forwarded_to_its_submitter(bank, people, leave):
    from steward.approvals.permissions import APPROVE, HANDLE
    from steward.testing import grant

    grant(people.rm, HANDLE, APPROVE, scope="team", org=bank.north_team)

    with pytest.raises(DomainError, match="its own submitter") as refused:
        services.forward(people.lead, leave, to=people.rm)

    assert refused.value.field == "to"
    assert people.rm not in services.forward_candidates(leave, people.lead)
    assert list(leave.handlers.all()) == [people.lead]


def test_only_a_current_handler_may_decide(people, leave):
    for outsider in (people.manager, people.south_lead):
        with pytest.raises(PermissionDenied, match="not waiting for you"):
            services.approve(outsider, leave)
    with pytest.raises(PermissionDenied):  # a colleague holds no approving permission at all
        services.approve(people.rm2, leave)
    assert Application.objects.get(pk=leave.pk).status == Application.Status.PENDING


def test_a_handler_who_lost_the_role_can_no_longer_decide(people, leave):
    from steward.access.models import RoleGrant
    from steward.access.services import forget_grants

    # The role still opens the inbox, but no longer grants the authority to approve.
    RoleGrant.objects.filter(role__assignments__user=people.lead, permission="approvals.application:approve").delete()
    forget_grants(people.lead)

    with pytest.raises(PermissionDenied, match="no longer hold"):
        services.approve(people.lead, leave)


def test_a_double_click_decides_only_once(people, leave):
    services.approve(people.lead, leave)

    with pytest.raises(DomainError, match="already approved"):
        services.approve(people.lead, leave)
    with pytest.raises(DomainError, match="already approved"):
        services.reject(people.lead, leave, comment="晚了")
    assert leave.decisions.filter(action=Decision.Action.APPROVED).count() == 1


def test_a_decision_on_a_step_that_has_moved_on_is_refused(people):
    application = services.submit(people.rm, ACTIVITY, reason="沙龙", payload=activity_payload())
    services.approve(people.lead, application, step=0)

    with pytest.raises(DomainError, match="moved on"):
        services.approve(people.sub_manager, application, step=0)
    assert Application.objects.get(pk=application.pk).step_index == 1


def test_rejecting_needs_a_reason_and_ends_the_application(people, leave):
    with pytest.raises(DomainError, match="Say why") as refused:
        services.reject(people.lead, leave, comment="  ")
    assert refused.value.field == "comment"

    rejected = services.reject(people.lead, leave, comment="月底业务繁忙")

    assert rejected.status == Application.Status.REJECTED
    assert leave.decisions.get(action="rejected").comment == "月底业务繁忙"
    assert list(services.waiting_for(people.lead)) == []
    assert audit_actions(leave)[-1] == "approvals.rejected"


def test_a_rejection_in_the_middle_of_the_chain_ends_it(people):
    application = services.submit(people.rm, ACTIVITY, reason="沙龙", payload=activity_payload())
    services.approve(people.lead, application)

    rejected = services.reject(people.sub_manager, application, comment="预算过高")

    assert rejected.status == Application.Status.REJECTED
    assert rejected.decided_by == people.sub_manager


def test_forwarding_passes_the_step_to_the_next_handler_who_then_decides(people, leave):
    candidates = set(services.forward_candidates(leave, people.lead).values_list("employee_no", flat=True))
    assert candidates == {"NSM", "NBM"}  # holders for the team's org, not the submitter, not the forwarder

    services.forward(people.lead, leave, to=people.manager, comment="请行长定夺")

    assert list(services.waiting_for(people.lead)) == []
    assert list(services.waiting_for(people.manager)) == [leave]
    with pytest.raises(PermissionDenied):
        services.approve(people.lead, leave)
    services.approve(people.manager, leave)
    assert list(leave.decisions.values_list("action", "actor__employee_no")) == [
        ("submitted", "NRM"),
        ("forwarded", "NTL"),
        ("approved", "NBM"),
    ]
    assert leave.decisions.get(action="forwarded").routed_to == [{"id": people.manager.pk, "name": "北方行长"}]
    assert "approvals.forwarded" in audit_actions(leave)


def test_forwarding_only_reaches_holders_of_the_permission_for_the_applications_org(people, leave):
    for target in (people.south_lead, people.rm2):
        with pytest.raises(DomainError, match="does not hold") as refused:
            services.forward(people.lead, leave, to=target)
        assert refused.value.field == "to"
    with pytest.raises(DomainError, match="other than yourself"):
        services.forward(people.lead, leave, to=people.lead)


def test_forwarding_to_someone_who_approved_an_earlier_step_is_refused(people):
    application = services.submit(people.rm, ACTIVITY, reason="沙龙", payload=activity_payload())
    services.approve(people.lead, application)

    with pytest.raises(DomainError, match="already approved an earlier step"):
        services.forward(people.sub_manager, application, to=people.lead)


def test_the_submitter_may_withdraw_while_pending_and_nobody_else_may(people, leave):
    with pytest.raises(PermissionDenied, match="Only the submitter"):
        services.withdraw(people.lead, leave)

    withdrawn = services.withdraw(people.rm, leave, comment="不需要了")

    assert withdrawn.status == Application.Status.WITHDRAWN
    assert list(services.waiting_for(people.lead)) == []
    with pytest.raises(DomainError, match="already withdrawn"):
        services.approve(people.lead, leave)
    assert audit_actions(leave)[-1] == "approvals.withdrawn"


def test_a_decided_application_can_no_longer_be_withdrawn(people, leave):
    services.approve(people.lead, leave)

    with pytest.raises(DomainError, match="Only a pending application can be withdrawn; this one is approved"):
        services.withdraw(people.rm, leave)


def test_a_submitted_application_validates_its_details(people):
    with pytest.raises(DomainError, match="cannot end before it starts") as refused:
        services.submit(people.rm, LEAVE, reason="x", payload=leave_payload(start="2026-03-05", end="2026-03-01"))
    assert refused.value.field == "end_date"
    with pytest.raises(DomainError) as refused:
        services.submit(people.rm, LEAVE, reason="x", payload=leave_payload(kind="holiday"))
    assert refused.value.field == "leave_type"
    with pytest.raises(DomainError, match="Give a reason") as refused:
        services.submit(people.rm, LEAVE, reason=" ", payload=leave_payload())
    with pytest.raises(DomainError) as refused:
        services.submit(people.rm, ACTIVITY, reason="x", payload=activity_payload(budget="-1"))
    assert refused.value.field == "budget"
    with pytest.raises(DomainError, match="Unknown application type"):
        services.submit(people.rm, "approvals.nothing", reason="x", payload={})
    assert not Application.objects.exists()


def test_the_activity_budget_is_kept_exactly_as_money(people):
    application = services.submit(people.rm, ACTIVITY, reason="沙龙", payload=activity_payload(budget="12000.5"))

    application.refresh_from_db()
    assert application.payload["budget"] == "12000.50"
    assert ("Budget (CNY)", "¥12,000.50") in application.payload_display()


def test_submitting_needs_the_submit_permission(bank):
    with pytest.raises(PermissionDenied):
        services.submit(bank.north_rm, LEAVE, reason="x", payload=leave_payload())


def test_rerouting_hands_a_stuck_application_to_the_current_supervisors(bank, people, leave):
    from steward.org.services import set_employee_status
    from steward.testing import grant

    grant(bank.admin, "org.employee:change", scope="all")
    set_employee_status(bank.admin, people.lead, "left")  # the only handler left the bank
    with pytest.raises(PermissionDenied):
        services.reroute(people.rm, leave)

    services.reroute(people.manager, leave)

    assert list(leave.handlers.values_list("employee_no", flat=True)) == ["NSM"]
    assert leave.decisions.last().action == Decision.Action.REROUTED
