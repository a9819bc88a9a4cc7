"""CUS-10, CUS-11, PLT-07: the audit trail leaks nothing its readers may not see.

A private note's text never reaches the trail (the change is recorded, the text is not), and an
entry about a confidential customer shows the customer's name and number only to readers who
may see the customer (its owner, or a confidential grant) — in the page, the search, the
detail, the export and the API alike.
"""

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from steward.audit.context import acting_as
from steward.audit.models import AuditEntry
from steward.audit.services import REDACTED, log_bulk, verify_chain
from steward.customers import services as customer_services
from steward.customers.models import ConfidentialGrant, Customer, CustomerNote
from steward.customers.tests.factories import CustomerFactory
from steward.testing import EmployeeFactory, grant

SECRET_TEXT = "客户私下透露准备离婚分割房产"
NAME, CIF = "机密客户甲", "CSECRET01"


@pytest.fixture
def readers(bank):
    """Admin and a bank-wide auditor (view and export, scope all), and the north branch manager
    (view and export in the branch) — none of them granted the confidential customer."""
    auditor = EmployeeFactory(employee_no="AUD", name="稽核员", org=bank.head)
    for user, scope, org in (
        (bank.admin, "all", None),
        (auditor, "all", None),
        (bank.north_manager, "subtree", bank.north),
    ):
        grant(user, "audit.entry:view", "audit.entry:export", scope=scope, org=org)
    return {"admin": bank.admin, "auditor": auditor, "branch manager": bank.north_manager}


def _surfaces(user, entry) -> dict[str, str]:
    """Everything a reader can get out of the trail about `entry`, as text."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    export = client.get("/audit/", {"export": "xlsx", "action": entry.action})
    assert export.status_code == 200
    rows = load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True)
    return {
        "page": client.get("/audit/", {"action": entry.action}).content.decode(),
        "detail": client.get(f"/audit/{entry.pk}/").content.decode(),
        "export": "\n".join(str(row) for row in rows),
        "api": api.get("/api/v1/audit-entries/", {"action": entry.action}).content.decode(),
        "api detail": api.get(f"/api/v1/audit-entries/{entry.pk}/").content.decode(),
    }


def _found_by_search(user, entry, words: str) -> dict[str, bool]:
    """Whether the free-text search of the page and of the API lists `entry`."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    page = client.get("/audit/", {"q": words}).content.decode()
    results = api.get("/api/v1/audit-entries/", {"q": words}).json()["results"]
    return {"page": f'href="/audit/{entry.pk}/"' in page, "api": any(r["id"] == entry.pk for r in results)}


def test_a_private_note_is_audited_without_its_text(bank, readers):
    """CUS-11: creating, editing and deleting a private note leaves entries that say what changed,
    never the text, and nobody finds the note by searching the trail for its words."""
    grant(bank.north_rm, "customers.customer:view", "customers.note:add", scope="own")
    customer = CustomerFactory(org=bank.north_team, owner=bank.north_rm, name="张三", cif="C100")

    note = customer_services.add_note(bank.north_rm, customer, SECRET_TEXT, private=True)
    with acting_as(bank.north_rm):  # an edit the author makes (no edit service exists yet)
        note.body = SECRET_TEXT + "，补充：已咨询律师"
        note.save()
    customer_services.delete_note(bank.north_rm, CustomerNote.objects.get(pk=note.pk))

    entries = list(AuditEntry.objects.filter(object_type="customers.customernote", object_id=str(note.pk)))
    assert sorted(e.action for e in entries) == ["create", "delete", "update"]
    for entry in entries:
        assert SECRET_TEXT[:6] not in entry.object_repr + str(entry.changes) + entry.message
        assert REDACTED in entry.changes["body"]  # the change is recorded
    update = next(e for e in entries if e.action == "update")
    assert update.changes["body"] == [REDACTED, REDACTED]
    for name, reader in readers.items():
        for surface, text in _surfaces(reader, update).items():
            assert SECRET_TEXT[:6] not in text, f"{name} reads the note in the {surface}"
        assert _found_by_search(reader, update, SECRET_TEXT[:4]) == {"page": False, "api": False}
        assert _found_by_search(reader, update, f"note #{note.pk}") == {"page": True, "api": True}
    assert verify_chain().ok


