"""Issue 12, point 6: customer lists as fast at 100k as at 1k — counts, AUM order, scope.

The big-list paths start above STEWARD_EXACT_COUNT_LIMIT rows (10,000 by default); the tests lower
the limit so that a handful of customers takes them.
"""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from steward.core.statistics import refresh_statistics
from steward.customers.models import Customer, CustomerFigures
from steward.customers.tests.factories import CustomerFactory
from steward.testing import EmployeeFactory, grant

CIF_CELL = re.compile(r">(C\d+)</a>")
TOTAL = re.compile(r'data-testid="list-total">\s*([^<]*)<')


def cifs_in(response) -> list[str]:
    body = response.content.decode()
    # Each row links its customer number once (the name links too, but not to text like "C…").
    return list(dict.fromkeys(CIF_CELL.findall(body)))


def total_text(response) -> str:
    match = TOTAL.search(response.content.decode())
    return " ".join(match.group(1).split()) if match else ""


def every_page(client, url, per_page, **params) -> list[str]:
    seen, page = [], 1
    while True:
        response = client.get(url, {"per_page": per_page, "page": page, **params})
        assert response.status_code == 200
        rows = cifs_in(response)
        seen += rows
        if len(rows) < per_page or 'data-testid="next-page"' not in response.content.decode():
            return seen
        page += 1


@pytest.fixture
def ranked(book):
    """The north team's customers with distinct AUMs, two of them without a figures row."""
    bank = book.bank
    people = [
        CustomerFactory(org=bank.north_team, owner=bank.north_rm, cif=f"C9{n:02d}", name=f"排{n}", aum=Decimal(aum))
        for n, aum in enumerate([500, 9000, 120, 9000, 70000, 3])
    ]
    bare = [
        CustomerFactory(org=bank.north_team, owner=bank.north_rm, cif=f"C8{n:02d}", name=f"无{n}") for n in range(2)
    ]
    CustomerFigures.objects.filter(customer__in=bare).delete()
    return people, bare


def expected_aum_order(manager, descending=True) -> list[str]:
    """AUM order as the list promises it: largest first (or smallest), ties by customer id in the same
    direction, customers without figures last (by id, likewise) — computed in Python, not by the database."""
    visible = list(Customer.objects.visible_to(manager, "customers.customer:view").select_related("figures"))
    with_figures = [c for c in visible if CustomerFigures.objects.filter(pk=c.pk).exists()]
    without = sorted((c for c in visible if c not in with_figures), key=lambda c: -c.pk if descending else c.pk)
    key = (lambda c: (-c.figures.aum, -c.pk)) if descending else (lambda c: (c.figures.aum, c.pk))
    return [c.cif for c in sorted(with_figures, key=key)] + [c.cif for c in without]


@pytest.mark.parametrize("limit", [10_000, 3], ids=["small list, one sorted query", "big list, AUM index walk"])
def test_org_list_is_ordered_by_aum_with_customers_without_figures_last(book, ranked, client, settings, limit):
    """CUS-09 / CUS-03: the org list's default order is AUM, largest first, customers without figures
    last; ascending the same with the smallest first — identical for small lists and for big ones read
    down the AUM index, on every page."""
    settings.STEWARD_EXACT_COUNT_LIMIT = limit
    client.force_login(book.bank.north_manager)
    manager = book.bank.north_manager
    assert every_page(client, "/customers/org/", 2) == expected_aum_order(manager)
    assert every_page(client, "/customers/org/", 3, sort="aum") == expected_aum_order(manager, descending=False)
    bare = {"C800", "C801"}
    assert set(every_page(client, "/customers/org/", 2)[-2:]) == bare
    assert set(every_page(client, "/customers/org/", 2, sort="aum")[-2:]) == bare


