"""Capturing potential customers (LEAD-01, LEAD-02, LEAD-05): the external channels' API is
idempotent per channel reference; the mobile's ownership routes a lead to the receiving org's
public pool (a city before its province, else the default org; a foreign number too; an invalid
number is refused); a lead whose person is a customer already goes to that customer's RM."""

import pytest
from rest_framework.test import APIClient

from steward.core.errors import DomainError
from steward.customers.tests.factories import CustomerFactory, resident_id
from steward.leads import services
from steward.leads.defaults import DEFAULT_ORG
from steward.leads.models import Lead, LeadPool, RegionRoute
from steward.leads.permissions import ADD, FEED, VIEW
from steward.testing import EmployeeFactory, grant

GUANGZHOU = "13710001000"  # 广东省 广州市, 中国移动
CHANGZHOU = "13912345678"  # 江苏省 常州市
KUNMING_AREA = "15012345678"  # 云南省 昭通市 (no route)


def set_parameter(key, value):
    from django.core.cache import cache

    from steward.basedata.models import SystemParameter
    from steward.basedata.services import PARAMETERS_KEY

    SystemParameter.objects.filter(key=key).update(value=value)
    cache.delete(PARAMETERS_KEY)


@pytest.fixture
def channel(bank):
    """The mobile-banking channel's API account, holding only the feed permission."""
    account = EmployeeFactory(employee_no="API-MB", name="手机银行渠道", org=bank.head)
    grant(account, FEED, scope="all", org=bank.head)
    RegionRoute.objects.create(province="广东省", org=bank.south)
    RegionRoute.objects.create(province="广东省", city="广州市", org=bank.south_sub)
    RegionRoute.objects.create(province="江苏省", org=bank.north)
    return account


def post(account, body):
    api = APIClient()
    api.force_authenticate(account)
    return api.post("/api/v1/leads/feed/", body, format="json")


def lead(ref, mobile, **more):
    return {"name": "潜在客户" + ref, "mobile": mobile, "channel_ref": ref, **more}


def test_region_routing_a_city_before_its_province_else_the_default_org(bank, channel):
    """LEAD-02: 广州 has its own route (a sub-branch), 江苏 a province route, 云南 none (the
    default org: the head office while the parameter is empty, then the org it names)."""
    response = post(
        channel,
        {
            "channel": "mobile_banking",
            "leads": [lead("A1", GUANGZHOU), lead("A2", CHANGZHOU), lead("A3", KUNMING_AREA)],
        },
    )
    assert response.status_code == 201, response.content
    assert response.json() == {"received": 3, "added": 3, "already_known": 0, "existing_customers": 0}
    routed = {x.channel_ref: x for x in Lead.objects.select_related("pool")}
    assert routed["A1"].org == bank.south_sub and routed["A2"].org == bank.north and routed["A3"].org == bank.head
    assert (routed["A1"].mobile_province, routed["A1"].mobile_city, routed["A1"].mobile_carrier) == (
        "广东省",
        "广州市",
        "中国移动",
    )
    # Each waits in its org's public pool, held by nobody.
    assert {x.pool.kind for x in routed.values()} == {LeadPool.Kind.PUBLIC}
    assert routed["A1"].pool.org == bank.south_sub and not any(x.holder for x in routed.values())
    set_parameter(DEFAULT_ORG, "S")
    post(channel, {"channel": "mobile_banking", "leads": [lead("A4", KUNMING_AREA), lead("A5", "+852 6123 4567")]})
    assert Lead.objects.get(channel_ref="A4").org == bank.south
    foreign = Lead.objects.get(channel_ref="A5")
    assert foreign.org == bank.south and foreign.mobile_province == ""


def test_an_invalid_number_is_refused_with_its_position_and_nothing_is_stored(bank, channel):
    """LEAD-02: a number that is no phone number answers 400 naming the lead and the field."""
    response = post(channel, {"channel": "mobile_banking", "leads": [lead("B1", GUANGZHOU), lead("B2", "12345")]})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Lead 2" in body and "mobile" in body
    assert not Lead.objects.exists()


def test_the_feed_is_idempotent_on_the_channels_reference(bank, channel):
    """LEAD-01: a lead sent again (or twice in one batch) adds nothing; another channel's
    reference of the same text is another lead."""
    first = post(channel, {"channel": "mobile_banking", "leads": [lead("C1", GUANGZHOU), lead("C1", GUANGZHOU)]})
    assert first.json()["added"] == 1 and first.json()["already_known"] == 1
    again = post(channel, {"channel": "mobile_banking", "leads": [lead("C1", GUANGZHOU), lead("C2", CHANGZHOU)]})
    assert again.json() == {"received": 2, "added": 1, "already_known": 1, "existing_customers": 0}
    other = post(channel, {"channel": "partner.example", "leads": [lead("C1", GUANGZHOU)]})
    assert other.json()["added"] == 1
    assert Lead.objects.count() == 3
    assert set(Lead.objects.values_list("source", "channel")) == {
        ("channel", "mobile_banking"),
        ("channel", "partner.example"),
    }


