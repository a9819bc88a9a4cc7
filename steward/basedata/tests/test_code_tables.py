"""PLT-06: code tables edited in the UI and the API; bad rows are refused with their row number."""

import pytest
from rest_framework.test import APIClient

from steward.basedata.models import CodeItem, CodeTable
from steward.basedata.services import code_choices, code_label
from steward.testing import grant


@pytest.fixture
def admin(bank):
    grant(bank.admin, "basedata.codetable:view", "basedata.codetable:change", "org.employee:view", scope="all")
    return bank.admin


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


@pytest.fixture
def admin_api(admin):
    api = APIClient()
    api.force_authenticate(admin)
    return api


@pytest.fixture
def tiers(db):
    return CodeTable.objects.get(code="employee_tier")


def items_of(table):
    return list(table.items.order_by("sort_order", "code").values_list("code", "label", "label_en", "is_active"))


def test_editing_code_items_on_the_page_changes_the_choices_everywhere_at_once(
    tiers, admin_client, django_capture_on_commit_callbacks
):
    assert [code for code, _ in code_choices("employee_tier", blank=False)] == ["T1", "T2", "T3"]  # cached

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/basedata/code-tables/{tiers.pk}/", {"items": "T1 | 初级 | Junior\nT2 | 中级 | Middle\nT4 | 特级 | Top\n"}
        )

    assert response.status_code == 302
    assert code_choices("employee_tier", blank=False) == [("T1", "Junior"), ("T2", "Middle"), ("T4", "Top")]
    # The employee list's tier filter offers the new codes right away.
    page = admin_client.get("/org/employees/").content.decode()
    assert '<option value="T4">Top</option>' in page and '<option value="T3">' not in page


def test_a_removed_code_is_deactivated_not_deleted(tiers, admin_client):
    admin_client.post(f"/basedata/code-tables/{tiers.pk}/", {"items": "T1 | 一级 | Tier 1\nT2 | 二级 | Tier 2"})

    assert ("T3", "三级", "Tier 3", False) in items_of(tiers)
    # Records that still carry the code keep showing its label.
    assert CodeItem.objects.filter(table=tiers, code="T3").exists()


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("T1 | 一级\nT2 | 二级\nT1 | 重复", "Row 3: the code T1 appears twice."),
        ("T1 | 一级\n | 空代码 | Empty", "Row 2: the code is empty."),
        ("T1 | 一级\nT2 | \n", "Row 2: the Chinese label is empty."),
        ("T1 | 一级\nT2\n", "Line 2: expected"),
    ],
)
def test_bad_code_items_on_the_page_are_refused_with_the_row_number(tiers, admin_client, lines, message):
    before = items_of(tiers)

    response = admin_client.post(f"/basedata/code-tables/{tiers.pk}/", {"items": lines})

    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert items_of(tiers) == before


def test_a_blank_line_in_the_editor_does_not_shift_the_reported_row_number(tiers, admin_client):
    response = admin_client.post(f"/basedata/code-tables/{tiers.pk}/", {"items": "T1 | 一级\n\nT1 | 重复"})

    assert "3: the code T1 appears twice" in response.content.decode()


def test_a_duplicate_code_through_the_api_is_a_400_naming_the_row(tiers, admin_api):
    items = [{"code": "T1", "label": "一级"}, {"code": "T2", "label": "二级"}, {"code": "T1", "label": "又一个"}]
    before = items_of(tiers)

    response = admin_api.put(f"/api/v1/code-tables/{tiers.pk}/items/", {"items": items}, format="json")

    assert response.status_code == 400
    assert response.json() == {"code": ["Row 3: the code T1 appears twice."]}
    assert items_of(tiers) == before


def test_an_empty_code_through_the_api_names_its_row(tiers, admin_api):
    items = [{"code": "T1", "label": "一级"}, {"code": "", "label": "空"}]

    response = admin_api.put(f"/api/v1/code-tables/{tiers.pk}/items/", {"items": items}, format="json")

    assert response.status_code == 400
    errors = response.json()["items"]
    assert list(errors) == ["1"] and "code" in errors["1"]  # the second row (index 1) is at fault


def test_code_items_replaced_through_the_api_come_back_in_order(tiers, admin_api, django_capture_on_commit_callbacks):
    items = [
        {"code": "T9", "label": "九级", "label_en": "Tier 9"},
        {"code": "T1", "label": "一级", "label_en": "Tier 1"},
    ]

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.put(f"/api/v1/code-tables/{tiers.pk}/items/", {"items": items}, format="json")

    assert response.status_code == 200
    active = [i["code"] for i in response.json()["items"] if i["is_active"]]
    assert active == ["T9", "T1"]
    assert code_label("employee_tier", "T9") == "Tier 9"


def test_a_code_table_is_created_on_the_page_and_its_code_cannot_be_changed_later(admin_client):
    created = admin_client.post(
        "/basedata/code-tables/add/", {"code": "channel", "name": "渠道", "name_en": "Channels"}
    )
    table = CodeTable.objects.get(code="channel")
    assert created.status_code == 302 and not table.is_system

    admin_client.post(f"/basedata/code-tables/{table.pk}/edit/", {"code": "renamed", "name": "服务渠道"})
    table.refresh_from_db()
    assert (table.code, table.name) == ("channel", "服务渠道")


def test_a_duplicate_code_table_code_is_refused_with_a_field_error(admin_client, admin_api):
    page = admin_client.post("/basedata/code-tables/add/", {"code": "employee_tier", "name": "重复"})
    api = admin_api.post("/api/v1/code-tables/", {"code": "employee_tier", "name": "重复"}, format="json")

    assert 'data-testid="field-error-code"' in page.content.decode()
    assert api.status_code == 400 and "code" in api.json()
    assert CodeTable.objects.filter(code="employee_tier").count() == 1


def test_code_tables_are_searchable_by_their_item_labels(admin_client, admin_api):
    page = admin_client.get("/basedata/code-tables/", {"q": "护照"}).content.decode()
    found = admin_api.get("/api/v1/code-tables/", {"code": "risk_level"}).json()

    assert "id_type" in page and "risk_level" not in page
    assert [t["code"] for t in found["results"]] == ["risk_level"]


def test_labels_follow_the_readers_language(db):
    from django.utils import translation

    with translation.override("en"):
        english = code_label("employee_position", "rm")
    with translation.override("zh-hans"):
        chinese = code_label("employee_position", "rm")

    assert (english, chinese) == ("Relationship manager", "个人客户经理")
