from rest_framework.test import APIClient

from steward.tags import services
from steward.tags.models import CustomerTag, GroupMember
from steward.tags.tests.conftest import NOW


def api_for(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def results(response):
    assert response.status_code == 200, response.content
    data = response.json()
    return data["results"] if isinstance(data, dict) and "results" in data else data


def test_categories_and_tags_are_read_by_holders_and_written_by_managers(book):
    rm = api_for(book.bank.north_rm)
    assert [c["code"] for c in results(rm.get("/api/v1/tag-categories/"))] == ["lifecycle"]
    assert {t["code"] for t in results(rm.get("/api/v1/tags/"))} == {"vip", "near-retirement"}
    assert rm.post("/api/v1/tags/", {"category": book.category.pk, "code": "x", "name": "x"}).status_code == 403
    manager = api_for(book.bank.north_manager)
    created = manager.post(
        "/api/v1/tags/",
        {
            "category": book.category.pk,
            "code": "young",
            "name": "年轻",
            "kind": "rule",
            "definition": {"op": "and", "rules": [{"field": "age", "operator": "lte", "value": 40}]},
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    bad = manager.post(
        "/api/v1/tags/",
        {"category": book.category.pk, "code": "bad", "name": "b", "kind": "rule", "definition": {"rules": []}},
        format="json",
    )
    assert bad.status_code == 400 and "definition" in bad.json()
    recomputed = manager.post(f"/api/v1/tags/{created.json()['id']}/recompute/")
    assert recomputed.json() == {"added": 1, "removed": 0}
    assert [c["cif"] for c in results(manager.get(f"/api/v1/tags/{created.json()['id']}/customers/"))] == ["C102"]


def test_customer_tags_through_the_api_stay_in_scope(book):
    rm = api_for(book.bank.north_rm)
    assert rm.post("/api/v1/customer-tags/", {"customer": book.a.pk, "tag": book.vip.pk}).status_code == 201
    south = api_for(book.bank.south_rm)
    assert south.post("/api/v1/customer-tags/", {"customer": book.a.pk, "tag": book.vip.pk}).status_code == 400
    assert south.post(
        "/api/v1/customer-tags/bulk-add/", {"tag": book.vip.pk, "customers": [book.s.pk]}, format="json"
    ).json() == {"count": 1}
    assert {row["customer"] for row in results(south.get("/api/v1/customer-tags/"))} == {book.s.pk}
    assert {row["customer"] for row in results(rm.get(f"/api/v1/customer-tags/?tag={book.vip.pk}"))} == {book.a.pk}
    link = CustomerTag.objects.get(customer=book.a)
    assert south.delete(f"/api/v1/customer-tags/{link.pk}/").status_code == 404
    assert rm.delete(f"/api/v1/customer-tags/{link.pk}/").status_code == 204
    assert not CustomerTag.objects.filter(customer=book.a).exists()


def test_groups_through_the_api_personal_ones_for_their_owner_only(book):
    rm = api_for(book.bank.north_rm)
    created = rm.post("/api/v1/customer-groups/", {"name": "我的回访"})
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["kind"] == "personal" and created.json()["owner"] == book.bank.north_rm.pk
    added = rm.post(f"/api/v1/customer-groups/{pk}/add-members/", {"customers": [book.a.pk, book.b.pk]}, format="json")
    assert added.json() == {"count": 2}
    assert [c["cif"] for c in results(rm.get(f"/api/v1/customer-groups/{pk}/members/"))] == ["C101", "C102"]
    assert len(results(rm.get(f"/api/v1/group-members/?group={pk}"))) == 2
    for outsider in (book.bank.admin, book.bank.north_manager, book.bank.south_rm):
        api = api_for(outsider)
        assert all(g["id"] != pk for g in results(api.get("/api/v1/customer-groups/")))
        assert api.get(f"/api/v1/customer-groups/{pk}/members/").status_code == 404
        assert results(api.get(f"/api/v1/group-members/?group={pk}")) == []
    removed = rm.post(f"/api/v1/customer-groups/{pk}/remove-members/", {"customers": [book.a.pk]}, format="json")
    assert removed.json() == {"count": 1}
    assert rm.delete(f"/api/v1/customer-groups/{pk}/").status_code == 204
    assert not GroupMember.objects.exists()


def test_system_group_members_through_the_api_are_the_callers_customers(book):
    group = services.create_group(book.bank.admin, name="全行沙龙", kind="system", org=book.bank.head)
    services.add_members(book.bank.north_rm, group, [book.a.pk], now=NOW)
    services.add_members(book.bank.south_rm, group, [book.s.pk], now=NOW)
    south = api_for(book.bank.south_rm)
    assert [c["cif"] for c in results(south.get(f"/api/v1/customer-groups/{group.pk}/members/"))] == ["C104"]
    assert (
        south.post(
            f"/api/v1/customer-groups/{group.pk}/add-members/", {"customers": [book.a.pk]}, format="json"
        ).status_code
        == 400
    )
    assert south.delete(f"/api/v1/customer-groups/{group.pk}/").status_code == 403
