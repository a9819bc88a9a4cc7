"""PLT-09: who an application goes to — the nearest supervisor, a same-level peer, or a chain."""

import pytest
from django import forms

from steward.access.models import RoleAssignment
from steward.approvals import services
from steward.approvals.models import Application, Decision
from steward.approvals.registry import SAME_LEVEL, ApplicationType, Step
from steward.approvals.tests.conftest import ACTIVITY, LEAVE, activity_payload, leave_payload
from steward.core.errors import DomainError
from steward.testing import EmployeeFactory


class NoteForm(forms.Form):
    note = forms.CharField()


class PeerReview(ApplicationType):
    key = "tests.peer_review"
    label = "Peer review"
    form_class = NoteForm
    steps = (Step("Same-level review", SAME_LEVEL),)


def handler_numbers(application):
    return sorted(application.handlers.values_list("employee_no", flat=True))


def test_a_leave_application_goes_to_the_team_lead_not_to_the_managers_above(people):
    application = services.submit(people.rm, LEAVE, reason="家事", payload=leave_payload())

    assert application.status == Application.Status.PENDING
    assert handler_numbers(application) == ["NTL"]
    assert application.step_label == "Supervisor approval"
    assert application.org == people.rm.org


def test_without_a_team_lead_the_application_goes_up_to_the_nearest_manager(people):
    RoleAssignment.objects.filter(user=people.lead).delete()

    application = services.submit(people.rm, LEAVE, reason="家事", payload=leave_payload())

    assert handler_numbers(application) == ["NSM"]


def test_a_team_lead_never_approves_their_own_leave_it_goes_one_level_up(people):
    application = services.submit(people.lead, LEAVE, reason="体检", payload=leave_payload())

    assert handler_numbers(application) == ["NSM"]


def test_several_supervisors_at_the_same_level_all_see_it_and_the_submitter_may_pick_one(bank, people):
    from steward.approvals.permissions import APPROVE, HANDLE
    from steward.testing import grant

    deputy = EmployeeFactory(employee_no="NTL2", org=bank.north_team)
    grant(deputy, HANDLE, APPROVE, scope="team", org=bank.north_team)

    to_both = services.submit(people.rm, LEAVE, reason="家事", payload=leave_payload())
    to_deputy = services.submit(people.rm, LEAVE, reason="家事", payload=leave_payload(), handler=deputy)

    assert handler_numbers(to_both) == ["NTL", "NTL2"]
    assert handler_numbers(to_deputy) == ["NTL2"]
    with pytest.raises(DomainError) as refused:
        services.submit(people.rm, LEAVE, reason="家事", payload=leave_payload(), handler=people.manager)
    assert refused.value.field == "handler"


def test_nobody_to_approve_is_a_clear_error_and_nothing_is_stored(bank, people):
    RoleAssignment.objects.filter(user__in=[people.south_lead]).delete()

    with pytest.raises(DomainError, match="Nobody can handle the step “Supervisor approval”"):
        services.submit(people.south_rm, LEAVE, reason="家事", payload=leave_payload())
    assert not Application.objects.exists()


def test_an_activity_proposal_travels_the_chain_team_lead_then_branch_manager(people):
    application = services.submit(people.rm, ACTIVITY, reason="答谢客户", payload=activity_payload())
    assert handler_numbers(application) == ["NTL"]

    application = services.approve(people.lead, application, comment="同意")

    assert application.status == Application.Status.PENDING
    assert application.step_label == "Branch manager approval"
    # The nearest (sub-)branch above the team: the sub-branch manager.
    assert handler_numbers(application) == ["NSM"]

    application = services.approve(people.sub_manager, application)

    assert application.status == Application.Status.APPROVED
    assert list(application.decisions.values_list("action", "actor__employee_no")) == [
        ("submitted", "NRM"),
        ("approved", "NTL"),
        ("approved", "NSM"),
    ]


def test_a_chain_step_whose_only_approver_already_approved_is_skipped_not_repeated(people):
    # The team lead's own proposal: step 1 goes to the sub-branch manager, who is also step 2's approver.
    application = services.submit(people.lead, ACTIVITY, reason="答谢客户", payload=activity_payload())
    assert handler_numbers(application) == ["NSM"]

    application = services.approve(people.sub_manager, application)

    assert application.status == Application.Status.APPROVED
    skipped = application.decisions.get(action=Decision.Action.SKIPPED)
    assert skipped.step_label == "Branch manager approval"
    assert "Already approved by 北方支行长" in skipped.comment


def test_same_level_review_goes_to_a_peer_at_the_same_org_never_the_submitter(reviewers, register_type):
    register_type(PeerReview())

    application = services.submit(reviewers.rm, "tests.peer_review", reason="复核", payload={"note": "x"})

    assert handler_numbers(application) == ["NRM2"]  # not the submitter NRM, not the team lead
    application = services.approve(reviewers.rm2, application)
    assert application.status == Application.Status.APPROVED


def test_same_level_review_ignores_reviewers_of_other_orgs(bank, reviewers, register_type):
    from steward.approvals.permissions import HANDLE, REVIEW
    from steward.testing import grant

    register_type(PeerReview())
    RoleAssignment.objects.filter(user=reviewers.rm2).delete()
    grant(bank.north_manager, HANDLE, REVIEW, scope="subtree", org=bank.north)  # above, not the same level

    with pytest.raises(DomainError, match="Nobody can handle the step “Same-level review”"):
        services.submit(reviewers.rm, "tests.peer_review", reason="复核", payload={"note": "x"})


def test_a_step_asking_for_an_unregistered_permission_stops_start_up(register_type):
    from steward.approvals.apps import check_application_types

    class Broken(PeerReview):
        key = "tests.broken"
        steps = (Step("Compliance", permission="compliance.thing:approve"),)

    assert check_application_types(None) == []
    register_type(Broken())

    errors = check_application_types(None)

    assert [e.id for e in errors] == ["approvals.E001"]
    assert "compliance.thing:approve" in errors[0].msg


def test_registering_a_type_twice_or_with_a_clashing_field_is_refused(register_type):
    register_type(PeerReview())
    with pytest.raises(ValueError, match="twice"):
        register_type(PeerReview())

    class Clash(forms.Form):
        reason = forms.CharField()

    class Clashing(PeerReview):
        key = "tests.clashing"
        form_class = Clash

    with pytest.raises(ValueError, match="clash"):
        register_type(Clashing())
