"""PLT-09 done-when: an approval whose action fails leaves nothing half-done.

The action runs in a savepoint of the approving transaction. When it raises, its writes,
the approval decision, the status change and their audit entries are all rolled back;
the application stays pending with the error shown, and the audit trail records an
``approvals.approval_failed`` entry (never an ``approvals.approved`` one).
"""

import pytest
from django import forms

from steward.approvals import services
from steward.approvals.models import Application, Decision
from steward.approvals.registry import ApplicationType, Step
from steward.audit.models import AuditEntry
from steward.audit.services import verify_chain
from steward.core.errors import DomainError
from steward.org.models import Org


class BookingForm(forms.Form):
    amount = forms.DecimalField(max_digits=20, decimal_places=2)


class BudgetBooking(ApplicationType):
    """Its action writes two things, then (while `failure` is set) raises."""

    key = "tests.budget_booking"
    label = "Budget booking"
    form_class = BookingForm
    steps = (Step("Supervisor approval"),)
    failure: Exception | None = DomainError("The budget system refused the booking.")

    def on_approved(self, application, actor):
        Org.objects.create(code="BOOKED", name="记账机构", kind=Org.Kind.DEPARTMENT, path="999999/")
        Org.objects.filter(code="N").update(name="已被动作改名")
        if self.failure is not None:
            raise self.failure


@pytest.fixture
def booking_type(register_type):
    return register_type(BudgetBooking())


@pytest.fixture
def booking(people, booking_type):
    return services.submit(people.rm, booking_type.key, reason="记账", payload={"amount": "100"})


def entries_for(application):
    return AuditEntry.objects.filter(object_type="approvals.application", object_id=str(application.pk))


def test_a_failing_action_leaves_nothing_half_done(people, booking):
    with pytest.raises(services.ApprovalActionFailed, match="The budget system refused the booking."):
        services.approve(people.lead, booking, comment="同意")

    # Nothing of the action's writes remains …
    assert not Org.objects.filter(code="BOOKED").exists()
    assert Org.objects.get(code="N").name == "北方分行"
    assert not AuditEntry.objects.filter(object_type="org.org", object_repr="记账机构").exists()
    # … the application is still pending, still waiting for the same person, and says why …
    application = Application.objects.get(pk=booking.pk)
    assert application.status == Application.Status.PENDING
    assert application.decided_at is None and application.decided_by is None
    assert application.last_error == "The budget system refused the booking."
    assert list(services.waiting_for(people.lead)) == [application]
    # … no approval decision was recorded: not in the timeline, not in the audit trail.
    assert not application.decisions.filter(action=Decision.Action.APPROVED).exists()
    assert not entries_for(application).filter(action="approvals.approved").exists()
    failure = entries_for(application).get(action="approvals.approval_failed")
    assert failure.actor == people.lead
    assert failure.message == "The budget system refused the booking."
    assert verify_chain().ok


def test_the_error_is_shown_on_the_application_page(people, booking, client):
    with pytest.raises(services.ApprovalActionFailed):
        services.approve(people.lead, booking)

    client.force_login(people.lead)
    page = client.get(f"/approvals/{booking.pk}/").content.decode()

    assert 'data-testid="last-error"' in page
    assert "The budget system refused the booking." in page
    assert 'data-testid="approve"' in page  # still waiting for a decision


def test_pressing_approve_on_the_page_shows_the_error_and_keeps_it_pending(people, booking, client):
    client.force_login(people.lead)

    response = client.post(f"/approvals/{booking.pk}/approve/", {"comment": "同意", "step": 0}, follow=True)

    page = response.content.decode()
    assert "could not be approved and is still pending: The budget system refused the booking." in page
    assert Application.objects.get(pk=booking.pk).status == Application.Status.PENDING
    assert not Org.objects.filter(code="BOOKED").exists()


def test_once_the_cause_is_fixed_the_approval_goes_through_and_the_error_clears(people, booking, booking_type):
    with pytest.raises(services.ApprovalActionFailed):
        services.approve(people.lead, booking)
    booking_type.failure = None

    application = services.approve(people.lead, booking)

    assert application.status == Application.Status.APPROVED
    assert application.last_error == ""
    assert Org.objects.filter(code="BOOKED").exists()
    events = entries_for(application).filter(action__startswith="approvals.").order_by("seq")
    assert list(events.values_list("action", flat=True)) == [
        "approvals.submitted",
        "approvals.approval_failed",
        "approvals.approved",
    ]


def test_an_unexpected_error_is_reported_without_internals(people, booking, booking_type, caplog):
    booking_type.failure = RuntimeError("connection string postgres://secret@db")

    with pytest.raises(services.ApprovalActionFailed, match="failed unexpectedly \\(RuntimeError\\)") as failed:
        services.approve(people.lead, booking)

    assert "secret" not in str(failed.value)
    assert "secret" not in Application.objects.get(pk=booking.pk).last_error
    assert "The action of an approved application failed" in caplog.text  # the details go to the log


def test_a_database_error_inside_the_action_rolls_back_to_the_savepoint(people, booking, booking_type):
    class DuplicateBooking(BudgetBooking):
        def on_approved(self, application, actor):
            Org.objects.filter(code="N").update(name="已被动作改名")
            Org.objects.create(code="HO", name="重复", kind=Org.Kind.DEPARTMENT, path="888888/")  # unique code

    from steward.approvals.registry import application_types

    application_types.unregister(booking_type.key)
    application_types.register(DuplicateBooking())

    with pytest.raises(services.ApprovalActionFailed, match="IntegrityError"):
        services.approve(people.lead, booking)

    # The transaction is still usable and nothing of the action remains.
    assert Org.objects.get(code="N").name == "北方分行"
    assert Application.objects.get(pk=booking.pk).status == Application.Status.PENDING


def test_the_monitor_finds_applications_whose_approval_failed(people, booking, client):
    with pytest.raises(services.ApprovalActionFailed):
        services.approve(people.lead, booking)
    client.force_login(people.manager)

    failed = client.get("/approvals/monitor/", {"has_error": "true"}).content.decode()
    others = client.get("/approvals/monitor/", {"has_error": "false"}).content.decode()

    assert f'data-application="{booking.pk}"' in failed
    assert f'data-application="{booking.pk}"' not in others
