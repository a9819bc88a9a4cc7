"""SVC-05 quick entry from a reminder (and SVC-03, DAT-05): the reminder page and every reminder
on the calendar offer "Record a contact"; the form comes with the customer filled in, and saving
the contact marks the reminder done. Someone else's reminder is never closed that way."""

import datetime as dt

from django.utils import timezone

from steward.agenda.registry import calendar_registry
from steward.holdings.models import Reminder
from steward.interactions.models import Interaction
from steward.testing import grant

REMINDER = ("holdings.reminder:view", "holdings.reminder:act", "contactplans.plan:add")


def birthday(customer):
    today = timezone.localdate()
    return Reminder.objects.create(
        kind=Reminder.Kind.BIRTHDAY, customer=customer, owner=customer.owner, due_on=today, data_date=today
    )


def contact(reminder_pk, cif="C100"):
    when = timezone.localtime().replace(second=0, microsecond=0) - dt.timedelta(minutes=5)
    return {
        "customer": cif,
        "channel": "call",
        "direction": "outbound",
        "occurred_at": when.strftime("%Y-%m-%dT%H:%M"),
        "outcome": "reached",
        "summary": "生日问候",
        "reminder": str(reminder_pk),
    }


def test_recording_a_contact_from_a_reminder_handles_it(book, client):
    grant(book.bank.north_rm, *REMINDER, scope="own")
    reminder = birthday(book.mine)
    client.force_login(book.bank.north_rm)
    page = client.get(f"/holdings/reminders/{reminder.pk}/").content.decode()
    assert 'data-testid="reminder-record"' in page and 'data-testid="reminder-plan"' in page
    form = client.get(f"/interactions/add/?customer={book.mine.pk}&reminder={reminder.pk}").content.decode()
    assert 'value="C100"' in form and f'name="reminder" value="{reminder.pk}"' in form

    response = client.post("/interactions/add/", contact(reminder.pk))
    assert response.status_code == 302
    assert Interaction.objects.get().customer == book.mine
    reminder.refresh_from_db()
    assert reminder.state == Reminder.State.DONE and reminder.acted_by == book.bank.north_rm
    # Handled: the reminder page no longer offers to record or plan.
    page = client.get(f"/holdings/reminders/{reminder.pk}/").content.decode()
    assert 'data-testid="reminder-record"' not in page and 'data-testid="reminder-plan"' not in page


def test_the_calendar_offers_record_a_contact_on_reminders(book):
    grant(book.bank.north_rm, *REMINDER, scope="own")
    reminder = birthday(book.mine)
    start = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))
    found = calendar_registry.entries(book.bank.north_rm, start, start + dt.timedelta(days=1))
    ((_source, entry, actions),) = [item for item in found if item[1].customer_id == book.mine.pk]
    urls = {action.slot: action.url(entry) for action in actions}
    assert urls["record_contact"] == f"/interactions/add/?customer={book.mine.pk}&reminder={reminder.pk}"


def test_a_reminder_outside_my_scope_is_not_closed_by_my_contact(book, client):
    grant(book.bank.north_rm, *REMINDER, scope="own")
    theirs = birthday(book.south)
    client.force_login(book.bank.north_rm)
    response = client.post("/interactions/add/", contact(theirs.pk))
    assert response.status_code == 302  # my contact with my customer is recorded
    theirs.refresh_from_db()
    assert theirs.state == Reminder.State.OPEN
