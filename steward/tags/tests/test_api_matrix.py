"""The tags API's permission matrix (routes tag-categories, tags, customer-tags, customer-groups,
group-members): each endpoint needs its own permission; without it nothing is read or written."""

import pytest
from rest_framework.test import APIClient

from steward.tags import services
from steward.tags.models import CustomerGroup, CustomerTag, Tag, TagCategory
from steward.tags.permissions import GROUP_ADD, GROUP_MANAGE, GROUP_VIEW, TAG_APPLY, TAG_MANAGE, TAG_VIEW
from steward.tags.tests.conftest import NOW
from steward.testing import EmployeeFactory, grant

RULE = {"op": "and", "rules": [{"field": "age", "operator": "gte", "value": 0}]}


def as_user(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize(
    ("permissions", "read", "manage", "apply"),
    [
        ((), 403, 403, 403),
        ((TAG_VIEW,), 200, 403, 403),
        ((TAG_VIEW, TAG_MANAGE), 200, 2, 403),
        ((TAG_VIEW, TAG_APPLY), 200, 403, 2),
    ],
)
def test_each_tag_endpoint_needs_its_own_permission(book, permissions, read, manage, apply):
    user = EmployeeFactory(org=book.bank.north_team)  # holds nothing else
    grant(user, "customers.customer:view", *permissions, scope="subtree")
    api = as_user(user)
    assert api.get("/api/v1/tag-categories/").status_code == read
    assert api.get("/api/v1/tags/").status_code == read
    assert api.get(f"/api/v1/tags/{book.vip.pk}/customers/").status_code == read
    assert api.get("/api/v1/customer-tags/").status_code == read

    category = api.post("/api/v1/tag-categories/", {"code": "new", "name": "新"}, format="json")
    tag = api.post(
        "/api/v1/tags/",
        {"category": book.category.pk, "code": "new", "name": "新", "kind": "rule", "definition": RULE},
        format="json",
    )
    patched = api.patch(f"/api/v1/tags/{book.vip.pk}/", {"name": "改"}, format="json")
    recomputed = api.post(f"/api/v1/tags/{book.retiring.pk}/recompute/")
    if manage == 2:
        assert (category.status_code, tag.status_code, patched.status_code, recomputed.status_code) == (
            201,
            201,
            200,
            200,
        )
    else:
        assert {category.status_code, tag.status_code, patched.status_code, recomputed.status_code} == {manage}
        assert not TagCategory.objects.filter(code="new").exists() and not Tag.objects.filter(code="new").exists()
        assert not CustomerTag.objects.filter(tag=book.retiring).exists()

    link = api.post("/api/v1/customer-tags/", {"customer": book.c.pk, "tag": book.vip.pk}, format="json")
    bulk = api.post("/api/v1/customer-tags/bulk-add/", {"tag": book.vip.pk, "customers": [book.c.pk]}, format="json")
    if apply == 2:
        assert link.status_code == 201 and bulk.status_code == 200
        assert api.delete(f"/api/v1/customer-tags/{link.json()['id']}/").status_code == 204
    else:
        assert link.status_code == apply and bulk.status_code == apply
        assert not CustomerTag.objects.filter(tag=book.vip).exists()


@pytest.mark.parametrize(
    ("permissions", "read", "personal", "system"),
    [
        ((), 403, 403, 403),
        ((GROUP_VIEW,), 200, 403, 403),
        ((GROUP_VIEW, GROUP_ADD), 200, 201, 403),
        ((GROUP_VIEW, GROUP_MANAGE), 200, 403, 201),
    ],
)
def test_each_group_endpoint_needs_its_own_permission(book, permissions, read, personal, system):
    user = EmployeeFactory(org=book.bank.north_team)
    grant(user, "customers.customer:view", *permissions, scope="subtree", org=book.bank.north)
    api = as_user(user)
    group = services.create_group(book.bank.admin, name="北方沙龙", kind="system", org=book.bank.north)
    services.add_members(book.bank.admin, group, [book.c.pk], now=NOW)
    assert api.get("/api/v1/customer-groups/").status_code == read
    assert api.get(f"/api/v1/customer-groups/{group.pk}/members/").status_code == read
    assert api.get("/api/v1/group-members/").status_code == read
    made = api.post("/api/v1/customer-groups/", {"name": "我的"}, format="json")
    assert made.status_code == personal
    made = api.post(
        "/api/v1/customer-groups/", {"name": "系统", "kind": "system", "org": book.bank.north.pk}, format="json"
    )
    assert made.status_code == system
    expected = {"我的"} if personal == 201 else set()
    expected |= {"系统"} if system == 201 else set()
    assert set(CustomerGroup.objects.exclude(pk=group.pk).values_list("name", flat=True)) == expected
    added = api.post(f"/api/v1/customer-groups/{group.pk}/add-members/", {"customers": [book.a.pk]}, format="json")
    assert added.status_code == (200 if 201 in (personal, system) else 403)
