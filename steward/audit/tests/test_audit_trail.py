"""PLT-07: one mechanism records every change; events; append-only; hash chain; search and export."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from openpyxl import load_workbook

from steward.audit.models import AppendOnlyError, AuditEntry
from steward.audit.services import bulk_operation, log_bulk, log_event, verify_chain
from steward.org import services as org_services
from steward.org.models import Org
from steward.testing import TEST_PASSWORD, OrgFactory, grant


@pytest.fixture
def auditor(bank):
    grant(bank.admin, "audit.entry:view", "audit.entry:export", scope="all")
    return bank.admin


def latest(**filters):
    return AuditEntry.objects.filter(**filters).order_by("-seq").first()


def test_a_change_made_on_a_page_is_recorded_with_actor_request_ip_and_before_after(bank, client):
    grant(bank.north_manager, "org.org:change", scope="subtree")
    client.force_login(bank.north_manager)

    response = client.post(
        f"/org/orgs/{bank.north_sub.pk}/edit/",
        {"code": "N1", "name": "北方第一支行", "kind": "sub_branch", "phone": "010-1234"},
        REMOTE_ADDR="10.1.2.3",
    )

    assert response.status_code == 302
    entry = latest(action="update", object_type="org.org", object_id=str(bank.north_sub.pk))
    assert entry.actor == bank.north_manager
    assert entry.ip_address == "10.1.2.3"
    assert entry.request_id == response["X-Request-ID"]
    assert entry.changes["name"] == ["北方一支行", "北方第一支行"]
    assert entry.changes["phone"] == ["", "010-1234"]
    assert "code" not in entry.changes  # unchanged fields are not noise


def test_a_new_model_is_audited_without_any_code_of_its_own(bank):
    # Orgs have no audit code; creation and deletion are still captured.
    org = OrgFactory(parent=bank.head, name="临时机构")
    assert latest(action="create", object_type="org.org", object_id=str(org.pk)).changes["name"] == [None, "临时机构"]
    pk = org.pk
    org.delete()
    assert latest(action="delete", object_type="org.org", object_id=str(pk)).changes["name"] == ["临时机构", None]


def test_logins_failed_logins_and_logouts_are_recorded(bank, client):
    assert not client.login(username="NRM", password="wrong")
    failed = latest(action="auth.login_failed")
    assert failed.object_id == "NRM"
    assert "wrong" not in str(failed.changes) + failed.message

    client.post("/login/", {"username": "NRM", "password": TEST_PASSWORD})
    assert latest(action="auth.login").actor == bank.north_rm
    client.post("/logout/")
    assert latest(action="auth.logout").actor == bank.north_rm


def test_a_refused_request_is_recorded_as_a_permission_denial(bank, client):
    client.force_login(bank.north_rm)
    assert client.get("/access/roles/").status_code == 403
    denial = latest(action="auth.permission_denied")
    assert denial.actor == bank.north_rm
    assert "/access/roles/" in denial.message


def test_an_export_is_recorded_with_the_ids_it_contained(bank, client):
    grant(bank.north_manager, "org.employee:view", "org.employee:export", scope="subtree")
    client.force_login(bank.north_manager)

    client.get("/org/employees/", {"export": "xlsx"})

    entry = latest(action="export")
    assert entry.actor == bank.north_manager
    assert set(entry.ids) == {bank.north_rm.pk, bank.north_rm2.pk, bank.north_manager.pk}


def test_the_trail_cannot_be_edited_or_deleted_through_the_application(bank):
    entry = log_event("test.event", bank.head)
    entry.message = "rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(message="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


def test_the_admin_offers_no_way_to_change_the_trail(bank, client):
    bank.admin.is_superuser = bank.admin.is_staff = True
    bank.admin.save()
    client.force_login(bank.admin)
    entry = log_event("test.event", bank.head)
    assert client.get("/django-admin/audit/auditentry/add/").status_code == 403
    page = client.get(f"/django-admin/audit/auditentry/{entry.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.get(f"/django-admin/audit/auditentry/{entry.pk}/delete/").status_code == 403


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database trigger exists on PostgreSQL")
def test_postgresql_itself_refuses_to_update_or_delete_an_entry(bank):
    from django.db import DatabaseError, transaction

    entry = log_event("test.event", bank.head)
    for statement in (
        "UPDATE audit_auditentry SET message = 'x' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [entry.pk])


def _tamper(sql, params):
    """Simulate someone with database access editing the table behind the application's back."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only")


def test_verify_audit_names_the_first_altered_entry(bank, capsys):
    entries = [log_event("test.event", bank.head, message=f"event {i}") for i in range(5)]
    call_command("verify_audit")
    assert "The audit chain holds" in capsys.readouterr().out

    _tamper("UPDATE audit_auditentry SET message = %s WHERE id = %s", ["forged", entries[2].pk])

    with pytest.raises(CommandError, match=rf"broken at entry #{entries[2].seq}: .*altered"):
        call_command("verify_audit")


