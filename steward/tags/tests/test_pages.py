import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from steward.audit.models import AuditEntry
from steward.tags import services
from steward.tags.models import CustomerTag, GroupMember
from steward.tags.tests.conftest import NOW


def text(response):
    return response.content.decode()


def test_a_customer_list_offers_selection_and_bulk_actions(book, client):
    group = services.create_group(book.bank.north_rm, name="回访名单")
    client.force_login(book.bank.north_rm)
    page = text(client.get("/customers/"))
    assert 'data-testid="bulk-bar"' in page and 'name="ids"' in page
    assert "回访名单" in page and "重点维护" in page
    assert "临近退休" not in page.split('data-testid="bulk-bar"')[1].split("</form>")[0]  # rule tags: not by hand
    # Tick one customer, add it to the group.
    response = client.post("/tags/bulk/group-add/", {"source": "/customers/", "ids": [book.a.pk], "target": group.pk})
    assert response.status_code == 302 and response["Location"] == "/customers/"
    assert list(GroupMember.objects.filter(group=group).values_list("customer__cif", flat=True)) == ["C101"]
    # Everything matching the list's filter: the quick search narrows to C102.
    client.post("/tags/bulk/group-add/", {"source": "/customers/?q=C102", "select_all": "1", "target": group.pk})
    assert set(GroupMember.objects.filter(group=group).values_list("customer__cif", flat=True)) == {"C101", "C102"}
    # And tagging from the related list works the same way.
    client.post("/tags/bulk/tag-add/", {"source": "/customers/", "select_all": "1", "target": book.vip.pk})
    assert set(CustomerTag.objects.filter(tag=book.vip).values_list("customer__cif", flat=True)) == {"C101", "C102"}
    client.post("/tags/bulk/tag-remove/", {"source": "/customers/", "ids": [book.b.pk], "target": book.vip.pk})
    assert set(CustomerTag.objects.filter(tag=book.vip).values_list("customer__cif", flat=True)) == {"C101"}


def test_the_bulk_bar_reads_each_target_list_once(book, client):
    services.create_group(book.bank.north_rm, name="回访名单")
    client.force_login(book.bank.north_rm)
    with CaptureQueriesContext(connection) as captured:
        page = text(client.get("/customers/"))
    bar = page.split('data-testid="bulk-bar"')[1].split("</form>")[0]
    # "Add to group" and "Remove from group" both offer the group; each tag action the tag.
    assert bar.count("回访名单") == 2 and bar.count("重点维护") == 2
    tables = [query["sql"].split(" FROM ")[1].split()[0].strip('"') for query in captured if " FROM " in query["sql"]]
    assert tables.count("tags_customergroup") == 1 and tables.count("tags_tag") == 1


def test_bulk_actions_never_reach_past_the_lists_scope(book, client):
    group = services.create_group(book.bank.south_rm, name="南方名单")
    client.force_login(book.bank.south_rm)
    # Forged ids of north customers on the south RM's own list: none of them is on it.
    client.post("/tags/bulk/group-add/", {"source": "/customers/", "ids": [book.a.pk, book.b.pk], "target": group.pk})
    assert not GroupMember.objects.exists()
    # Another user's group is no target.
    other = services.create_group(book.bank.north_rm, name="北方名单")
    client.post("/tags/bulk/group-add/", {"source": "/customers/", "select_all": "1", "target": other.pk})
    assert not GroupMember.objects.filter(group=other).exists()
    # A list the user may not open (org customers need orglist:view — the south RM has it here,
    # but a URL that is no list is refused).
    response = client.post("/tags/bulk/group-add/", {"source": "/tags/", "select_all": "1", "target": group.pk})
    assert response.status_code == 302 and not GroupMember.objects.exists()


