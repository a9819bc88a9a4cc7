"""CUS-02: the 360° view's service history — ownership changes, reminders and whether they were
handled, tier changes and readable notes, newest first; private notes stay their author's."""

import datetime as dt
from decimal import Decimal

from steward.customers import services
from steward.holdings.models import Reminder, TierChange


def history_page(client, user, customer):
    client.force_login(user)
    response = client.get(f"/customers/{customer.pk}/tab/service/")
    return response


def test_the_history_merges_what_happened_newest_first(book, client):
    rm, mine = book.bank.north_rm, book.mine
    TierChange.objects.create(
        customer=mine, data_date=dt.date(2026, 3, 1), old_tier="普通", new_tier="金卡", aum=Decimal("60000")
    )
    Reminder.objects.create(
        kind="maturity",
        customer=mine,
        owner=rm,
        subject="WM-1",
        due_on=dt.date(2026, 4, 10),
        data_date=dt.date(2026, 4, 1),
        amount=Decimal("50000.00"),
        text="稳盈理财",
        is_done=True,
    )
    services.add_note(rm, mine, "客户要求下月回访")

    response = history_page(client, rm, mine)
    assert response.status_code == 200
    events = response.context["events"]
    kinds = [str(e.kind) for e in events]
    assert kinds[0] == "Note"  # written today: the newest
    assert "Product maturity" in kinds and "Tier change" in kinds
    maturity = next(e for e in events if str(e.kind) == "Product maturity")
    assert "稳盈理财" in maturity.detail and "handled" in maturity.detail
    assert [e.on for e in events] == sorted((e.on for e in events), reverse=True)


def test_a_private_note_appears_only_in_its_authors_history(book, client):
    services.add_note(book.bank.north_rm, book.mine, "私人备忘：家庭情况", private=True)
    assert "私人备忘" in history_page(client, book.bank.north_rm, book.mine).content.decode()
    assert "私人备忘" not in history_page(client, book.bank.admin, book.mine).content.decode()
    assert "私人备忘" not in history_page(client, book.bank.north_manager, book.mine).content.decode()


def test_outside_the_scope_there_is_no_history(book, client):
    assert history_page(client, book.bank.south_rm, book.mine).status_code == 404
    assert services.service_history(book.bank.south_rm, book.mine) == []