def test_verify_audit_notices_a_removed_entry(bank):
    entries = [log_event("test.event", bank.head, message=f"event {i}") for i in range(4)]
    _tamper("DELETE FROM audit_auditentry WHERE id = %s", [entries[1].pk])
    report = verify_chain()
    assert not report.ok
    assert report.broken_at == entries[1].seq  # the removed entry itself is named
    assert report.reason == f"entry #{entries[1].seq} is missing"


def test_a_bulk_operation_on_ten_thousand_orgs_writes_one_entry_per_batch_and_keeps_the_chain(bank):
    parent = OrgFactory(parent=bank.head, kind=Org.Kind.BRANCH, code="BULK", name="批量分行")
    base = parent.path
    Org.objects.bulk_create(
        [
            Org(
                code=f"BULK{i:05d}",
                name=f"团队{i}",
                kind=Org.Kind.TEAM,
                parent=parent,
                path=f"{base}{900000 + i:06d}/",
                depth=parent.depth + 1,
            )
            for i in range(10_000)
        ],
        batch_size=2000,
    )
    before = AuditEntry.objects.count()
    grant(bank.admin, "org.org:change", scope="all")

    org_services.set_org_active(bank.admin, parent, False)

    summaries = AuditEntry.objects.filter(action="org.deactivated").order_by("seq")
    assert summaries.count() == 11  # 10,001 ids in batches of 1,000
    assert sum(len(entry.ids) for entry in summaries) == 10_001
    assert AuditEntry.objects.count() - before < 20  # no row-by-row storm
    assert verify_chain().ok


def test_inside_a_bulk_operation_row_changes_become_batch_summaries(bank):
    before = AuditEntry.objects.count()
    with bulk_operation(message="rename"):
        for org in Org.objects.all():
            org.name = org.name + "（新）"
            org.save()
    new = AuditEntry.objects.order_by("seq")[before:]
    assert [(e.action, len(e.ids)) for e in new] == [("update", Org.objects.count())]
    assert verify_chain().ok


def test_log_bulk_splits_ids_into_batches(bank):
    entries = log_bulk("test.bulk", Org, range(2500))
    assert [len(e.ids) for e in entries] == [1000, 1000, 500]


def test_auditors_search_by_actor_object_action_and_time_and_export(bank, auditor, client):
    org_services.update_org(grant_and_return(bank.north_manager), bank.north_sub, name="改名支行")
    client.force_login(auditor)

    page = client.get(
        "/audit/", {"action": "update", "object_type": "org.org", "object_id": bank.north_sub.pk, "actor": "北方行长"}
    ).content.decode()
    assert "改名支行" in page
    assert client.get("/audit/", {"action": "auth.login"}).content.decode().count("<tr") <= 2

    export = client.get("/audit/", {"object_type": "org.org", "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert any("改名支行" in str(row) for row in rows)
    entry = latest(action="update", object_id=str(bank.north_sub.pk))
    detail = client.get(f"/audit/{entry.pk}/").content.decode()
    assert "北方一支行" in detail and "改名支行" in detail


def grant_and_return(user):
    grant(user, "org.org:change", scope="subtree")
    return user


def test_a_user_without_the_audit_permission_cannot_read_the_trail(bank, client):
    client.force_login(bank.north_rm)
    assert client.get("/audit/").status_code == 403
    entry = log_event("test.event", bank.head)
    assert client.get(f"/audit/{entry.pk}/").status_code == 403


def test_a_branch_auditor_sees_only_the_actions_of_staff_in_their_branch(bank, client):
    grant(bank.north_manager, "audit.entry:view", scope="subtree", org=bank.north)
    log_event("test.north", bank.north, actor=bank.north_rm)
    south = log_event("test.south", bank.south, actor=bank.south_rm)
    client.force_login(bank.north_manager)

    page = client.get("/audit/", {"action": "test."}).content.decode()

    assert ">North<" in page  # the action, by its label (humanised: nobody registered "test.north")
    assert ">South<" not in page
    assert client.get(f"/audit/{south.pk}/").status_code == 404


def test_a_forged_forwarded_for_header_does_not_change_the_recorded_address(bank, client, settings):
    client.force_login(bank.north_rm)
    client.get("/access/roles/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert latest(action="auth.permission_denied").ip_address == "10.0.0.9"

    settings.TRUSTED_PROXY_COUNT = 1  # behind one proxy, the address it saw is the client's
    client.get("/access/roles/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 172.16.0.5")
    assert latest(action="auth.permission_denied").ip_address == "172.16.0.5"


def test_the_trail_names_object_types_in_the_readers_language(bank, auditor, client):
    """PLT-07: the auditor reads "员工", not the code "org.employee", as an entry's object type (list and detail)."""
    log_event("employee.updated", bank.north_rm, actor=auditor)
    entry = latest(object_type="org.employee")
    client.force_login(auditor)

    listed = client.get("/audit/?object_type=org.employee", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    detail = client.get(f"/audit/{entry.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert ">org.employee<" not in listed and ">员工<" in listed
    assert ">员工</span>" in detail
