"""CUS-12 merging duplicates: everything follows the survivor (or is dropped with its reason in the
preview), the duplicates stay as MERGED with their numbers as aliases, one transaction."""

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from steward.audit.models import AuditEntry
from steward.core.errors import DomainError
from steward.customers import merging, services
from steward.customers.models import (
    CoManager,
    ConfidentialGrant,
    Customer,
    CustomerAlias,
    CustomerNote,
    CustomerRelation,
    HouseholdMember,
    OwnershipChange,
)
from steward.customers.tests.factories import CustomerFactory, resident_id
from steward.holdings.models import (
    Account,
    DailyBalance,
    DailyFigures,
    Product,
    ProductCategory,
    Reminder,
    TierChange,
)
from steward.segments.models import Segment, SegmentMember
from steward.tags.models import CustomerGroup, CustomerTag, GroupMember, Tag, TagCategory
from steward.testing import grant

MERGE = "customers.customer:merge"
DAY = dt.date(2026, 11, 20)


@pytest.fixture
def merger(book):
    grant(book.bank.north_manager, MERGE, scope="subtree")
    return book.bank.north_manager


def _account(customer, number):
    category = ProductCategory.objects.first() or ProductCategory.objects.create(code="dep", name="存款")
    product, _ = Product.objects.get_or_create(code="P1", defaults={"name": "活期", "category": category})
    account = Account.objects.create(number=number, customer=customer, product=product)
    DailyBalance.objects.create(account=account, customer=customer, data_date=DAY, balance=Decimal("10.00"))
    return account


def _load(book, manager):
    """Give the duplicate (C101) something of every kind."""
    dup = book.mine2
    _account(dup, "6222000000000001")
    _account(dup, "6222000000000002")
    _account(book.mine, "6222000000000003")
    services.add_note(book.bank.north_rm, dup, "喜欢理财")
    services.add_note(book.bank.north_rm, book.mine, "老客户")
    services.add_relation(manager, dup, "parent", related_customer=book.colleague)
    services.add_co_manager(manager, dup, book.bank.north_rm2)
    services.assign_owner(manager, [dup], book.bank.north_rm2, reason="调整")
    ConfidentialGrant.objects.create(customer=dup, user=book.bank.south_rm, granted_by=manager)
    services.create_household(manager, dup, name="张家")


def _kinds(customer):
    return {
        "accounts": Account.objects.filter(customer=customer).count(),
        "balances": DailyBalance.objects.filter(customer=customer).count(),
        "notes": CustomerNote.objects.filter(customer=customer).count(),
        "relations": CustomerRelation.objects.filter(customer=customer).count(),
        "co_managers": CoManager.objects.filter(customer=customer).count(),
        "ownership": OwnershipChange.objects.filter(customer=customer).count(),
        "grants": ConfidentialGrant.objects.filter(customer=customer).count(),
        "household": HouseholdMember.objects.filter(customer=customer).count(),
    }


def test_merging_moves_everything_to_the_survivor_and_keeps_the_duplicate(book, merger):
    """CUS-12: accounts, balances, notes, relations, co-managers, ownership history, grants and the
    household follow the survivor; the duplicate stays MERGED, its number an alias; audited."""
    _load(book, merger)
    dup, survivor = book.mine2, book.mine
    before = {k: _kinds(dup)[k] + _kinds(survivor)[k] for k in _kinds(dup)}
    plan = merging.merge_preview(merger, [dup], survivor)
    assert plan.line("accounts").moved == 2 and plan.line("notes").moved == 1 and plan.line("household").moved == 1
    assert _kinds(dup)["accounts"] == 2  # the preview changed nothing
    merging.merge_customers(merger, [dup], survivor)
    assert _kinds(survivor) == before
    assert set(_kinds(dup).values()) == {0}
    dup.refresh_from_db()
    assert dup.status == Customer.Status.MERGED and dup.merged_into == survivor
    assert CustomerAlias.objects.get(cif=dup.cif).customer == survivor
    entry = AuditEntry.objects.get(action="customers.merged")
    assert {"kind": "accounts", "moved": 2} in [
        {"kind": k["kind"], "moved": k["moved"]} for k in entry.changes["kinds"]
    ]
    # The household now has the survivor as its head; the relation's counterpart points at the survivor.
    assert HouseholdMember.objects.get(customer=survivor).household.head == survivor
    assert CustomerRelation.objects.get(customer=book.colleague).related_customer == survivor


