"""The lists and the 360° view cost a constant number of queries, whatever the data size."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from steward.customers.models import CoManager
from steward.customers.tests.factories import CustomerFactory


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_my_customers_and_the_360_view_do_not_grow_with_data(book, client):
    client.force_login(book.bank.north_rm)
    urls = ["/customers/", "/customers/related/", f"/customers/{book.mine.pk}/"]
    urls += [f"/customers/{book.mine.pk}/tab/{tab}/" for tab in ("profile", "notes", "relations", "ownership")]
    CoManager.objects.create(customer=book.colleague, user=book.bank.north_rm)
    for url in urls:
        queries_for(client, url)  # warm the per-process caches (code tables, parameters)
    small = [queries_for(client, url) for url in urls]
    for _ in range(30):
        customer = CustomerFactory(org=book.bank.north_team, owner=book.bank.north_rm)
        CoManager.objects.create(customer=customer, user=book.bank.north_rm2)
        CoManager.objects.create(customer=CustomerFactory(org=book.bank.north_team), user=book.bank.north_rm)
    assert [queries_for(client, url) for url in urls] == small