def test_a_big_org_list_reads_its_page_down_the_aum_index_not_a_sort_of_every_customer(book, ranked, client, settings):
    """CUS-09: the org-wide list above the exact-count limit no longer outer-joins the figures and
    sorts every customer in scope: its page comes from the figures table in AUM order."""
    settings.STEWARD_EXACT_COUNT_LIMIT = 3
    client.force_login(book.bank.north_manager)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/customers/org/").status_code == 200
    statements = [q["sql"] for q in captured]
    sorted_outer = [
        sql for sql in statements if "LEFT OUTER JOIN" in sql and 'ORDER BY "customers_customerfigures"."aum"' in sql
    ]
    assert not sorted_outer, sorted_outer
    walks = [
        sql
        for sql in statements
        if sql.startswith('SELECT "customers_customerfigures"."customer_id"')
        and 'ORDER BY "customers_customerfigures"."aum" DESC' in sql
    ]
    assert walks


def test_big_counts_are_labelled_about_and_small_ones_are_exact(book, ranked, client, settings):
    """CUS-03: above the exact-count limit a list's total is an estimate and says "about"; below it,
    the exact number."""
    settings.STEWARD_EXACT_COUNT_LIMIT = 3
    refresh_statistics(Customer, CustomerFigures)
    client.force_login(book.bank.north_manager)
    big = client.get("/customers/org/", {"per_page": 2})
    assert re.fullmatch(r"Showing 1 to 2 of about \d+", total_text(big)), total_text(big)
    assert "/ about" in big.content.decode()
    settings.STEWARD_EXACT_COUNT_LIMIT = 10_000
    small = client.get("/customers/org/", {"per_page": 2})
    visible = Customer.objects.visible_to(book.bank.north_manager, "customers.customer:view").count()
    assert total_text(small) == f"Showing 1 to 2 of {visible}"


def test_estimated_totals_carry_thousands_separators(book, client, settings):
    """CUS-03: a big list's total reads "about 1,200", not "about 1200"."""
    bank = book.bank
    Customer.objects.bulk_create(
        Customer(cif=f"K{n:05d}", name=f"批{n}", org=bank.south_team, owner=bank.south_rm) for n in range(1200)
    )
    settings.STEWARD_EXACT_COUNT_LIMIT = 1000
    refresh_statistics(Customer)
    client.force_login(bank.admin)
    text = total_text(client.get("/customers/org/"))
    assert re.fullmatch(r"Showing 1 to 20 of about \d{1,3}(,\d{3})+", text), text


def test_a_cached_count_is_refreshed_when_a_bulk_path_refreshes_statistics(book, ranked, client, settings):
    """CUS-13 / DAT-01: the cached total of a big list follows an intake or import (they call
    refresh_statistics); until then it is labelled as an estimate."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL estimates from the planner, not from a cached count")
    settings.STEWARD_EXACT_COUNT_LIMIT = 3
    client.force_login(book.bank.north_manager)
    before = total_text(client.get("/customers/org/", {"per_page": 2}))
    CustomerFactory.create_batch(4, org=book.bank.north_team, owner=book.bank.north_rm)
    assert total_text(client.get("/customers/org/", {"per_page": 2})) == before
    refresh_statistics(Customer)
    after = total_text(client.get("/customers/org/", {"per_page": 2}))
    assert int(after.rsplit(" ", 1)[1]) == int(before.rsplit(" ", 1)[1]) + 4


def test_a_page_past_an_estimated_end_shows_the_real_last_page(book, ranked, client, settings):
    """CUS-03: an estimate that overshoots never leaves the reader on an empty page."""
    settings.STEWARD_EXACT_COUNT_LIMIT = 3
    client.force_login(book.bank.north_manager)
    visible = Customer.objects.visible_to(book.bank.north_manager, "customers.customer:view").count()
    response = client.get("/customers/org/", {"per_page": 2, "page": 999})
    assert response.status_code == 200
    assert cifs_in(response) == expected_aum_order(book.bank.north_manager)[(visible - 1) // 2 * 2 :]


@pytest.mark.parametrize("limit", [10_000, 1])
def test_someone_outside_the_scope_sees_nothing_in_the_list_or_its_count(book, ranked, client, settings, limit):
    """PLT-04: a supervisor of an org without customers sees no row and a total of nothing, on the
    small-list and on the big-list path."""
    settings.STEWARD_EXACT_COUNT_LIMIT = limit
    outsider = EmployeeFactory(employee_no="OUT", org=book.bank.south_sub)
    grant(outsider, "customers.customer:view", "customers.orglist:view", scope="team")
    client.force_login(outsider)
    response = client.get("/customers/org/")
    assert cifs_in(response) == []
    assert 'data-testid="empty"' in response.content.decode()
    assert total_text(response) in ("", "0 records")
    response = client.get("/customers/org/", {"birthday_month": 1, "q": "排"})
    assert cifs_in(response) == []


def test_the_birthday_month_filter_finds_the_months_customers_in_plain_sql(book, client):
    """CUS-03: the list's birthday-month filter; on SQLite no Python function is called per row."""
    import datetime as dt

    bank = book.bank
    march = [
        CustomerFactory(org=bank.north_team, owner=bank.north_rm, name="三月甲", birth_date=dt.date(1980, 3, 1)),
        CustomerFactory(org=bank.north_team, owner=bank.north_rm, name="三月乙", birth_date=dt.date(1991, 3, 31)),
    ]
    CustomerFactory(org=bank.north_team, owner=bank.north_rm, name="三月丙", birth_date=dt.date(1991, 4, 1))
    CustomerFactory(org=bank.south_team, owner=bank.south_rm, name="三月丁", birth_date=dt.date(1985, 3, 15))
    client.force_login(bank.north_manager)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/customers/org/", {"birthday_month": 3, "q": "三月"})
    assert set(cifs_in(response)) == {c.cif for c in march}
    sql = " ".join(q["sql"] for q in captured)
    assert "django_date_extract" not in sql
    assert ("strftime(" in sql) if connection.vendor == "sqlite" else ("EXTRACT(MONTH FROM" in sql)


