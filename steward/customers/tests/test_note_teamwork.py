"""SVC-12: teamwork on a customer's notes. Co-managers (协管) share the public notes and are
told of a new one; an @mention of a colleague tells them, with a link to the note, if they may see
the customer; a private note is nobody else's — never shown, never mentioning anyone."""

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from steward.core.errors import DomainError
from steward.customers import services
from steward.customers.mentions import NOTE_MENTION, NOTE_SHARED, mentioned_numbers
from steward.customers.models import CoManager, CustomerNote, NoteMention
from steward.notices.models import Notification
from steward.testing import EmployeeFactory


@pytest.fixture
def team(book):
    """north_rm2 co-manages north_rm's customer 张三 (book.mine)."""
    CoManager.objects.create(customer=book.mine, user=book.bank.north_rm2)
    return book


def told(user, kind=None):
    notifications = Notification.objects.filter(recipient=user)
    if kind:
        notifications = notifications.filter(kind=kind)
    return list(notifications)


def test_the_owner_and_co_managers_are_told_of_a_public_note_not_of_a_private_one(team):
    """SVC-12: a public note tells the owner and the co-managers (not its author); a private one nobody."""
    bank = team.bank
    note = services.add_note(bank.north_manager, team.mine, "客户下月有一笔定期到期")
    for person in (bank.north_rm, bank.north_rm2):
        [notification] = told(person, NOTE_SHARED)
        assert notification.url == f"/customers/{team.mine.pk}/?tab=notes#note-{note.pk}"
        assert "客户下月有一笔定期到期" in notification.text and "张三" in notification.text
    assert told(bank.north_manager) == []

    services.add_note(bank.north_rm, team.mine, "私人备忘", private=True)
    assert len(told(bank.north_rm2)) == 1  # still only the public one
    assert told(bank.north_manager) == []


def test_a_mentioned_colleague_is_told_with_a_link_to_the_note(team, client):
    """SVC-12: @employee-number works inside Chinese text; the mention is told once, in the
    reader's language, and shows as a highlighted name in the note list."""
    bank = team.bank
    note = services.add_note(bank.north_rm, team.mine2, "请@nbm跟进这位客户，谢谢")
    [notification] = told(bank.north_manager)
    assert notification.kind == NOTE_MENTION
    assert notification.url.endswith(f"#note-{note.pk}")
    assert list(NoteMention.objects.filter(note=note).values_list("user_id", flat=True)) == [bank.north_manager.pk]
    with translation.override("en"):
        assert notification.text.startswith("北方客户经理 mentioned you in a note on 张四")

    client.force_login(bank.north_rm)
    page = client.get(f"/customers/{team.mine2.pk}/tab/notes/").content.decode()
    assert 'data-testid="mention"' in page and "@北方行长" in page

    # The mentioned co-manager is told once (as mentioned), not twice.
    services.add_note(bank.north_manager, team.mine, "@NRM2 please call before Friday.")
    assert [n.kind for n in told(bank.north_rm2)] == [NOTE_MENTION]
    assert [n.kind for n in told(bank.north_rm)] == [NOTE_SHARED]


def test_the_mention_syntax_skips_e_mail_addresses():
    """SVC-12: user@example.com is not a mention; several mentions are each read once."""
    assert mentioned_numbers("mail a@b.com, @A1 和@a1，@B-2.") == ["A1", "B-2"]