def test_every_kind_of_record_follows_the_survivor_or_is_dropped_with_its_reason(book, merger):
    """CUS-12: manual tags, group memberships, reminders, tier history, segment snapshot members,
    relations in both directions, daily figures; what the survivor has already is dropped and the
    preview says why."""
    dup, survivor, other = book.mine2, book.mine, book.colleague
    now = timezone.now()
    category = TagCategory.objects.create(code="pref", name="偏好")
    vip, fund, computed = (
        Tag.objects.create(category=category, code="vip", name="VIP"),
        Tag.objects.create(category=category, code="fund", name="基金"),
        Tag.objects.create(category=category, code="rich", name="高净值", kind=Tag.Kind.RULE),
    )
    CustomerTag.objects.create(customer=dup, tag=vip, tagged_at=timezone.now())
    CustomerTag.objects.create(customer=survivor, tag=vip, tagged_at=timezone.now())  # the survivor has it: dropped
    CustomerTag.objects.create(customer=dup, tag=fund, tagged_at=timezone.now())
    CustomerTag.objects.create(
        customer=dup, tag=computed, source=CustomerTag.Source.RULE, tagged_at=timezone.now()
    )  # recomputed: dropped
    group = CustomerGroup.objects.create(name="重点", owner=book.bank.north_rm)
    GroupMember.objects.create(group=group, customer=dup, added_at=now)
    Reminder.objects.create(kind="birthday", customer=dup, owner=book.bank.north_rm, due_on=DAY, data_date=DAY)
    Reminder.objects.create(kind="birthday", customer=survivor, owner=book.bank.north_rm, due_on=DAY, data_date=DAY)
    Reminder.objects.create(kind="maturity", customer=dup, owner=book.bank.north_rm2, due_on=DAY, data_date=DAY)
    TierChange.objects.create(customer=dup, data_date=DAY, old_tier="", new_tier="gold", aum=Decimal("1"))
    TierChange.objects.create(customer=dup, data_date=DAY - dt.timedelta(days=1), new_tier="silver", aum=Decimal("1"))
    TierChange.objects.create(customer=survivor, data_date=DAY, new_tier="gold", aum=Decimal("2"))
    segment = Segment.objects.create(
        name="快照", kind=Segment.Kind.SNAPSHOT, definition={}, owner=merger, org=book.bank.north_team
    )
    SegmentMember.objects.create(segment=segment, customer=dup, taken_at=now)
    SegmentMember.objects.create(segment=segment, customer=survivor, taken_at=now)
    CustomerRelation.objects.create(customer=dup, kind="spouse", related_customer=survivor)  # would be a self-relation
    CustomerRelation.objects.create(customer=survivor, kind="spouse", related_customer=dup)
    CustomerRelation.objects.create(customer=dup, kind="friend", related_customer=other)
    CustomerRelation.objects.create(customer=other, kind="friend", related_customer=dup)
    DailyFigures.objects.create(customer=dup, data_date=DAY, aum=Decimal("10"), liabilities=0, contribution=0)
    DailyFigures.objects.create(customer=survivor, data_date=DAY, aum=Decimal("5"), liabilities=0, contribution=0)
    DailyFigures.objects.create(
        customer=dup, data_date=DAY - dt.timedelta(days=1), aum=3, liabilities=0, contribution=0
    )

    plan = merging.merge_preview(merger, [dup], survivor)
    tags = plan.line("tags")
    assert (tags.moved, tags.dropped) == (1, 2) and "survivor has the tag" in tags.reason
    assert (plan.line("reminders").moved, plan.line("reminders").dropped) == (1, 1)
    assert (plan.line("tier_changes").moved, plan.line("tier_changes").dropped) == (1, 1)
    assert (plan.line("segment_members").moved, plan.line("segment_members").dropped) == (0, 1)
    assert (plan.line("relations").moved, plan.line("relations").dropped) == (1, 2)
    assert (plan.line("related_from").moved, plan.line("related_from").dropped) == (1, 0)
    dropped_kinds = {k["kind"] for k in plan.as_dict()["kinds"] if k["dropped"]}
    assert all(k["reason"] for k in plan.as_dict()["kinds"] if k["dropped"]) and "tags" in dropped_kinds

    merging.merge_customers(merger, [dup], survivor)

    assert set(CustomerTag.objects.filter(customer=survivor).values_list("tag__code", flat=True)) == {"vip", "fund"}
    assert GroupMember.objects.get(group=group).customer == survivor
    assert Reminder.objects.filter(customer=survivor).count() == 2
    # Open reminders are for the survivor's owner now.
    assert Reminder.objects.get(customer=survivor, kind="maturity").owner == survivor.owner
    assert TierChange.objects.filter(customer=survivor).count() == 2
    assert SegmentMember.objects.filter(segment=segment).count() == 1
    assert not CustomerRelation.objects.filter(customer=survivor, related_customer=survivor).exists()
    assert CustomerRelation.objects.get(customer=other).related_customer == survivor
    assert CustomerRelation.objects.get(customer=survivor, related_customer=other).kind == "friend"
    figures = dict(DailyFigures.objects.filter(customer=survivor).values_list("data_date", "aum"))
    assert figures == {DAY: Decimal("15.00"), DAY - dt.timedelta(days=1): Decimal("3.00")}
    for model in (CustomerTag, GroupMember, Reminder, TierChange, SegmentMember, DailyFigures):
        assert not model.objects.filter(customer=dup).exists(), model
    assert not CustomerRelation.objects.filter(related_customer=dup).exists()