def test_the_group_pages_show_only_what_the_viewer_may_see(book, client):
    personal = services.create_group(book.bank.north_rm, name="我的回访")
    services.add_members(book.bank.north_rm, personal, [book.a.pk], now=NOW)
    system = services.create_group(book.bank.admin, name="全行沙龙", kind="system", org=book.bank.head)
    services.add_members(book.bank.north_rm, system, [book.a.pk], now=NOW)
    services.add_members(book.bank.south_rm, system, [book.s.pk], now=NOW)

    client.force_login(book.bank.north_rm)
    listing = text(client.get("/groups/"))
    assert "我的回访" in listing and "全行沙龙" in listing
    members = text(client.get(f"/groups/{system.pk}/"))
    assert "C101" in members and "C104" not in members
    assert 'data-testid="batch-actions"' in members

    client.force_login(book.bank.admin)
    assert "我的回访" not in text(client.get("/groups/"))
    assert client.get(f"/groups/{personal.pk}/").status_code == 404

    client.force_login(book.bank.south_rm)
    assert client.get(f"/groups/{personal.pk}/").status_code == 404
    members = text(client.get(f"/groups/{system.pk}/"))
    assert "C104" in members and "C101" not in members

    # The export is the members the exporter may see, masked and audited.
    before = AuditEntry.objects.filter(action="export").count()
    response = client.get(f"/groups/{system.pk}/", {"export": "xlsx"})
    assert response.status_code == 200
    cells = [
        str(c) for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True) for c in row
    ]
    assert "C104" in cells and "C101" not in cells
    assert not any("checkbox" in c for c in cells)  # the selection column is never exported
    assert not any(c.startswith("138") and "*" not in c and len(c) == 11 for c in cells)  # mobiles masked
    assert AuditEntry.objects.filter(action="export").count() == before + 1


def test_batch_actions_start_from_a_group(book, client):
    group = services.create_group(book.bank.north_rm, name="转移名单")
    services.add_members(book.bank.north_rm, group, [book.a.pk, book.b.pk], now=NOW)
    client.force_login(book.bank.north_rm)
    exported = client.post(f"/groups/{group.pk}/batch/tags.export/")
    assert exported.status_code == 302 and exported["Location"].endswith("?export=xlsx")
    # The transfer needs customers.customer:transfer, which this RM lacks here.
    assert client.post(f"/groups/{group.pk}/batch/customers.transfer/").status_code == 403
    from steward.testing import grant

    grant(book.bank.north_rm, "customers.customer:transfer", scope="own")
    transfer = client.post(f"/groups/{group.pk}/batch/customers.transfer/")
    assert transfer.status_code == 302
    assert transfer["Location"].startswith("/customers/transfer/?customers=C101+C102")
    assert client.post(f"/groups/{group.pk}/batch/nope/").status_code == 404


def test_the_tags_tab_and_header_chips(book, client):
    services.tag_customers(book.bank.north_rm, book.vip, [book.a.pk], now=NOW)
    services.recompute_rule_tags(None, now=NOW)
    group = services.create_group(book.bank.north_rm, name="我的回访")
    services.add_members(book.bank.north_rm, group, [book.a.pk], now=NOW)
    client.force_login(book.bank.north_rm)
    page = text(client.get(f"/customers/{book.a.pk}/"))
    assert 'data-testid="tag-chips"' in page and "重点维护" in page and "临近退休" in page
    assert 'data-testid="tab-tags"' in page
    tab = text(client.get(f"/customers/{book.a.pk}/tab/tags/"))
    assert tab.count('data-testid="customer-tag"') == 2 and "我的回访" in tab
    assert tab.count('data-testid="remove-tag"') == 1  # the manual one only
    # Remove the manual tag from the tab, then add it back.
    client.post(f"/tags/customers/{book.a.pk}/tags/", {"remove": book.vip.pk})
    assert not CustomerTag.objects.filter(tag=book.vip).exists()
    client.post(f"/tags/customers/{book.a.pk}/tags/", {"tag": book.vip.pk})
    assert CustomerTag.objects.filter(tag=book.vip, customer=book.a, tagged_by=book.bank.north_rm).exists()


def test_the_tags_tab_needs_its_permission_and_the_customer_in_scope(book, client):
    from steward.testing import grant

    outsider = book.bank.north_rm2.__class__.objects.create(employee_no="X1", name="x", org=book.bank.north_team)
    grant(outsider, "customers.customer:view", "customers.tab:profile", scope="subtree")
    client.force_login(outsider)
    assert client.get(f"/customers/{book.a.pk}/tab/tags/").status_code == 403
    assert 'data-testid="tab-tags"' not in text(client.get(f"/customers/{book.a.pk}/"))
    client.force_login(book.bank.south_rm)
    assert client.get(f"/customers/{book.a.pk}/tab/tags/").status_code == 404
    assert client.post(f"/tags/customers/{book.a.pk}/tags/", {"tag": book.vip.pk}).status_code == 404


