"""The calendar API's permission matrix (routes "calendar-notes" and "calendar-entries", SVC-04,
PLT-11): reading my notes needs agenda.note:view, writing them agenda.note:change, the entries
agenda.calendar:view; a refused call changes nothing."""

import pytest
from rest_framework.test import APIClient

from steward.agenda.models import CalendarNote
from steward.agenda.tests.factories import CalendarNoteFactory
from steward.testing import grant

RANGE = {"start": "2026-12-01", "end": "2027-01-12"}
NOTE = {"title": "周会", "starts_at": "2026-12-08T09:00:00+08:00", "ends_at": "2026-12-08T10:00:00+08:00"}


def as_user(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize(
    ("permissions", "list_status", "add_status", "entries_status"),
    [
        ((), 403, 403, 403),
        (("agenda.note:view",), 200, 403, 403),
        (("agenda.note:change",), 403, 201, 403),
        (("agenda.calendar:view",), 403, 403, 200),
    ],
)
def test_each_calendar_endpoint_needs_its_own_permission(bank, permissions, list_status, add_status, entries_status):
    if permissions:
        grant(bank.north_rm, *permissions, scope="own")
    client = as_user(bank.north_rm)

    assert client.get("/api/v1/calendar-notes/").status_code == list_status
    assert client.post("/api/v1/calendar-notes/", NOTE, format="json").status_code == add_status
    assert CalendarNote.objects.exists() == (add_status == 201)
    assert client.get("/api/v1/calendar-entries/", RANGE).status_code == entries_status


def test_changing_and_deleting_a_note_need_the_change_permission(bank):
    note = CalendarNoteFactory(owner=bank.north_rm)
    grant(bank.north_rm, "agenda.note:view", scope="own")
    client = as_user(bank.north_rm)
    assert client.patch(f"/api/v1/calendar-notes/{note.pk}/", {"title": "改"}, format="json").status_code == 403
    assert client.delete(f"/api/v1/calendar-notes/{note.pk}/").status_code == 403
    grant(bank.north_rm, "agenda.note:change", scope="own")
    assert client.patch(f"/api/v1/calendar-notes/{note.pk}/", {"title": "改"}, format="json").status_code == 200
    assert client.delete(f"/api/v1/calendar-notes/{note.pk}/").status_code == 204
    assert not CalendarNote.objects.exists()


def test_an_anonymous_caller_is_refused(bank):
    assert APIClient().get("/api/v1/calendar-notes/").status_code == 401
    assert APIClient().post("/api/v1/calendar-notes/", NOTE, format="json").status_code == 401
    assert APIClient().get("/api/v1/calendar-entries/", RANGE).status_code == 401
    assert not CalendarNote.objects.exists()