def test_every_foreign_key_to_customer_has_a_merge_rule():
    """CUS-12: a model that gains a foreign key to Customer must say what a merge does with it
    (steward/customers/merging.py MERGE_RULES), so no module's records are left on a duplicate."""
    found = {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.fields
        if field.related_model is Customer
    }
    missing = found - set(merging.MERGE_RULES)
    assert not missing, f"No merge rule for {sorted(missing)}: add one to steward/customers/merging.py"
    assert not set(merging.MERGE_RULES) - found, "A merge rule names a foreign key that no longer exists"


def test_batch_merge_many_duplicates_into_one_survivor_with_one_preview(book, merger):
    """CUS-12: three duplicates into one survivor at once; a tag two duplicates share moves once."""
    survivor = book.mine
    duplicates = [CustomerFactory(org=book.bank.north_team, owner=book.bank.north_rm, cif=f"D{i}") for i in range(3)]
    tag = Tag.objects.create(category=TagCategory.objects.create(code="c", name="c"), code="t", name="t")
    for duplicate in duplicates[:2]:
        CustomerTag.objects.create(customer=duplicate, tag=tag, tagged_at=timezone.now())
    for i, duplicate in enumerate(duplicates):
        _account(duplicate, f"62220000000001{i}")
    plan = merging.merge_preview(merger, duplicates, survivor)
    assert plan.line("accounts").moved == 3 and (plan.line("tags").moved, plan.line("tags").dropped) == (1, 1)
    assert plan.line("aliases").moved == 3
    merging.merge_customers(merger, duplicates, survivor)
    assert Account.objects.filter(customer=survivor).count() == 3
    assert CustomerTag.objects.get(tag=tag).customer == survivor
    assert set(Customer.objects.filter(cif__in=["D0", "D1", "D2"]).values_list("status", flat=True)) == {"merged"}
    assert set(CustomerAlias.objects.values_list("cif", flat=True)) == {"D0", "D1", "D2"}


