"""The wealth calendar (SVC-04, SVC-03): entries of the registered sources — reminders by kind and
my notes — as JSON for a range and a type filter; notes private to their owner; the private
iCalendar feed; nothing for users outside the scope."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from steward.agenda import services
from steward.agenda.models import CalendarNote
from steward.agenda.registry import EntryAction, calendar_registry
from steward.customers.tests.factories import CustomerFactory
from steward.holdings.models import Reminder
from steward.testing import grant

CALENDAR = (
    "customers.customer:view",
    "holdings.reminder:view",
    "holdings.reminder:act",
    "agenda.calendar:view",
    "agenda.note:view",
    "agenda.note:change",
)


class Diary:
    def __init__(self, bank):
        self.bank = bank
        self.today = timezone.localdate()
        self.first = self.today.replace(day=1)
        self.mine = CustomerFactory(org=bank.north_team, owner=bank.north_rm, name="甲客户")
        self.theirs = CustomerFactory(org=bank.south_team, owner=bank.south_rm, name="丙客户")
        self.birthday = self.reminder(self.mine, "birthday", 2)
        self.ipo = self.reminder(self.mine, "ipo", 9, subject="STAR688", text="科创板新股申购")
        self.dismissed = self.reminder(self.mine, "maturity", 4, subject="WM", state="dismissed")
        self.next_year = self.reminder(self.mine, "dividend", 400, subject="FUND")
        self.south = self.reminder(self.theirs, "birthday", 2)
        start = timezone.make_aware(dt.datetime.combine(self.first + dt.timedelta(days=5), dt.time(9, 30)))
        self.meeting = CalendarNote.objects.create(
            owner=bank.north_rm,
            title="客户拜访; 带资料, 签约",
            text="第一行\n第二行",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
            customer=self.mine,
        )
        day = timezone.make_aware(dt.datetime.combine(self.first + dt.timedelta(days=7), dt.time(0)))
        self.salon = CalendarNote.objects.create(owner=bank.north_rm, title="理财沙龙", starts_at=day, all_day=True)
        self.south_note = CalendarNote.objects.create(owner=bank.south_rm, title="南方的笔记", starts_at=start)
        for rm in (bank.north_rm, bank.south_rm):
            grant(rm, *CALENDAR, scope="own")

    def reminder(self, customer, kind, days, subject="", text="", state="open"):
        return Reminder.objects.create(
            kind=kind,
            customer=customer,
            owner=customer.owner,
            subject=subject,
            text=text,
            state=state,
            due_on=self.first + dt.timedelta(days=days),
            data_date=self.today,
        )

    def month(self) -> dict:
        return {"start": self.first.isoformat(), "end": (self.first + dt.timedelta(days=42)).isoformat()}


@pytest.fixture
def diary(bank):
    return Diary(bank)


def entries(client, **query):
    response = client.get(reverse("agenda:entries"), query)
    assert response.status_code == 200, response.content
    return {event["id"]: event for event in response.json()}


def test_the_calendar_json_holds_my_reminders_and_notes_for_the_range(diary, client):
    """SVC-04: the visible range's entries are my reminders (not dismissed ones, not another RM's,
    not outside the range) and my notes, each with its type, colour and customer."""
    client.force_login(diary.bank.north_rm)
    found = entries(client, **diary.month())

    assert set(found) == {
        f"reminder-{diary.birthday.pk}",
        f"reminder-{diary.ipo.pk}",
        f"note-{diary.meeting.pk}",
        f"note-{diary.salon.pk}",
    }
    birthday = found[f"reminder-{diary.birthday.pk}"]
    assert birthday["allDay"] is True and birthday["start"] == diary.birthday.due_on.isoformat()
    assert birthday["extendedProps"]["type"] == "reminder.birthday"
    assert birthday["extendedProps"]["customer"]["name"] == "甲客户"
    assert birthday["extendedProps"]["url"] == reverse("holdings:reminder_detail", args=[diary.birthday.pk])
    assert birthday["backgroundColor"] != found[f"reminder-{diary.ipo.pk}"]["backgroundColor"]
    salon = found[f"note-{diary.salon.pk}"]
    assert (salon["allDay"], salon["start"], salon["end"]) == (
        True,
        (diary.first + dt.timedelta(days=7)).isoformat(),
        (diary.first + dt.timedelta(days=8)).isoformat(),
    )
    meeting = found[f"note-{diary.meeting.pk}"]
    assert meeting["allDay"] is False and meeting["start"].startswith((diary.first + dt.timedelta(days=5)).isoformat())


def test_the_type_filter_narrows_the_entries(diary, client):
    """SVC-04: only the ticked entry types come back; none ticked, nothing."""
    client.force_login(diary.bank.north_rm)
    found = entries(client, types="reminder.ipo,note", **diary.month())
    assert {event["extendedProps"]["type"] for event in found.values()} == {"reminder.ipo", "note"}
    assert entries(client, types="", **diary.month()) == {}
    api = APIClient()
    api.force_authenticate(diary.bank.north_rm)
    rows = api.get("/api/v1/calendar-entries/", {"types": "reminder.birthday", **diary.month()}).json()
    assert [row["id"] for row in rows] == [f"reminder-{diary.birthday.pk}"]


def test_a_bad_range_is_a_clear_400(diary, client):
    client.force_login(diary.bank.north_rm)
    assert client.get(reverse("agenda:entries"), {"start": "2026-02-30", "end": "2026-03-01"}).status_code == 400
    response = client.get(reverse("agenda:entries"), {"start": "2026-01-01", "end": "2026-12-31"})
    assert response.status_code == 400 and "100 days" in response.json()["end"][0]
    api = APIClient()
    api.force_authenticate(diary.bank.north_rm)
    assert api.get("/api/v1/calendar-entries/", {"start": "x", "end": "y"}).status_code == 400


def test_a_note_is_private_to_its_owner(diary, client):
    """SVC-04: another RM does not see my note anywhere and cannot open, change or delete it (404)."""
    other = diary.bank.south_rm
    client.force_login(other)
    assert f"note-{diary.meeting.pk}" not in entries(client, **diary.month())
    assert client.get(reverse("agenda:note_edit", args=[diary.meeting.pk])).status_code == 404
    assert client.post(reverse("agenda:note_delete", args=[diary.meeting.pk])).status_code == 404
    assert "客户拜访" not in client.get(reverse("agenda:note_list")).content.decode()
    api = APIClient()
    api.force_authenticate(other)
    assert api.get(f"/api/v1/calendar-notes/{diary.meeting.pk}/").status_code == 404
    assert api.patch(f"/api/v1/calendar-notes/{diary.meeting.pk}/", {"title": "x"}).status_code == 404
    assert api.delete(f"/api/v1/calendar-notes/{diary.meeting.pk}/").status_code == 404
    assert [row["id"] for row in api.get("/api/v1/calendar-notes/").json()["results"]] == [diary.south_note.pk]
    diary.meeting.refresh_from_db()
    assert diary.meeting.title == "客户拜访; 带资料, 签约"


def test_notes_are_written_changed_and_deleted_by_their_owner(diary, client):
    """SVC-04: add (on a day of the calendar), edit and delete my notes; a customer outside my scope
    is refused."""
    rm = diary.bank.north_rm
    client.force_login(rm)
    day = diary.first + dt.timedelta(days=12)
    form = client.get(reverse("agenda:note_add"), {"date": day.isoformat()}).content.decode()
    assert f'value="{day.isoformat()}T09:00"' in form
    response = client.post(
        reverse("agenda:note_add"),
        {"title": "回访", "starts_at": f"{day.isoformat()}T10:00", "customer_number": diary.mine.cif, "text": ""},
    )
    assert response.status_code == 302
    note = CalendarNote.objects.get(title="回访")
    assert (note.owner, note.customer, note.all_day) == (rm, diary.mine, False)
    response = client.post(
        reverse("agenda:note_edit", args=[note.pk]),
        {"title": "回访", "starts_at": f"{day.isoformat()}T10:00", "customer_number": diary.theirs.cif},
    )
    assert response.status_code == 200 and "No customer with this number" in response.content.decode()
    api = APIClient()
    api.force_authenticate(rm)
    response = api.post(
        "/api/v1/calendar-notes/",
        {"title": "年假", "starts_at": f"{day.isoformat()}T15:30:00+08:00", "all_day": True},
        format="json",
    )
    assert response.status_code == 201, response.content
    created = CalendarNote.objects.get(pk=response.json()["id"])
    assert timezone.localtime(created.starts_at).time() == dt.time(0)  # whole days: the bank's midnight
    client.post(reverse("agenda:note_delete", args=[note.pk]))
    assert not CalendarNote.objects.filter(pk=note.pk).exists()


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_the_icalendar_feed_is_valid_and_holds_only_my_entries(diary, client):
    """SVC-04: the feed answers without a session, as text/calendar: CRLF lines of at most 75
    octets, escaped text, timed entries in UTC, all-day entries as DATE values; my entries only."""
    rm = diary.bank.north_rm
    feed = services.feed_of(rm)
    anonymous = client.get(reverse("agenda:feed", args=[feed.token]))
    assert anonymous.status_code == 200
    assert anonymous["Content-Type"] == "text/calendar; charset=utf-8"
    text = anonymous.content.decode("utf-8")

    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode("utf-8")) <= 75 for line in text.split("\r\n"))
    assert "\n" not in text.replace("\r\n", "")
    lines = unfold(text)
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == 4  # 2 reminders, 2 notes
    assert r"SUMMARY:客户拜访\; 带资料\, 签约" in lines
    assert r"DESCRIPTION:第一行\n第二行\n甲客户" in lines
    salon_day = (diary.first + dt.timedelta(days=7)).strftime("%Y%m%d")
    assert f"DTSTART;VALUE=DATE:{salon_day}" in lines
    start = diary.meeting.starts_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    assert f"DTSTART:{start}" in lines
    assert "南方的笔记" not in text and "丙客户" not in text
    assert any(line.startswith(f"UID:reminder-{diary.birthday.pk}@") for line in lines)

    try:
        import icalendar
    except ImportError:
        return
    calendar = icalendar.Calendar.from_ical(text)
    summaries = {str(event.get("summary")) for event in calendar.walk("VEVENT")}
    assert "客户拜访; 带资料, 签约" in summaries


def test_an_unknown_or_reset_token_is_a_404(diary, client):
    """SVC-04: a token nobody has is a 404; resetting the address ends the old one at once; a user
    who left has no feed."""
    rm = diary.bank.north_rm
    assert client.get(reverse("agenda:feed", args=["no-such-token"])).status_code == 404
    old = services.feed_of(rm).token
    client.force_login(rm)
    page = client.get(reverse("agenda:calendar")).content.decode()
    assert old in page
    assert client.post(reverse("agenda:feed_reset")).status_code == 302
    new = services.feed_of(rm).token
    assert new != old
    client.logout()
    assert client.get(reverse("agenda:feed", args=[old])).status_code == 404
    assert client.get(reverse("agenda:feed", args=[new])).status_code == 200
    assert client.post(reverse("agenda:feed", args=[new])).status_code == 405
    type(rm).objects.filter(pk=rm.pk).update(is_active=False)
    assert client.get(reverse("agenda:feed", args=[new])).status_code == 404


def test_a_reminder_entry_offers_the_actions_later_modules_register(diary, client):
    """SVC-04: a reminder offers "plan a contact" once contact plans fill the slot (the hook); a note
    does not; until the slot is filled nothing is offered."""
    client.force_login(diary.bank.north_rm)
    birthday_id = f"reminder-{diary.birthday.pk}"
    installed = calendar_registry.actions.get("plan_contact")  # the contact plans' own, when installed
    calendar_registry.unregister_action("plan_contact")
    try:
        assert entries(client, **diary.month())[birthday_id]["extendedProps"]["actions"] == []
        calendar_registry.register_action(
            EntryAction(
                "plan_contact",
                "Plan a contact",
                "holdings.reminder:act",
                lambda entry: f"/plans/add/?customer={entry.customer_id}",
            )
        )
        found = entries(client, **diary.month())
    finally:
        calendar_registry.unregister_action("plan_contact")
        if installed is not None:
            calendar_registry.register_action(installed)
    assert found[birthday_id]["extendedProps"]["actions"] == [
        {"key": "plan_contact", "label": "Plan a contact", "url": f"/plans/add/?customer={diary.mine.pk}"}
    ]
    assert found[f"note-{diary.salon.pk}"]["extendedProps"]["actions"] == []


def test_the_page_speaks_the_reader_s_language(diary, client):
    """SVC-04: FullCalendar's locale follows the interface language (zh-cn / en)."""
    client.force_login(diary.bank.north_rm)
    english = client.get(reverse("agenda:calendar")).content.decode()
    assert '"locale": "en"' in english and "zh-cn.global.min.js" not in english
    assert 'data-testid="type-reminder.birthday"' in english and 'data-testid="type-note"' in english
    chinese = client.get(reverse("agenda:calendar"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '"locale": "zh-cn"' in chinese and "zh-cn.global.min.js" in chinese


def test_a_user_outside_the_scope_sees_nothing(diary, client):
    """SVC-04: without the calendar permission the page, its JSON and the API are refused; an RM of
    another branch sees none of these customers' entries."""
    outsider = diary.bank.north_rm2
    client.force_login(outsider)
    assert client.get(reverse("agenda:calendar")).status_code == 403
    assert client.get(reverse("agenda:entries"), diary.month()).status_code == 403
    api = APIClient()
    api.force_authenticate(outsider)
    assert api.get("/api/v1/calendar-entries/", diary.month()).status_code == 403
    assert api.get("/api/v1/calendar-notes/").status_code == 403

    client.force_login(diary.bank.south_rm)
    found = entries(client, **diary.month())
    assert set(found) == {f"reminder-{diary.south.pk}", f"note-{diary.south_note.pk}"}
    assert not re.search("甲客户", str(found))