def test_the_org_list_costs_the_same_queries_on_the_first_and_the_last_page_of_a_big_list(
    book, ranked, client, settings
):
    """CUS-09: reading a big list down the AUM index adds no query per row."""
    settings.STEWARD_EXACT_COUNT_LIMIT = 3
    client.force_login(book.bank.north_manager)
    for page in (1, 4):
        client.get("/customers/org/", {"per_page": 2, "page": page})  # warm per-process caches

    def queries(page):
        with CaptureQueriesContext(connection) as captured:
            client.get("/customers/org/", {"per_page": 2, "page": page})
        return len(captured)

    first = queries(1)
    CustomerFactory.create_batch(6, org=book.bank.north_team, owner=book.bank.north_rm)
    refresh_statistics(Customer)
    queries(1)  # the bulk write's refresh made the cached totals count again, once
    # Six more customers add no statement (on PostgreSQL the planner may now send the total to the
    # cached count, which saves the bounded count and the plan: fewer statements, never more).
    assert queries(1) <= first
    # The last page also reads the customers without figures: at most two statements more.
    assert queries(6) <= first + 2


def test_the_birthday_month_filter_starts_at_any_month(book, ranked, client):
    """CUS-03: the list's filter form offers "any month" and selects it by default; a January default
    (the form submitted with the quick search) hid every customer not born in January."""
    people, bare = ranked
    client.force_login(book.bank.north_rm)
    page = client.get("/customers/").content.decode()
    select = re.search(r'<select name="birthday_month".*?</select>', page, re.S).group(0)
    assert re.search(r'<option value=""[^>]*selected', select)
    # What the form submits untouched: every customer stays in the list.
    assert set(cifs_in(client.get("/customers/", {"q": "", "birthday_month": ""}))) >= {c.cif for c in people}
    # A month chosen keeps exactly the RM's customers born in it.
    mine = Customer.objects.visible_to(book.bank.north_rm, "customers.customer:view").filter(owner=book.bank.north_rm)
    month = next(c.birth_date.month for c in mine if c.birth_date)
    born = {c.cif for c in mine if c.birth_date and c.birth_date.month == month}
    listed = set(cifs_in(client.get("/customers/", {"birthday_month": month})))
    assert born and listed == born


def customers_counted(sql: str) -> bool:
    """A statement that counts (or plans to count) the list's customers — not the page's other counts."""
    return "customers_customer" in sql and (sql.startswith("EXPLAIN") or "COUNT(*)" in sql)