def test_refusals(book, merger):
    """CUS-12: no merge into itself, into a merged customer, outside the scope or without the permission."""
    with pytest.raises(DomainError):
        merging.merge_customers(merger, [book.mine], book.mine)
    merging.merge_customers(merger, [book.mine2], book.mine)
    with pytest.raises(DomainError):
        merging.merge_customers(merger, [book.colleague], book.mine2)  # into a merged customer
    with pytest.raises(DomainError):
        merging.merge_customers(merger, [book.mine2], book.colleague)  # merged already
    with pytest.raises(PermissionDenied):
        merging.merge_customers(merger, [book.colleague], book.south)  # outside the scope
    with pytest.raises(PermissionDenied):
        merging.merge_customers(book.bank.north_rm, [book.colleague], book.mine)  # no merge permission


def test_a_failure_half_way_rolls_back_everything(book, merger):
    """CUS-12: one transaction — a failure leaves both customers as they were."""
    _load(book, merger)
    dup, survivor = book.mine2, book.mine
    before = (_kinds(dup), _kinds(survivor))
    boom = mock.patch("steward.customers.merging.log_event", side_effect=RuntimeError("boom"))
    with boom, pytest.raises(RuntimeError):
        merging.merge_customers(merger, [dup], survivor)
    assert (_kinds(dup), _kinds(survivor)) == before
    dup.refresh_from_db()
    assert dup.status == Customer.Status.ACTIVE and dup.merged_into is None
    assert not CustomerAlias.objects.exists()


def test_the_merge_page_opens_from_the_360_view_without_a_survivor_then_previews_and_merges(book, merger, client):
    """CUS-12: the 360° view's merge button opens the page with no survivor chosen (no 500); the
    preview lists the kinds; the merge redirects to the survivor."""
    CustomerNote.objects.create(customer=book.mine2, author=merger, body="x", created_at=timezone.now())
    client.force_login(merger)
    detail = client.get(f"/customers/{book.mine2.pk}/").content.decode()
    url = f"/customers/{book.mine2.pk}/merge/"
    assert f'href="{url}"' in detail
    opened = client.get(url)
    assert opened.status_code == 200 and "plan" not in opened.context
    assert 'value="C101"' in opened.content.decode()
    page = client.get(url, {"survivor": "C100"})
    assert page.status_code == 200 and page.context["plan"].line("notes").moved == 1
    assert 'data-kind="notes"' in page.content.decode()
    assert client.get(url, {"survivor": "C300"}).context["error"]  # outside the scope
    response = client.post(url, {"survivor": "C100"})
    assert response.status_code == 302 and response.url == book.mine.get_absolute_url()
    assert Customer.objects.get(pk=book.mine2.pk).merged_into == book.mine
    # The merged record stays, pointing at its survivor, and offers no merge any more.
    merged = client.get(f"/customers/{book.mine2.pk}/").content.decode()
    assert 'data-testid="merged-into"' in merged and f'href="{url}"' not in merged
    # Without the permission the page is refused.
    client.force_login(book.bank.north_rm)
    assert client.get(f"/customers/{book.mine.pk}/merge/").status_code == 403
    assert client.get("/customers/merge/").status_code == 403


def test_the_batch_merge_page(book, merger, client):
    """CUS-12: many duplicates into one survivor from the menu page, with one preview."""
    client.force_login(merger)
    assert client.get("/customers/merge/").status_code == 200
    page = client.get("/customers/merge/", {"survivor": "C100", "duplicates": "C101, C200 C100"})
    plan = page.context["plan"]
    assert plan.survivor == book.mine and {d.cif for d in plan.duplicates} == {"C101", "C200"}
    response = client.post("/customers/merge/", {"survivor": "C100", "duplicates": "C101 C200"})
    assert response.status_code == 302
    assert set(Customer.objects.filter(merged_into=book.mine).values_list("cif", flat=True)) == {"C101", "C200"}
    bad = client.get("/customers/merge/", {"survivor": "C100", "duplicates": "C999"})
    assert bad.status_code == 200 and "C999" in bad.context["error"]