def test_a_mention_of_a_colleague_who_cannot_see_the_customer_is_refused(team, client):
    """SVC-12: the author gets a clear error naming who cannot see the customer; nothing is written
    and nobody is told."""
    bank = team.bank
    with pytest.raises(DomainError, match="南方客户经理") as refused:
        services.add_note(bank.north_rm, team.mine2, "@SRM 看看这个客户")
    assert "@SRM" in refused.value.message
    with pytest.raises(DomainError, match="@NOBODY"):
        services.add_note(bank.north_rm, team.mine2, "@NOBODY hello")
    assert not CustomerNote.objects.exists() and not Notification.objects.exists()

    # The page: posted by htmx the form comes back with the error and the text kept.
    client.force_login(bank.north_rm)
    response = client.post(
        f"/customers/{team.mine2.pk}/notes/add/", {"body": "请@SRM 协助"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'data-testid="note-error"' in page and "南方客户经理" in page and "请@SRM 协助" in page
    # Plainly posted: back to the tab with the message.
    response = client.post(f"/customers/{team.mine2.pk}/notes/add/", {"body": "请@SRM 协助"}, follow=True)
    assert "南方客户经理" in response.content.decode()
    assert not CustomerNote.objects.exists()

    api = APIClient()
    api.force_authenticate(bank.north_rm)
    answer = api.post(f"/api/v1/customers/{team.mine2.pk}/notes/", {"body": "@SRM 请看"})
    assert answer.status_code == 400 and "南方客户经理" in answer.json()["body"][0]


def test_a_private_note_mentions_nobody(team, client):
    """SVC-12: mentions in a private note are refused with a clear error."""
    bank = team.bank
    with pytest.raises(DomainError, match="private"):
        services.add_note(bank.north_rm, team.mine, "@NRM2 私下说", private=True)
    client.force_login(bank.north_rm)
    response = client.post(
        f"/customers/{team.mine.pk}/notes/add/",
        {"body": "@NRM2 私下说", "private": "on"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422 and "@NRM2" in response.content.decode()
    assert not CustomerNote.objects.exists() and not Notification.objects.exists()
    # Saved by htmx: the tab comes back with the note.
    response = client.post(
        f"/customers/{team.mine.pk}/notes/add/", {"body": "公开备注"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and 'data-testid="note-saved"' in response.content.decode()


def test_private_notes_are_never_shown_to_co_managers(team, client):
    """SVC-12: the co-manager reads the public note — tab, team notes, API — never the private one."""
    bank = team.bank
    services.add_note(bank.north_rm, team.mine, "公开：客户偏好基金")
    services.add_note(bank.north_rm, team.mine, "私密：家庭矛盾", private=True)
    client.force_login(bank.north_rm2)
    tab = client.get(f"/customers/{team.mine.pk}/tab/notes/").content.decode()
    shared = client.get("/customers/notes/").content.decode()
    for page in (tab, shared):
        assert "公开：客户偏好基金" in page and "家庭矛盾" not in page
    api = APIClient()
    api.force_authenticate(bank.north_rm2)
    bodies = [note["body"] for note in api.get("/api/v1/customers/shared-notes/").json()["results"]]
    assert bodies == ["公开：客户偏好基金"]


def test_team_notes_show_colleagues_notes_on_my_customers_and_mentions_of_me(team, client):
    """SVC-12: the "Team notes" page and its filters (co-managed, mentioning me)."""
    bank = team.bank
    services.add_note(bank.north_rm, team.mine, "张三：已约周五面谈")  # rm2 co-manages 张三
    services.add_note(bank.north_rm2, team.colleague, "李四的备注")  # rm2's own note: not "shared"
    services.add_note(bank.north_manager, team.colleague, "@NRM2 李四需要回访")
    client.force_login(bank.north_rm2)

    def bodies(show):
        response = client.get("/customers/notes/", {"show": show})
        assert response.status_code == 200
        return [note.body for note in response.context["notes"]]

    assert bodies("all") == ["@NRM2 李四需要回访", "张三：已约周五面谈"]
    assert bodies("co-managed") == ["张三：已约周五面谈"]
    assert bodies("mentions") == ["@NRM2 李四需要回访"]
    assert 'data-menu="shared_notes"' in client.get("/").content.decode()
    api = APIClient()
    api.force_authenticate(bank.north_rm2)
    answer = api.get("/api/v1/customers/shared-notes/", {"show": "mentions"}).json()["results"]
    assert [note["body"] for note in answer] == ["@NRM2 李四需要回访"]
    assert answer[0]["mentions"] == [{"id": bank.north_rm2.pk, "employee_no": "NRM2", "name": "北方客户经理二"}]
    assert api.get("/api/v1/customers/shared-notes/", {"show": "bad"}).status_code == 400


def test_team_notes_follow_the_data_scope(team, client):
    """SVC-12: no co-management, no scope, no notes — a former co-manager and a user outside the
    scope see nothing, and a user without the notes permission may not open the page."""
    bank = team.bank
    services.add_note(bank.north_rm, team.mine, "张三：公开备注 @NRM2")
    CoManager.objects.filter(user=bank.north_rm2).delete()  # no longer sees 张三 (own scope)
    for user in (bank.north_rm2, bank.south_rm):
        client.force_login(user)
        assert list(client.get("/customers/notes/").context["notes"]) == []
        assert list(client.get("/customers/notes/", {"show": "mentions"}).context["notes"]) == []
        api = APIClient()
        api.force_authenticate(user)
        assert api.get("/api/v1/customers/shared-notes/").json()["results"] == []
    outsider = EmployeeFactory(employee_no="OUT", name="局外人", org=bank.north_team)
    client.force_login(outsider)
    assert client.get("/customers/notes/").status_code == 403


def test_mention_candidates_are_colleagues_who_can_see_the_customer(team, client):
    """SVC-12: the autocomplete offers only colleagues who may see the customer."""
    bank = team.bank
    client.force_login(bank.north_rm)
    response = client.get(f"/customers/{team.mine.pk}/notes/mentions/")
    offered = [person.employee_no for person in response.context["candidates"]]
    assert "NRM2" in offered and "SRM" not in offered and "NRM" not in offered
    searched = client.get(f"/customers/{team.mine.pk}/notes/mentions/", {"q": "南方"}).context["candidates"]
    assert list(searched) == []
    found = client.get(f"/customers/{team.mine.pk}/notes/mentions/", {"q": "@nb"}).context["candidates"]
    assert [person.employee_no for person in found] == ["NBM"]
    client.force_login(bank.south_rm)
    assert client.get(f"/customers/{team.mine.pk}/notes/mentions/").status_code == 404