def statements_of(client, url, **params) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return [q["sql"] for q in captured]


def test_a_big_lists_total_is_found_once_and_kept_until_the_next_bulk_write(book, ranked, client, settings):
    """CUS-03 (issue 12, point 6): the second visit of a big list neither counts its rows again nor
    asks the planner again; a bulk write (refresh_statistics) makes it count once more."""
    settings.STEWARD_EXACT_COUNT_LIMIT = 3
    client.force_login(book.bank.north_manager)
    refresh_statistics(Customer, CustomerFigures)
    first = statements_of(client, "/customers/org/", per_page=2)
    assert any(sql.startswith(('SELECT "customers_customer"."id"', "EXPLAIN")) for sql in first)
    again = statements_of(client, "/customers/org/", per_page=2, page=2)
    assert not [sql for sql in again if customers_counted(sql)], again
    assert not [sql for sql in again if sql.startswith('SELECT "customers_customer"."id" FROM')], again
    refresh_statistics(Customer)
    after = statements_of(client, "/customers/org/", per_page=2)
    assert any(sql.startswith(('SELECT "customers_customer"."id"', "EXPLAIN")) for sql in after)


def test_the_last_page_of_a_big_list_is_read_down_the_index_and_its_exact_count_is_kept(book, ranked, client, settings):
    """CUS-03: a page past the estimated end counts exactly, once: the next visit of the last page
    counts nothing, and its rows come from the AUM index walk, never from a sorted query that skips
    every row before them (at 1,000,000 customers: 1 s)."""
    settings.STEWARD_EXACT_COUNT_LIMIT = 3
    manager = book.bank.north_manager
    client.force_login(manager)
    expected = expected_aum_order(manager)
    last = (len(expected) + 1) // 2
    statements_of(client, "/customers/org/", per_page=2, page=999)  # past the end: counts exactly, once
    statements = statements_of(client, "/customers/org/", per_page=2, page=999)
    assert not [sql for sql in statements if customers_counted(sql)], statements
    assert not [sql for sql in statements if "OFFSET" in sql and "LEFT OUTER JOIN" in sql], statements
    assert cifs_in(client.get("/customers/org/", {"per_page": 2, "page": 999})) == expected[(last - 1) * 2 :]


def test_the_customers_without_figures_are_looked_for_once_per_data_generation(book, ranked, client, settings):
    """CUS-03: the end of a big list in AUM order (customers without figures) is an anti-join over
    the list: read once, then kept until a bulk write moves the data generation — and right after it."""
    settings.STEWARD_EXACT_COUNT_LIMIT = 3
    manager = book.bank.north_manager
    client.force_login(manager)
    expected = expected_aum_order(manager)
    last = (len(expected) + 1) // 2

    def anti_joins():
        statements = statements_of(client, "/customers/org/", per_page=2, page=last)
        return [sql for sql in statements if re.search(r'"customers_customerfigures"\."\w+" IS NULL', sql)]

    assert anti_joins()
    assert not anti_joins()
    people, _bare = ranked
    CustomerFigures.objects.filter(customer=people[0]).delete()  # a third customer without figures
    refresh_statistics(Customer, CustomerFigures)
    assert anti_joins()
    expected = expected_aum_order(manager)
    assert every_page(client, "/customers/org/", 2) == expected
    assert people[0].cif in expected[-3:]


def test_a_small_filtered_list_reads_its_page_by_the_keys_its_count_found(book, ranked, client):
    """CUS-03: a filter matching few customers is evaluated once: the bounded count returns their
    keys and the page is read by primary key, in the list's order."""
    people, _bare = ranked
    client.force_login(book.bank.north_manager)
    statements = statements_of(client, "/customers/org/", q="排", per_page=2)
    page = [sql for sql in statements if sql.startswith('SELECT "customers_customer"."id", "customers_customer"."cif"')]
    assert len(page) == 1 and '"customers_customer"."id" IN (' in page[0], page
    by_aum = sorted(people, key=lambda c: (-c.figures.aum, -c.pk))
    assert every_page(client, "/customers/org/", 2, q="排") == [c.cif for c in by_aum]
