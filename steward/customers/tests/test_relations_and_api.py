"""CUS-15 relations on the 360° view; /api/v1/customers/ (scoped, masked, filters, writes through services)."""

import pytest
from rest_framework.test import APIClient

from steward.core.errors import DomainError
from steward.customers import services
from steward.customers.models import CustomerRelation
from steward.testing import grant


def test_person_and_corporate_relations_show_on_the_relations_tab(book, client):
    client.force_login(book.bank.north_rm)
    response = client.post(f"/customers/{book.mine.pk}/relations/add/", {"kind": "parent", "related_cif": "C101"})
    assert response.status_code == 302
    client.post(
        f"/customers/{book.mine.pk}/relations/add/",
        {"kind": "legal_rep", "corporate_code": "91110105MA01ABCD1X", "corporate_name": "北京某某科技有限公司"},
    )
    tab = client.get(f"/customers/{book.mine.pk}/tab/relations/").content.decode()
    assert "张四" in tab and "北京某某科技有限公司" in tab
    # The family relation is recorded both ways.
    assert CustomerRelation.objects.get(customer=book.mine2, related_customer=book.mine).kind == "child"


def test_relations_respect_scope_and_kinds(book):
    rm = book.bank.north_rm
    with pytest.raises(DomainError):
        services.add_relation(rm, book.mine, "spouse", related_customer=book.south)  # out of scope
    with pytest.raises(DomainError):
        services.add_relation(rm, book.mine, "legal_rep", related_customer=book.mine2)  # a company relation
    services.add_relation(rm, book.mine, "spouse", related_customer=book.mine2)
    # Someone who cannot see the related customer does not see the relation's counterparty.
    services.set_confidential(book.bank.north_manager, book.mine2, True)
    assert [r.related_customer for r in services.relations_for(book.bank.admin, book.mine)] == []


def api_for(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_the_api_masks_personal_data_and_filters(book):
    api = api_for(book.bank.north_manager)
    rows = api.get("/api/v1/customers/", {"q": "张"}).json()["results"]
    assert {r["cif"] for r in rows} == {"C100", "C101"}
    row = next(r for r in rows if r["cif"] == "C100")
    assert row["id_number"] != book.mine.id_number and "*" in row["id_number"]
    assert "*" in row["mobile"]
    assert row["age"] is not None
    book.mine2.risk_level = "R4"
    book.mine2.save()
    risky = api.get("/api/v1/customers/", {"risk_level": "R4", "ordering": "-figures__aum"}).json()["results"]
    assert [r["cif"] for r in risky] == ["C101"]
    # An org outside the caller's reach is not a valid filter value.
    assert api.get("/api/v1/customers/", {"org": book.bank.south.pk}).status_code == 400


def test_creating_and_updating_through_the_api_runs_the_validation(book):
    api = api_for(book.bank.north_rm)
    data = {
        "cif": "C777",
        "name": "周九",
        "org": book.bank.north_team.pk,
        "owner": book.bank.north_rm.pk,
        "id_type": "01",
        "id_number": "110105194912310021",
    }
    bad = api.post("/api/v1/customers/", data, format="json")
    assert bad.status_code == 400 and "id_number" in bad.json()
    data["id_number"] = "11010519491231002X"
    created = api.post("/api/v1/customers/", data, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["gender"] == "F"
    pk = created.json()["id"]
    changed = api.patch(f"/api/v1/customers/{pk}/", {"mobile": "18612345678", "sms_subscribed": True}, format="json")
    assert changed.status_code == 200, changed.content
    assert changed.json()["mobile_city"] == "北京市" and changed.json()["sms_subscribed"] is True


def test_a_viewer_without_change_permission_cannot_write(book):
    viewer = book.bank.north_rm2.__class__.objects.create(employee_no="V1", name="只读", org=book.bank.north_team)
    grant(viewer, "customers.customer:view", scope="team")
    api = api_for(viewer)
    assert api.get("/api/v1/customers/").status_code == 200
    assert api.patch(f"/api/v1/customers/{book.mine.pk}/", {"name": "x"}, format="json").status_code == 403