def test_tag_pages_manage_tags_and_list_only_visible_customers(book, client):
    services.tag_customers(book.bank.north_rm, book.vip, [book.a.pk], now=NOW)
    services.tag_customers(book.bank.south_rm, book.vip, [book.s.pk], now=NOW)
    client.force_login(book.bank.south_rm)
    listing = text(client.get("/tags/"))
    assert "重点维护" in listing and 'data-testid="add-button"' not in listing
    detail = text(client.get(f"/tags/{book.vip.pk}/"))
    assert "C104" in detail and "C101" not in detail
    assert client.get("/tags/add/").status_code == 403

    client.force_login(book.bank.north_manager)
    response = client.post(
        "/tags/add/",
        {
            "category": book.category.pk,
            "code": "young",
            "name": "年轻",
            "kind": "rule",
            "color": "blue",
            "definition": '{"op": "and", "rules": [{"field": "age", "operator": "lte", "value": 40}]}',
        },
    )
    assert response.status_code == 302
    bad = text(
        client.post(
            "/tags/add/",
            {
                "category": book.category.pk,
                "code": "bad",
                "name": "坏",
                "kind": "rule",
                "color": "blue",
                "definition": '{"op": "and", "rules": [{"field": "nope", "operator": "eq", "value": 1}]}',
            },
        )
    )
    assert "Rule 1" in bad and "nope" in bad
    young = book.vip.__class__.objects.get(code="young")
    response = client.post(f"/tags/{young.pk}/recompute/", {"next": f"/tags/{young.pk}/"})
    assert response.status_code == 302
    assert set(CustomerTag.objects.filter(tag=young).values_list("customer__cif", flat=True)) == {"C102"}
    assert "C102" in text(client.get(f"/tags/{young.pk}/"))
    categories = text(client.get("/tags/categories/"))
    assert "生命周期" in categories
    assert client.post("/tags/categories/add/", {"code": "risk", "name": "风险", "sort_order": 5}).status_code == 302


def test_groups_are_created_renamed_and_deleted_from_their_pages(book, client):
    from steward.tags.models import CustomerGroup

    client.force_login(book.bank.north_rm)
    form = text(client.get("/groups/add/"))
    assert 'name="org"' not in form  # an RM keeps personal groups only
    assert client.post("/groups/add/", {"name": "回访", "description": ""}).status_code == 302
    group = CustomerGroup.objects.get(name="回访")
    assert group.kind == "personal" and group.owner == book.bank.north_rm
    assert client.post(f"/groups/{group.pk}/edit/", {"name": "重点回访"}).status_code == 302
    group.refresh_from_db()
    assert group.name == "重点回访"

    client.force_login(book.bank.north_manager)
    assert client.get(f"/groups/{group.pk}/edit/").status_code == 404
    response = client.post("/groups/add/", {"name": "北方沙龙", "kind": "system", "org": book.bank.north.pk})
    assert response.status_code == 302
    system = CustomerGroup.objects.get(name="北方沙龙")
    assert system.org == book.bank.north and system.owner is None

    client.force_login(book.bank.north_rm)
    page = text(client.get(f"/groups/{system.pk}/"))
    assert 'data-testid="delete"' not in page  # seen, not managed
    assert client.post(f"/groups/{system.pk}/delete/").status_code == 403
    assert CustomerGroup.objects.filter(pk=system.pk).exists()
    assert client.post(f"/groups/{group.pk}/delete/").status_code == 302
    assert not CustomerGroup.objects.filter(pk=group.pk).exists()


def test_a_tags_customers_export_holds_only_the_exporters_customers(book, client):
    services.tag_customers(book.bank.north_rm, book.vip, [book.a.pk], now=NOW)
    services.tag_customers(book.bank.south_rm, book.vip, [book.s.pk], now=NOW)
    client.force_login(book.bank.south_rm)  # an RM may not export a tag's customers
    assert client.get(f"/tags/{book.vip.pk}/", {"export": "xlsx"}).status_code == 403
    client.force_login(book.bank.north_manager)
    response = client.get(f"/tags/{book.vip.pk}/", {"export": "xlsx"})
    cells = [
        str(c) for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True) for c in row
    ]
    assert "C101" in cells and "C104" not in cells
