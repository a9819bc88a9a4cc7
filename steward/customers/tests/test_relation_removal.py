"""CUS-15: a relation can be removed from the relations tab of the customer's 360° view — by
whoever may edit the customer, both ways for a family relation, audited."""

import pytest

from steward.audit.models import AuditEntry
from steward.core.errors import DomainError
from steward.customers import services
from steward.customers.models import CorporateParty, CustomerRelation
from steward.testing import EmployeeFactory, grant


@pytest.fixture
def spouses(book):
    return services.add_relation(book.bank.north_rm, book.mine, "spouse", related_customer=book.mine2)


def tab(client, customer) -> str:
    return client.get(f"/customers/{customer.pk}/tab/relations/").content.decode()


def test_the_relations_tab_removes_a_relation_both_ways(book, spouses, client):
    """CUS-15: the remove button on the tab deletes the relation and its mirror, and audits it."""
    client.force_login(book.bank.north_rm)
    assert f'data-testid="relation-{spouses.pk}"' in tab(client, book.mine)
    assert 'data-testid="remove-relation"' in tab(client, book.mine)

    response = client.post(
        f"/customers/{book.mine.pk}/relations/remove/",
        {"relation": spouses.pk, "next": f"/customers/{book.mine.pk}/?tab=relations"},
        follow=True,
    )
    assert "The relation was removed." in response.content.decode()
    assert not CustomerRelation.objects.filter(customer__in=[book.mine, book.mine2]).exists()
    entry = AuditEntry.objects.get(action="customers.relation_removed")
    assert entry.object_id == str(book.mine.pk) and entry.actor_id == book.bank.north_rm.pk
    assert "No relations recorded." in tab(client, book.mine)


def test_a_company_relation_is_removed_too(book, client):
    """CUS-15: person ↔ corporate relations are removed the same way."""
    company = CorporateParty.objects.create(name="北京某某科技有限公司", credit_code="91110105MA01ABCD1X")
    relation = services.add_relation(book.bank.north_rm, book.mine, "legal_rep", corporate=company)
    client.force_login(book.bank.north_rm)
    client.post(f"/customers/{book.mine.pk}/relations/remove/", {"relation": relation.pk})
    assert not CustomerRelation.objects.filter(pk=relation.pk).exists()
    assert CorporateParty.objects.filter(pk=company.pk).exists()  # the company stays for other customers


def test_only_editors_in_scope_remove_relations(book, spouses, client):
    """CUS-15: without the change permission no button shows and the post is refused (403);
    outside the data scope the customer does not exist (404); the relation stays."""
    reader = EmployeeFactory(employee_no="NRD", org=book.bank.north)
    grant(reader, "customers.customer:view", "customers.tab:relations", scope="subtree")
    client.force_login(reader)
    assert f'data-testid="relation-{spouses.pk}"' in tab(client, book.mine)
    assert 'data-testid="remove-relation"' not in tab(client, book.mine)
    assert client.post(f"/customers/{book.mine.pk}/relations/remove/", {"relation": spouses.pk}).status_code == 403

    client.force_login(book.bank.south_rm)
    assert client.post(f"/customers/{book.mine.pk}/relations/remove/", {"relation": spouses.pk}).status_code == 404
    assert CustomerRelation.objects.filter(pk=spouses.pk).exists()


def test_a_relation_to_a_customer_one_cannot_see_is_not_removed(book, spouses, client):
    """CUS-10 / CUS-15: a relation the tab hides (its counterpart became confidential) cannot be removed."""
    manager = book.bank.north_manager
    services.set_confidential(manager, book.mine2, True)
    book.mine2.refresh_from_db()
    services.revoke_confidential_access(manager, book.mine2, manager)
    assert not services.relations_for(manager, book.mine).exists()
    with pytest.raises(DomainError):
        services.remove_relation(book.bank.north_manager, spouses)
    client.force_login(book.bank.north_manager)
    response = client.post(f"/customers/{book.mine.pk}/relations/remove/", {"relation": spouses.pk}, follow=True)
    assert "Choose one of this customer&#x27;s relations." in response.content.decode()
    assert CustomerRelation.objects.filter(pk=spouses.pk).exists()
