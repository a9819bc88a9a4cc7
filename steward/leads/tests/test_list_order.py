"""Issue 15 (lead list at 100,000 leads): a big potential-customer list reads its page down the
creation-time index instead of sorting every lead in scope, and shows exactly what the small list's
single sorted query shows — the same leads, newest first (or oldest first), ties by id, on every
page, first and last — and nothing outside the reader's data scope (LEAD-06).

The big-list path starts above STEWARD_EXACT_COUNT_LIMIT rows; the tests lower the limit so that a
handful of leads takes it."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from steward.leads.models import Lead
from steward.leads.permissions import VIEW
from steward.testing import grant

LEAD_LINK = re.compile(r'href="/leads/(\d+)/"')


def ids_in(response) -> list[int]:
    return [int(pk) for pk in dict.fromkeys(LEAD_LINK.findall(response.content.decode()))]


def every_page(client, per_page, **params) -> list[int]:
    seen, page = [], 1
    while True:
        response = client.get("/leads/", {"per_page": per_page, "page": page, **params})
        assert response.status_code == 200
        rows = ids_in(response)
        seen += rows
        if len(rows) < per_page or 'data-testid="next-page"' not in response.content.decode():
            return seen
        page += 1


@pytest.fixture
def branch_leads(bank):
    """Nine leads of the north branch (created at six times) and three of the south."""
    now = timezone.now().replace(microsecond=0)
    north = []
    # Ties: three leads in the middle, and the two oldest (read from the far end on a big list).
    for n, hours in enumerate([5, 1, 9, 3, 3, 3, 7, 2, 9]):
        lead = Lead.objects.create(
            name=f"北{n}", mobile=f"139000000{n:02d}", org=bank.north_team if n % 2 else bank.north, source="manual"
        )
        north.append(lead)
        Lead.objects.filter(pk=lead.pk).update(created_at=now - dt.timedelta(hours=hours))
    south = [
        Lead.objects.create(name=f"南{n}", mobile=f"137000000{n:02d}", org=bank.south_team, source="manual")
        for n in range(3)
    ]
    grant(bank.north_manager, VIEW, scope="subtree", org=bank.north)
    return north, south


def expected(leads, *, newest_first=True) -> list[int]:
    rows = Lead.objects.filter(pk__in=[lead.pk for lead in leads]).values_list("created_at", "pk")
    return [pk for _at, pk in sorted(rows, reverse=newest_first)]


@pytest.mark.parametrize("limit", [10_000, 3], ids=["small list, one sorted query", "big list, index walk"])
def test_every_page_of_the_list_is_in_creation_order_and_in_scope(bank, branch_leads, client, settings, limit):
    """LEAD-06 / issue 15: newest first by default, oldest first when sorted by creation time,
    ties by id in the sort's direction; the small and the big list agree on every page; the
    south's leads never show to the north's branch manager."""
    settings.STEWARD_EXACT_COUNT_LIMIT = limit
    north, south = branch_leads
    client.force_login(bank.north_manager)
    assert every_page(client, 2) == expected(north)
    assert every_page(client, 4, sort="created_at") == expected(north, newest_first=False)
    assert every_page(client, 3, sort="-created_at") == expected(north)
    last = client.get("/leads/", {"per_page": 2, "page": 5})
    assert ids_in(last) == expected(north)[8:]
    assert not {lead.pk for lead in south} & set(every_page(client, 2))


def test_a_big_list_walks_the_creation_index_instead_of_sorting_the_branch(bank, branch_leads, client, settings):
    """LEAD-06 (issue 15): above the exact-count limit the page's keys come from a walk in creation order
    that checks each lead against the list (EXISTS), not from the scoped query sorted whole."""
    settings.STEWARD_EXACT_COUNT_LIMIT = 3
    client.force_login(bank.north_manager)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/leads/").status_code == 200
    walks = [
        q["sql"]
        for q in captured
        if "EXISTS" in q["sql"] and 'ORDER BY "leads_lead"."created_at" DESC, "leads_lead"."id" DESC' in q["sql"]
    ]
    assert walks, [q["sql"][:200] for q in captured]


def test_a_page_read_from_the_end_counts_the_leads_of_now_not_of_the_cached_count(bank, branch_leads, client, settings):
    """LEAD-06 (issue 15): leads arrive and change hands all day without a bulk refresh, so the list's cached
    count goes stale; the pages read from the far end count the leads again and stay in step."""
    settings.STEWARD_EXACT_COUNT_LIMIT = 3
    north, _south = branch_leads
    client.force_login(bank.north_manager)
    assert every_page(client, 2) == expected(north)  # the list's count is cached now
    now = timezone.now()
    for n in range(3):
        lead = Lead.objects.create(name=f"新{n}", mobile=f"139100000{n:02d}", org=bank.north_team, source="manual")
        Lead.objects.filter(pk=lead.pk).update(created_at=now - dt.timedelta(hours=4, minutes=n))
        north.append(lead)
    # The total and the number of pages are the cached ones until the cache expires (as for every
    # big list, steward.core.counting); the pages they announce show the newest leads in order,
    # none twice and none skipped — the pages read from the far end included.
    shown = every_page(client, 2)
    assert len(shown) == 10 and shown == expected(north)[:10]


def test_someone_outside_the_scope_sees_only_their_own_leads_of_a_big_list(bank, branch_leads, client, settings):
    """LEAD-06: the south RM, own scope, holds four leads of a big list (over the limit of 3, so
    the index walk answers) and sees those four only, on every page."""
    settings.STEWARD_EXACT_COUNT_LIMIT = 3
    _north, south = branch_leads
    held = [*south, Lead.objects.create(name="南3", mobile="13700000003", org=bank.south_team, source="manual")]
    Lead.objects.filter(pk__in=[lead.pk for lead in held]).update(holder=bank.south_rm)
    grant(bank.south_rm, VIEW, scope="own")
    client.force_login(bank.south_rm)
    assert every_page(client, 2) == expected(held)
    assert ids_in(client.get("/leads/", {"per_page": 2, "page": 2})) == expected(held)[2:]


def test_the_quick_search_finds_a_name_by_its_beginning_and_a_reference_or_import_number_whole(
    bank, branch_leads, client
):
    """LEAD-06 / issue 15: a surname finds the leads whose name starts with it (from the name's
    index); a value with a digit finds a lead by its channel reference or its import number."""
    north, _south = branch_leads
    Lead.objects.filter(pk=north[0].pk).update(channel_ref="WX-20261207-7")
    Lead.objects.filter(pk=north[1].pk).update(import_number="LI202612070001")
    client.force_login(bank.north_manager)
    assert set(every_page(client, 20, q="北")) == {lead.pk for lead in north}
    assert every_page(client, 20, q="北3") == [north[3].pk]
    assert every_page(client, 20, q="WX-20261207-7") == [north[0].pk]
    assert every_page(client, 20, q=" LI202612070001 ") == [north[1].pk]
    assert every_page(client, 20, q="南") == []  # the south's leads are outside the scope
    two_words = Lead.objects.create(name="Anna Lee", mobile="13900000099", org=bank.north_team, source="manual")
    assert every_page(client, 20, q="  Anna  Lee ") == [two_words.pk]
    assert every_page(client, 20, q="Anna L") == [two_words.pk]
