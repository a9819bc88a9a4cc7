"""SVC-05 / PLT-04 / CUS-10: contacts are visible exactly when their customer is — an RM outside
the scope sees nothing of them (list, detail, API, export, 360° view), and a confidential
customer's contacts stay hidden from everyone the customer is hidden from, the audit trail included."""

import io

from openpyxl import load_workbook
from rest_framework.test import APIClient

from steward.audit.models import AuditEntry
from steward.audit.visibility import Visibility
from steward.interactions import services
from steward.interactions.tests.conftest import NOW, at
from steward.interactions.tests.factories import InteractionFactory
from steward.testing import grant


def exported_summaries(client, query=""):
    response = client.get(f"/interactions/?export=xlsx{query}")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    return " ".join(str(cell) for row in rows for cell in row if cell)


def record(book, customer, summary, actor=None):
    return services.record_interaction(
        actor or customer.owner,
        customer,
        channel="call",
        direction="outbound",
        occurred_at=at(4),
        outcome="reached",
        summary=summary,
        now=NOW,
    )


def test_an_rm_outside_the_scope_sees_nothing(book, client):
    """The south RM sees none of the north RM's contacts: not in the list, not by id (404), not in
    the API (list and detail), not in the export, not in the customer's view."""
    north = record(book, book.mine, "北方客户的联系")
    south = record(book, book.south, "南方客户的联系")
    client.force_login(book.bank.south_rm)
    page = client.get("/interactions/").content.decode()
    assert "南方客户的联系" in page and "北方客户的联系" not in page
    assert client.get(f"/interactions/{north.pk}/").status_code == 404
    assert client.get(f"/interactions/{south.pk}/").status_code == 200
    assert client.get("/interactions/?customer_number=C100").context["table"].paginator.count == 0
    exported = exported_summaries(client)
    assert "南方客户的联系" in exported and "北方客户的联系" not in exported
    assert client.get(f"/customers/{book.mine.pk}/tab/service/").status_code == 404

    api = APIClient()
    api.force_authenticate(book.bank.south_rm)
    listed = api.get("/api/v1/interactions/").json()
    assert [row["id"] for row in listed["results"]] == [south.pk]
    assert api.get(f"/api/v1/interactions/{north.pk}/").status_code == 404
    assert api.get(f"/api/v1/interactions/?customer={book.mine.pk}").json()["count"] == 0
    assert list(services.interactions_for(book.bank.south_rm, book.mine)) == []


def test_the_branch_manager_sees_the_contacts_of_the_branch(book, client):
    record(book, book.mine, "北方客户的联系")
    record(book, book.colleague, "同事客户的联系")
    record(book, book.south, "南方客户的联系")
    client.force_login(book.bank.north_manager)
    page = client.get("/interactions/").content.decode()
    assert "北方客户的联系" in page and "同事客户的联系" in page and "南方客户的联系" not in page


def test_a_colleagues_customer_stays_hidden_from_an_rm_with_own_scope(book, client):
    record(book, book.colleague, "同事客户的联系")
    client.force_login(book.bank.north_rm)
    assert "同事客户的联系" not in client.get("/interactions/").content.decode()


def test_a_confidential_customers_contacts_are_hidden(book, client):
    """CUS-10: the branch manager, whose scope covers the confidential customer, sees neither its
    contacts nor their text in the audit trail; its owner sees them."""
    contact = record(book, book.secret, "机密客户的联系内容")
    manager = book.bank.north_manager
    client.force_login(manager)
    assert "机密客户的联系内容" not in client.get("/interactions/").content.decode()
    assert client.get(f"/interactions/{contact.pk}/").status_code == 404
    assert "机密客户的联系内容" not in exported_summaries(client)
    api = APIClient()
    api.force_authenticate(manager)
    assert api.get(f"/api/v1/interactions/{contact.pk}/").status_code == 404

    entry = AuditEntry.objects.get(object_type="interactions.interaction", object_id=str(contact.pk))
    visibility = Visibility(manager)
    assert visibility.is_hidden(entry)
    assert "机密客户的联系内容" not in str(visibility.changes(entry))
    assert not Visibility(book.bank.north_rm).is_hidden(entry)

    client.force_login(book.bank.north_rm)
    assert "机密客户的联系内容" in client.get("/interactions/").content.decode()
    assert client.get(f"/interactions/{contact.pk}/").status_code == 200


def test_without_the_permission_the_list_and_api_refuse(book, client):
    """PLT-03: no contacts permission — the menu's page and the API answer 403; no export permission
    — no export."""
    grant(book.bank.admin, "customers.customer:view", scope="all")
    client.force_login(book.bank.admin)
    assert client.get("/interactions/").status_code == 403
    api = APIClient()
    api.force_authenticate(book.bank.admin)
    assert api.get("/api/v1/interactions/").status_code == 403

    InteractionFactory(customer=book.mine)
    grant(book.bank.admin, "interactions.interaction:view", scope="all")
    assert client.get("/interactions/").status_code == 200
    assert client.get("/interactions/?export=xlsx").status_code == 403


def test_the_list_filters(book, client):
    """The list filters by channel, direction, outcome, employee, date range and customer number."""
    InteractionFactory(customer=book.mine, channel="visit", summary="拜访甲", occurred_at=at(2))
    InteractionFactory(customer=book.mine, channel="call", outcome="no_answer", summary="未接乙", occurred_at=at(4))
    InteractionFactory(customer=book.colleague, direction="inbound", summary="来电丙", occurred_at=at(6))
    client.force_login(book.bank.north_manager)

    def shown(query):
        table = client.get(f"/interactions/?{query}").context["table"]
        return sorted(row.record.summary for row in table.page.object_list)

    assert shown("channel=visit") == ["拜访甲"]
    assert shown("outcome=no_answer") == ["未接乙"]
    assert shown("direction=inbound") == ["来电丙"]
    assert shown("customer_number=C200") == ["来电丙"]
    assert shown(f"employee={book.bank.north_rm2.employee_no}") == ["来电丙"]
    assert shown("date_from=2026-12-03&date_to=2026-12-05") == ["未接乙"]
    assert shown("date_to=2026-12-02") == ["拜访甲"]
    assert shown("is_contact=false") == ["未接乙"]
    assert shown("date_from=not-a-date") == []
