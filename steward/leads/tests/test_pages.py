"""The potential customers' pages (LEAD-01, LEAD-02, LEAD-05): an RM enters a lead by hand and
holds it; a mistyped number is shown on the form with what was typed kept; a person who is a
customer already goes to that customer's RM; the list and the detail follow the data scope and
show the number masked, with its region."""

import pytest

from steward.customers.tests.factories import CustomerFactory
from steward.leads.models import Lead
from steward.leads.permissions import ADD, VIEW
from steward.testing import grant


@pytest.fixture
def rm(bank):
    grant(bank.north_rm, VIEW, ADD, scope="own")
    grant(bank.south_rm, VIEW, ADD, scope="own")
    return bank.north_rm


def test_an_rm_enters_a_lead_and_holds_it(bank, rm, client):
    """LEAD-01 / LEAD-02: the form saves through the service; the lead is the RM's, with the
    number's region, and the page shows the number masked."""
    client.force_login(rm)
    page = client.get("/leads/add/")
    assert page.status_code == 200 and 'name="mobile"' in page.content.decode()
    response = client.post("/leads/add/", {"name": "赵女士", "mobile": "13912345678", "campaign": "开门红"})
    lead = Lead.objects.get()
    assert response.status_code == 302 and response["Location"] == lead.get_absolute_url()
    assert (lead.holder, lead.org, lead.source, lead.mobile_city) == (rm, bank.north_team, "manual", "常州市")
    detail = client.get(lead.get_absolute_url()).content.decode()
    assert "赵女士" in detail and "常州市" in detail and "13912345678" not in detail and "5678" in detail
    listing = client.get("/leads/").content.decode()
    assert "赵女士" in listing and "13912345678" not in listing


def test_a_mistyped_number_is_shown_on_the_form_and_what_was_typed_is_kept(rm, client):
    """LEAD-02: an invalid number is refused with a clear message next to the field."""
    client.force_login(rm)
    response = client.post("/leads/add/", {"name": "钱先生", "mobile": "12345", "campaign": "开门红"})
    body = response.content.decode()
    assert response.status_code == 200 and "Enter a valid mobile number" in body
    assert 'value="钱先生"' in body and 'value="开门红"' in body
    assert not Lead.objects.exists()


def test_a_customer_entered_as_a_lead_goes_to_their_rm(bank, rm, client):
    """LEAD-05: the south RM's customer, entered by the north RM, is linked and held by the south
    RM; the north RM is told and sent back to the list, where it does not show."""
    customer = CustomerFactory(org=bank.south_team, owner=bank.south_rm, cif="C900")
    client.force_login(rm)
    response = client.post("/leads/add/", {"name": "孙先生", "mobile": "13912345678", "customer_number": "C900"})
    lead = Lead.objects.get()
    assert (lead.customer, lead.holder) == (customer, bank.south_rm)
    assert response["Location"] == "/leads/"
    told = client.get("/leads/").content.decode()
    assert "is a customer already" in told
    assert "孙先生" not in client.get("/leads/").content.decode()  # (the message shown, the list has no row)


def test_a_user_outside_the_scope_sees_nothing(bank, rm, client):
    """LEAD-06: another RM's lead is neither listed nor opened."""
    theirs = Lead.objects.create(
        name="南方线索", mobile="13710001000", org=bank.south_team, holder=bank.south_rm, source="manual"
    )
    client.force_login(rm)
    assert "南方线索" not in client.get("/leads/").content.decode()
    assert client.get(theirs.get_absolute_url()).status_code == 404
    client.force_login(bank.south_rm)
    assert client.get(theirs.get_absolute_url()).status_code == 200


def test_an_rm_claims_a_lead_from_the_pool_of_their_branch(bank, rm, client):
    """LEAD-06: the page lists the leads of the pools of the RM's org and the orgs above it, each
    with a Claim button; claiming opens the lead, now held; a refused claim says which rule."""
    from steward.leads.models import LeadPool
    from steward.leads.permissions import CLAIM

    grant(rm, CLAIM)
    pool = LeadPool.objects.create(kind=LeadPool.Kind.PUBLIC, name="北方分行公共池", org=bank.north, daily_claim_cap=1)
    south = LeadPool.objects.create(kind=LeadPool.Kind.PUBLIC, name="南方分行公共池", org=bank.south)
    first, second = (
        Lead.objects.create(name=name, mobile="13912345678", org=bank.north, pool=pool, source="channel")
        for name in ("池中甲", "池中乙")
    )
    Lead.objects.create(name="南方池中", mobile="13912345678", org=bank.south, pool=south, source="channel")
    client.force_login(rm)
    page = client.get("/leads/to-claim/").content.decode()
    assert "池中甲" in page and "池中乙" in page and "南方池中" not in page and 'data-testid="claim"' in page
    response = client.post(f"/leads/{first.pk}/claim/")
    assert response["Location"] == first.get_absolute_url()
    first.refresh_from_db()
    assert first.holder == rm and first.pool is None
    refused = client.post(f"/leads/{second.pk}/claim/", follow=True).content.decode()
    assert "daily limit" in refused
    assert Lead.objects.get(pk=second.pk).holder is None
    assert client.get(f"/leads/{first.pk}/claim/").status_code == 405


def test_the_region_table_is_edited_on_its_page_and_routes_the_next_leads(bank, client):
    """LEAD-02: an editor adds a province's row (a second row for it is refused on the field), the
    next channel lead of that province goes to the org named; removing the row sends the next one to
    the default org. A reader sees the table without Add or Remove."""
    from steward.leads import services
    from steward.leads.models import RegionRoute
    from steward.leads.permissions import FEED, ROUTE_CHANGE, ROUTE_VIEW

    editor, reader = bank.admin, bank.north_manager
    grant(editor, ROUTE_VIEW, ROUTE_CHANGE, scope="all")
    grant(reader, ROUTE_VIEW)
    client.force_login(editor)
    response = client.post("/leads/regions/add/", {"province": "江苏省", "city": "", "org": bank.north.pk})
    assert response.status_code == 302
    again = client.post("/leads/regions/add/", {"province": "江苏省", "city": "", "org": bank.south.pk})
    assert again.status_code == 200 and "already exists" in again.content.decode()
    assert 'value="江苏省"' in again.content.decode()
    grant(editor, FEED, scope="all")
    services.capture_from_channel(
        editor, "mobile_banking", [{"name": "甲", "mobile": "13912345678", "channel_ref": "R1"}]
    )
    assert Lead.objects.get(channel_ref="R1").org == bank.north
    route = RegionRoute.objects.get()
    page = client.get("/leads/regions/").content.decode()
    assert "江苏省" in page and 'data-testid="remove-route"' in page and 'data-testid="add-button"' in page
    assert client.post(f"/leads/regions/{route.pk}/delete/").status_code == 302
    services.capture_from_channel(
        editor, "mobile_banking", [{"name": "乙", "mobile": "13912345678", "channel_ref": "R2"}]
    )
    assert Lead.objects.get(channel_ref="R2").org == bank.head
    RegionRoute.objects.create(province="广东省", org=bank.south)
    client.force_login(reader)
    page = client.get("/leads/regions/").content.decode()
    assert "广东省" in page and 'data-testid="remove-route"' not in page and 'data-testid="add-button"' not in page
    assert client.post("/leads/regions/add/", {"province": "浙江省", "org": bank.north.pk}).status_code == 403
