"""PLT-13: personal financial information is encrypted, masked everywhere, unmasked only on an audited click."""

import base64
import io
import logging

import pytest
from django.core.management import call_command
from django.db import connection
from openpyxl import load_workbook
from rest_framework.test import APIClient

from steward.audit.models import AuditEntry
from steward.org.models import Employee
from steward.privacy import crypto, masking
from steward.privacy.logging import RedactPersonalData, redact
from steward.testing import grant

PLAIN_ID = "110105199001011234"
PLAIN_MOBILE = "13812345678"
PLAIN_EMAIL = "zhang.san@example.com"
VIEW = ("org.employee:view", "org.employee:export", "org.employee:change")


@pytest.fixture
def person(bank):
    rm = bank.north_rm
    rm.id_number, rm.mobile, rm.email = PLAIN_ID, PLAIN_MOBILE, PLAIN_EMAIL
    rm.save()
    return rm


@pytest.mark.parametrize(
    ("kind", "plain", "masked"),
    [
        ("id_number", "110105199001011234", "1****************4"),
        ("mobile", "13812345678", "138****5678"),
        ("card", "6222021234567890", "6222 **** **** 7890"),
        ("email", "zhang.san@example.com", "z***@example.com"),
        ("address", "北京市朝阳区建国路88号", "北京市朝阳区****"),
    ],
)
def test_masking_follows_jr_t_0171(kind, plain, masked):
    assert masking.mask(kind, plain) == masked


def test_id_numbers_are_stored_encrypted_and_found_by_blind_index(person):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, id_number_index FROM org_employee WHERE id = %s", [person.pk])
        stored, index = cursor.fetchone()
    assert PLAIN_ID not in stored
    assert stored.startswith("dev$")
    assert index == crypto.blind_index("id_number", PLAIN_ID)
    found = Employee.objects.get(id_number_index=crypto.blind_index("id_number", " 110105199001011234 "))
    assert found == person
    assert Employee.objects.get(pk=person.pk).id_number == PLAIN_ID


def test_rotating_keys_re_encrypts_every_value_under_the_new_key(person, monkeypatch):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM org_employee WHERE id = %s", [person.pk])
        (old_token,) = cursor.fetchone()
    assert old_token.startswith("dev$")
    new_key = "k2:" + "A" * 43 + "="
    old = crypto.keyring()[1]["dev"]

    monkeypatch.setenv("STEWARD_PII_KEYS", f"{new_key},dev:{base64.b64encode(old).decode()}")
    crypto.keyring.cache_clear()  # steward/conftest.py clears it again after the test
    call_command("rotate_pii_keys")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM org_employee WHERE id = %s", [person.pk])
        (token,) = cursor.fetchone()
    assert token.startswith("k2$") and token != old_token
    assert Employee.objects.get(pk=person.pk).id_number == PLAIN_ID


def test_without_the_unmask_permission_no_plain_id_or_mobile_appears_anywhere(bank, person, client, caplog):
    grant(bank.north_manager, *VIEW, scope="subtree")
    client.force_login(bank.north_manager)
    api = APIClient()
    api.force_authenticate(bank.north_manager)
    caplog.set_level(logging.INFO)
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactPersonalData())
    logging.getLogger("django.request").addFilter(RedactPersonalData())

    # A search by mobile number finds the person; the page echoes only what the user typed.
    searched = client.get("/org/employees/", {"q": PLAIN_MOBILE}).content.decode()
    assert "138****5678" in searched
    searched = searched.replace(f'value="{PLAIN_MOBILE}"', "").replace(f"q={PLAIN_MOBILE}", "")
    by_id = client.get("/org/employees/", {"q": PLAIN_ID}).content.decode()
    assert "138****5678" in by_id
    by_id = by_id.replace(f'value="{PLAIN_ID}"', "").replace(f"q={PLAIN_ID}", "")
    responses = [
        searched.encode(),
        by_id.encode(),
        client.get("/org/employees/").content,
        client.get(f"/org/employees/{person.pk}/").content,
        client.get(f"/org/employees/{person.pk}/edit/").content,
        api.get("/api/v1/employees/").content,
        api.get(f"/api/v1/employees/{person.pk}/").content,
        api.get("/api/v1/employees/", {"unmask": "1"}).content,  # refused: no permission
    ]
    export = client.get("/org/employees/", {"export": "xlsx"})
    cells = " ".join(
        str(c) for row in load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True) for c in row if c
    )
    logging.getLogger("steward").warning("customer called from %s about id %s", PLAIN_MOBILE, PLAIN_ID)
    audit = " ".join(f"{e.changes} {e.message} {e.object_repr}" for e in AuditEntry.objects.all())

    everything = b" ".join(responses).decode() + cells + audit
    assert "138****5678" in everything
    for plain in (PLAIN_ID, PLAIN_MOBILE, PLAIN_EMAIL):
        assert plain not in everything
    for record in caplog.records:
        assert PLAIN_MOBILE not in record.getMessage() and PLAIN_ID not in record.getMessage()