def test_a_channel_lead_needs_its_reference_and_a_named_channel(bank, channel):
    """LEAD-01: without the reference the feed could not be idempotent; the channel is named."""
    assert (
        post(channel, {"channel": "mobile_banking", "leads": [{"name": "无编号", "mobile": GUANGZHOU}]}).status_code
        == 400
    )
    assert post(channel, {"channel": "手机银行", "leads": [lead("D1", GUANGZHOU)]}).status_code == 400
    assert post(channel, {"leads": "nope"}).status_code == 400
    assert not Lead.objects.exists()


def test_an_existing_customer_is_linked_and_goes_to_its_relationship_manager(bank, channel):
    """LEAD-05: matched by ID number first, then customer number, then a mobile only one customer
    has; the lead is linked and held by the customer's RM, in no pool. A mobile two customers
    share matches nobody."""
    by_id = CustomerFactory(org=bank.north_team, owner=bank.north_rm, id_number=resident_id(9001))
    by_cif = CustomerFactory(org=bank.south_team, owner=bank.south_rm, cif="C77")
    by_mobile = CustomerFactory(org=bank.north_team, owner=bank.north_rm2, mobile="13800138000")
    CustomerFactory(org=bank.north_team, mobile="18612345678")
    CustomerFactory(org=bank.south_team, mobile="18612345678")
    response = post(
        channel,
        {
            "channel": "mobile_banking",
            "leads": [
                lead("E1", GUANGZHOU, id_number=resident_id(9001), customer_number="C77"),
                lead("E2", GUANGZHOU, customer_number="C77"),
                lead("E3", "138-0013-8000"),
                lead("E4", "18612345678"),
            ],
        },
    )
    assert response.json()["existing_customers"] == 3
    got = {x.channel_ref: x for x in Lead.objects.all()}
    assert (got["E1"].customer, got["E1"].holder, got["E1"].pool, got["E1"].org) == (
        by_id,
        bank.north_rm,
        None,
        bank.north_team,
    )
    assert (got["E2"].customer, got["E2"].holder) == (by_cif, bank.south_rm)
    assert (got["E3"].customer, got["E3"].holder) == (by_mobile, bank.north_rm2)
    assert got["E4"].customer is None and got["E4"].holder is None and got["E4"].pool is not None


def test_a_lead_entered_by_hand_is_held_by_whoever_entered_it(bank):
    """LEAD-01: manual entry; the creator is recorded and holds the lead (with the number's region)."""
    grant(bank.north_rm, ADD, VIEW, scope="own")
    api = APIClient()
    api.force_authenticate(bank.north_rm)
    response = api.post(
        "/api/v1/leads/", {"name": "王先生", "mobile": CHANGZHOU, "campaign": "春季理财节"}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["holder"] == bank.north_rm.pk and body["source"] == "manual" and body["mobile_city"] == "常州市"
    assert body["mobile"] != CHANGZHOU and body["mobile"].endswith("5678")  # masked
    stored = Lead.objects.get()
    assert stored.created_by == bank.north_rm and stored.org == bank.north_team and stored.campaign == "春季理财节"
    bad = api.post("/api/v1/leads/", {"name": "", "mobile": CHANGZHOU}, format="json")
    assert bad.status_code == 400 and "name" in bad.content.decode()


def test_a_user_outside_the_scope_sees_none_of_the_leads(bank, channel):
    """LEAD-06 (visibility follows the data scope): the south RM sees no lead of the north, the
    north branch sees those its orgs received, an RM sees those they hold."""
    post(channel, {"channel": "mobile_banking", "leads": [lead("F1", CHANGZHOU), lead("F2", GUANGZHOU)]})
    grant(bank.south_rm, VIEW, scope="own")
    grant(bank.north_manager, VIEW, scope="subtree")

    def names(user):
        api = APIClient()
        api.force_authenticate(user)
        return sorted(row["channel_ref"] for row in api.get("/api/v1/leads/").json()["results"])

    assert names(bank.south_rm) == []
    assert names(bank.north_manager) == ["F1"]
    Lead.objects.filter(channel_ref="F2").update(holder=bank.south_rm)
    assert names(bank.south_rm) == ["F2"]


def test_the_service_refuses_a_caller_without_the_feed_permission(bank):
    """LEAD-01: only a channel's account posts leads."""
    with pytest.raises(Exception) as refused:
        services.capture_from_channel(bank.north_rm, "mobile_banking", [lead("G1", GUANGZHOU)])
    assert not isinstance(refused.value, DomainError)
    assert not Lead.objects.exists()
