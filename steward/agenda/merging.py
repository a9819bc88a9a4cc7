"""What a customer merge (CUS-12) does with calendar notes about the customer."""

from django.utils.translation import gettext_lazy

from steward.customers.merging import register_merge_rule


def move_calendar_notes(merge) -> None:
    from steward.agenda.models import CalendarNote

    merge.move("calendar_notes", gettext_lazy("Calendar notes"), CalendarNote)


register_merge_rule("agenda.CalendarNote.customer", "moves", move_calendar_notes)
