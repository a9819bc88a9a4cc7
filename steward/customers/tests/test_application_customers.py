"""CUS-09 with PLT-09 / PLT-13: whoever decides a transfer or an allocation sees the customers'
names and AUM on the application page, not only their numbers — as far as they may see them."""

from decimal import Decimal

from steward.customers import services
from steward.customers.models import CustomerFigures


def customers_card(client, application) -> str:
    html = client.get(f"/approvals/{application.pk}/").content.decode()
    start = html.index('data-testid="application-customers"')
    return html[start : html.index("</table>", start)]


def test_the_approver_sees_names_and_aum_of_a_transfer(book, client):
    """CUS-09: the supervisor deciding a transfer reads who the customers are and what they hold."""
    CustomerFigures.objects.filter(customer=book.mine).update(aum=Decimal("1234567.89"), tier="gold")
    application = services.request_transfer(
        book.bank.north_rm, [book.mine, book.mine2], book.bank.north_rm2, reason="调岗"
    )
    client.force_login(book.bank.north_manager)

    card = customers_card(client, application)

    assert "张三" in card and "张四" in card
    assert "¥1,234,567.89" in card and "gold" in card
    assert f'href="/customers/{book.mine.pk}/"' in card
    # The submitter reads the same card on their own application.
    client.force_login(book.bank.north_rm)
    assert "张三" in customers_card(client, application)


def test_an_allocation_names_the_unassigned_customers(book, client):
    """CUS-09: an allocation request shows the requested customers by name to its approver."""
    application = services.request_allocation(book.bank.north_rm, [book.unassigned], reason="新客户跟进")
    client.force_login(book.bank.north_manager)
    assert "赵六" in customers_card(client, application)


def test_what_the_viewer_may_not_see_stays_hidden(book, client):
    """CUS-10 / PLT-13: a confidential customer without a grant shows only its placeholder; a
    customer outside the viewer's data scope shows a masked name and no figures."""
    manager = book.bank.north_manager
    CustomerFigures.objects.filter(customer=book.colleague).update(aum=Decimal("7654321.00"))
    application = services.request_transfer(book.bank.north_rm2, [book.colleague], book.bank.north_rm, reason="调岗")
    services.set_confidential(manager, book.colleague, True)
    services.revoke_confidential_access(manager, book.colleague, manager)

    client.force_login(manager)
    card = customers_card(client, application)
    assert "李四" not in card and "7,654,321" not in card
    assert "Confidential customer" in card and "C200" in card

    # Seen by someone whose scope does not reach the customer (a colleague RM): masked name, no AUM.
    rows = services.customers_in_application(book.bank.north_rm, [book.mine.pk, book.south.pk])
    by_number = {row.cif: row for row in rows}
    assert by_number["C100"].shown and by_number["C100"].name == "张三"
    assert not by_number["C300"].shown and by_number["C300"].name == "王*" and by_number["C300"].aum is None
