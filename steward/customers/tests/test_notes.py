"""CUS-11: public notes for whoever sees the customer; private notes for their author only —
never anyone else, administrators included (pages and API)."""

import pytest
from django.core.exceptions import PermissionDenied
from rest_framework.test import APIClient

from steward.customers import services
from steward.customers.models import CustomerNote


@pytest.fixture
def notes(book):
    public = services.add_note(book.bank.north_rm, book.mine, "喜欢稳健型产品")
    private = services.add_note(book.bank.north_rm, book.mine, "私人备忘：下周回访", private=True)
    return public, private


def note_bodies_on_page(user, customer, client):
    client.force_login(user)
    response = client.get(f"/customers/{customer.pk}/tab/notes/")
    assert response.status_code == 200
    return {note.body for note in response.context["notes"]}


def note_bodies_in_api(user, customer):
    api = APIClient()
    api.force_authenticate(user)
    response = api.get(f"/api/v1/customers/{customer.pk}/notes/")
    assert response.status_code == 200
    return {note["body"] for note in response.json()}


def test_the_author_reads_both(book, notes, client):
    expected = {"喜欢稳健型产品", "私人备忘：下周回访"}
    assert note_bodies_on_page(book.bank.north_rm, book.mine, client) == expected
    assert note_bodies_in_api(book.bank.north_rm, book.mine) == expected


@pytest.mark.parametrize("who", ["admin", "north_manager"])
def test_a_private_note_is_invisible_to_everyone_else(book, notes, client, who):
    user = getattr(book.bank, who)
    assert note_bodies_on_page(user, book.mine, client) == {"喜欢稳健型产品"}
    assert note_bodies_in_api(user, book.mine) == {"喜欢稳健型产品"}
    assert "私人备忘" not in client.get(f"/customers/{book.mine.pk}/?tab=notes").content.decode()


def test_notes_of_a_customer_out_of_scope_are_not_reachable(book, notes, client):
    client.force_login(book.bank.south_rm)
    assert client.get(f"/customers/{book.mine.pk}/tab/notes/").status_code == 404
    api = APIClient()
    api.force_authenticate(book.bank.south_rm)
    assert api.get(f"/api/v1/customers/{book.mine.pk}/notes/").status_code == 404
    with pytest.raises(PermissionDenied):
        services.add_note(book.bank.south_rm, book.mine, "越权")


def test_writing_and_deleting_notes_through_the_page_and_api(book, notes, client):
    client.force_login(book.bank.north_manager)
    response = client.post(f"/customers/{book.mine.pk}/notes/add/", {"body": "主管意见", "private": "on"})
    assert response.status_code == 302
    mine = CustomerNote.objects.get(body="主管意见")
    assert mine.is_private and mine.author == book.bank.north_manager
    assert "主管意见" not in note_bodies_on_page(book.bank.north_rm, book.mine, client)
    # Only the author may delete; someone else's private note is not even found.
    _public, private = notes
    client.force_login(book.bank.north_manager)
    client.post(f"/customers/notes/{private.pk}/delete/")
    assert CustomerNote.objects.filter(pk=private.pk).exists()
    client.post(f"/customers/notes/{mine.pk}/delete/")
    assert not CustomerNote.objects.filter(pk=mine.pk).exists()
    api = APIClient()
    api.force_authenticate(book.bank.north_rm)
    created = api.post(f"/api/v1/customers/{book.mine.pk}/notes/", {"body": "API 备注", "is_private": True})
    assert created.status_code == 201 and created.json()["is_private"] is True