def test_an_unmask_click_shows_one_value_and_is_audited(bank, person, client):
    grant(bank.north_manager, "org.employee:view", "privacy.pii:unmask", scope="subtree")
    client.force_login(bank.north_manager)
    page = client.get(f"/org/employees/{person.pk}/").content.decode()
    assert 'data-testid="unmask"' in page and PLAIN_MOBILE not in page

    response = client.post(
        f"/privacy/reveal/org.employee/{person.pk}/mobile/",
    )

    assert PLAIN_MOBILE in response.content.decode()
    entry = AuditEntry.objects.filter(action="privacy.unmasked").latest("seq")
    assert (entry.actor, entry.object_id, entry.message) == (bank.north_manager, str(person.pk), "mobile")


def test_unmasking_needs_the_permission_and_the_record_in_scope(bank, person, client):
    grant(bank.south_rm, "org.employee:view", scope="subtree", org=bank.south)
    client.force_login(bank.south_rm)
    refused = client.post(
        f"/privacy/reveal/org.employee/{person.pk}/mobile/",
    )
    assert refused.status_code == 403

    grant(bank.south_rm, "privacy.pii:unmask", scope="all")
    outside = client.post(
        f"/privacy/reveal/org.employee/{person.pk}/mobile/",
    )
    assert outside.status_code == 404  # the record is outside the scope of org.employee:view
    assert not AuditEntry.objects.filter(action="privacy.unmasked").exists()


def test_the_api_unmasks_on_request_for_holders_and_audits_each_record(bank, person):
    grant(bank.north_manager, "org.employee:view", "privacy.pii:unmask", scope="subtree")
    api = APIClient()
    api.force_authenticate(bank.north_manager)

    masked = api.get(f"/api/v1/employees/{person.pk}/").json()
    plain = api.get(f"/api/v1/employees/{person.pk}/", {"unmask": "1"}).json()

    assert masked["id_number"] == "1****************4" and masked["mobile"] == "138****5678"
    assert plain["id_number"] == PLAIN_ID and plain["mobile"] == PLAIN_MOBILE
    entry = AuditEntry.objects.filter(action="privacy.unmasked").latest("seq")
    assert entry.ids == [person.pk] and "API read" in entry.message


def test_editing_a_record_keeps_personal_data_unless_a_new_value_is_typed(bank, person, client):
    grant(bank.north_manager, "org.employee:view", "org.employee:change", scope="subtree")
    client.force_login(bank.north_manager)
    form = {
        "name": person.name,
        "position": "",
        "allocation_weight": 2,
        "mobile": "",
        "email": "",
        "id_number": "",
        "hired_on": "",
        "language": "",
    }

    client.post(f"/org/employees/{person.pk}/edit/", form)
    person.refresh_from_db()
    assert (person.mobile, person.id_number, person.allocation_weight) == (PLAIN_MOBILE, PLAIN_ID, 2)

    client.post(f"/org/employees/{person.pk}/edit/", {**form, "mobile": "13900001111"})
    person.refresh_from_db()
    assert person.mobile == "13900001111"
    change = AuditEntry.objects.filter(action="update", object_id=str(person.pk)).latest("seq")
    assert change.changes["mobile"] == ["138****5678", "139****1111"]


def test_exporting_unmasked_needs_its_own_permission_and_is_audited(bank, person, client):
    grant(bank.north_manager, "org.employee:view", "org.employee:export", scope="subtree")
    client.force_login(bank.north_manager)

    def cells(params):
        content = client.get("/org/employees/", {"export": "xlsx", **params}).content
        return " ".join(
            str(c) for r in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True) for c in r if c
        )

    assert PLAIN_MOBILE not in cells({"unmasked": "1"})
    grant(bank.north_manager, "privacy.pii:export_unmasked", scope="subtree")
    assert PLAIN_MOBILE in cells({"unmasked": "1"})
    assert "unmasked=True" in AuditEntry.objects.filter(action="export").latest("seq").message


def test_log_lines_are_redacted():
    assert redact(f"call {PLAIN_MOBILE} id {PLAIN_ID} card 6222021234567890") == (
        "call 138****5678 id 1****************4 card 6222 **** **** 7890"
    )