def _twins(book):
    """A second record of 张三 (C100) with the same ID number, and a pair in the south."""
    twin = CustomerFactory(
        org=book.bank.north_team, owner=book.bank.north_rm2, cif="C100B", id_number=book.mine.id_number
    )
    south_twin = CustomerFactory(
        org=book.bank.south_team, owner=book.bank.south_rm, cif="C300B", id_number=book.south.id_number
    )
    person = {"name": "钱七", "birth_date": dt.date(1980, 5, 1), "mobile": "13912345678"}
    a = CustomerFactory(org=book.bank.north_team, cif="P1", id_number=resident_id(900), **person)
    b = CustomerFactory(org=book.bank.north_team, cif="P2", id_number=resident_id(901), **person)
    return twin, south_twin, a, b


def test_duplicate_candidates_are_grouped_and_scoped(book, merger, client):
    """CUS-12: the same ID number, or the same name + birth date + mobile, make a group; a user sees
    only the groups of customers in their scope — a user outside the scope sees nothing."""
    _twins(book)
    groups = merging.candidate_page(merger, merging.MATCH_ID_NUMBER).groups
    assert [sorted(c.cif for c in g.members) for g in groups] == [["C100", "C100B"]]
    person = merging.candidate_page(merger, merging.MATCH_PERSON).groups
    assert [sorted(c.cif for c in g.members) for g in person] == [["P1", "P2"]]
    client.force_login(merger)
    body = client.get("/customers/duplicates/").content.decode()
    assert "C100B" in body and "C300B" not in body
    # A merger of the south sees the south's pair only; one with an own scope sees nothing of the north.
    grant(book.bank.south_rm, MERGE, scope="subtree", org=book.bank.south)
    south = merging.candidate_page(book.bank.south_rm, merging.MATCH_ID_NUMBER).groups
    assert [sorted(c.cif for c in g.members) for g in south] == [["C300", "C300B"]]
    grant(book.bank.north_rm2, MERGE, scope="own")
    assert merging.candidate_page(book.bank.north_rm2, merging.MATCH_ID_NUMBER).groups == []
    client.force_login(book.bank.north_rm2)
    assert 'data-testid="no-candidates"' in client.get("/customers/duplicates/").content.decode()
    client.force_login(book.bank.north_rm)
    assert client.get("/customers/duplicates/").status_code == 403


def test_merge_api_previews_and_merges_with_the_pages_permission(book, merger, client):
    """CUS-12: POST /api/v1/customers/merge/preview/ changes nothing; /merge/ merges; the candidates
    list is scoped; the same permission as the page."""
    _twins(book)
    client.force_login(merger)
    body = {"survivor": "C100", "duplicates": ["C100B"]}
    preview = client.post("/api/v1/customers/merge/preview/", body, content_type="application/json")
    assert preview.status_code == 200, preview.content
    assert preview.json()["survivor"] == "C100" and Customer.objects.get(cif="C100B").status == "active"
    candidates = client.get("/api/v1/customers/duplicate-candidates/").json()
    assert [sorted(m["cif"] for m in g["members"]) for g in candidates["results"]] == [["C100", "C100B"]]
    done = client.post("/api/v1/customers/merge/", body, content_type="application/json")
    assert done.status_code == 200 and Customer.objects.get(cif="C100B").merged_into == book.mine
    again = client.post("/api/v1/customers/merge/", body, content_type="application/json")
    assert again.status_code == 400 and "duplicates" in again.json()
    outside = client.post(
        "/api/v1/customers/merge/", {"survivor": "C100", "duplicates": ["C300"]}, content_type="application/json"
    )
    assert outside.status_code == 400 and Customer.objects.get(cif="C300").status == "active"
    client.force_login(book.bank.north_rm)
    refused = client.post(
        "/api/v1/customers/merge/", {"survivor": "C100", "duplicates": ["C101"]}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert client.get("/api/v1/customers/duplicate-candidates/").status_code == 403