def test_the_detail_says_the_note_changed_without_its_text(bank, readers, client):
    """CUS-11: the auditor still learns that the text changed."""
    customer = CustomerFactory(org=bank.north_team, owner=bank.north_rm)
    note = CustomerNote.objects.create(
        customer=customer, author=bank.north_rm, body=SECRET_TEXT, is_private=True, created_at=timezone.now()
    )
    note.body = "另一段文字"
    note.save()
    entry = AuditEntry.objects.get(object_type="customers.customernote", object_id=str(note.pk), action="update")
    client.force_login(readers["auditor"])
    page = client.get(f"/audit/{entry.pk}/").content.decode()
    assert "changed (text not recorded)" in page
    assert "另一段文字" not in page and SECRET_TEXT not in page


@pytest.fixture
def confidential(bank):
    grant(bank.north_rm, "customers.customer:view", "customers.customer:change", scope="own")
    customer = CustomerFactory(org=bank.north_team, owner=bank.north_rm, name=NAME, cif=CIF, is_confidential=True)
    with acting_as(bank.north_rm):  # its RM changes it: an entry every reader's scope covers
        customer.risk_level = "R3"
        customer.save()
    return customer


def test_readers_without_a_grant_see_a_placeholder_for_a_confidential_customer(bank, readers, confidential):
    """CUS-10: admin, auditor and branch manager without a confidential grant do not see the
    customer's name or number anywhere in the trail, nor find the entry by them."""
    entry = AuditEntry.objects.filter(object_type="customers.customer", object_id=str(confidential.pk)).latest("seq")
    assert NAME in entry.object_repr  # stored as it was: shown according to the reader
    for name, reader in readers.items():
        shown = _surfaces(reader, entry)
        for surface, text in shown.items():
            assert NAME not in text and CIF not in text, f"{name} reads the identity in the {surface}"
        for words in (NAME, CIF, NAME[:2]):
            assert _found_by_search(reader, entry, words) == {"page": False, "api": False}, (name, words)
        assert "Confidential customer" in shown["page"] and "Confidential customer" in shown["export"]
        assert "Confidential customer" in shown["detail"] and "Confidential customer" in shown["api detail"]
        assert "R3" in shown["detail"]  # what changed is still there


def test_a_reader_with_the_grant_sees_the_confidential_customer(bank, readers, confidential):
    """CUS-10: the auditor granted access to the customer sees its identity and finds it by name."""
    auditor = readers["auditor"]
    ConfidentialGrant.objects.create(customer=confidential, user=auditor, granted_by=bank.north_rm)
    entry = AuditEntry.objects.filter(object_type="customers.customer", object_id=str(confidential.pk)).latest("seq")

    surfaces = _surfaces(auditor, entry)

    for surface in ("page", "detail", "export", "api", "api detail"):
        assert NAME in surfaces[surface], surface
    assert _found_by_search(auditor, entry, NAME) == {"page": True, "api": True}
    assert "Confidential customer" not in surfaces["detail"]
    assert CIF in surfaces["detail"]
    # The admin next to them, without a grant, still sees the placeholder.
    assert NAME not in _surfaces(readers["admin"], entry)["page"]


def test_confidential_customers_among_a_bulk_entrys_ids_are_shown_as_the_placeholder(bank, readers, confidential):
    """CUS-10: a batch summary lists a hidden customer as the placeholder, the others by id."""
    other = CustomerFactory(org=bank.north_team, owner=bank.north_rm)
    entry = log_bulk("tags.tagged", Customer, [confidential.pk, other.pk], actor=bank.north_rm)[0]
    api = APIClient()
    api.force_authenticate(readers["auditor"])
    assert api.get(f"/api/v1/audit-entries/{entry.pk}/").json()["ids"] == ["Confidential customer", other.pk]
    ConfidentialGrant.objects.create(customer=confidential, user=readers["auditor"])
    assert api.get(f"/api/v1/audit-entries/{entry.pk}/").json()["ids"] == [confidential.pk, other.pk]


def test_the_audit_api_is_read_only_and_needs_the_audit_permission(bank, readers):
    """PLT-07: the API reads the trail under the page's permission and data scope, and writes nothing."""
    api = APIClient()
    api.force_authenticate(bank.north_rm)
    assert api.get("/api/v1/audit-entries/").status_code == 403
    api.force_authenticate(readers["auditor"])
    assert api.get("/api/v1/audit-entries/").status_code == 200
    entry = AuditEntry.objects.latest("seq")
    assert api.delete(f"/api/v1/audit-entries/{entry.pk}/").status_code == 405
    assert api.patch(f"/api/v1/audit-entries/{entry.pk}/", {"message": "x"}).status_code == 405
