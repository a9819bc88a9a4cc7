"""PLT-11 (issue 11, point 11): API tokens expire, lapse when idle, rotate and are revoked — listed per user.

Only a hash of a key is stored; the key is shown once. A refused token gets 401 with a message
saying why. Anyone manages their own tokens; holders of access.token:view / access.token:revoke
list and revoke those of employees in their data scope (this file is the api-tokens route's matrix).
"""

import datetime as dt
import importlib
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from steward.access import services
from steward.access.models import ApiToken
from steward.audit.models import AuditEntry
from steward.basedata.services import set_parameter
from steward.org import services as org_services
from steward.org.models import Employee
from steward.testing import TEST_PASSWORD, grant


def with_token(key):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


@pytest.fixture
def rm(bank):
    grant(bank.north_rm, "org.employee:view", scope="own")
    return bank.north_rm


def test_the_token_endpoint_issues_a_key_that_is_stored_only_as_a_hash(rm):
    """PLT-11: /api/v1/auth/token/ still answers {"token": …}; the key opens the API, is stored hashed, and is audited."""
    response = Client().post("/api/v1/auth/token/", {"username": "NRM", "password": TEST_PASSWORD})
    key = response.json()["token"]

    listing = with_token(key).get("/api/v1/employees/")

    token = ApiToken.objects.get(user=rm)
    assert response.status_code == 200 and listing.status_code == 200
    assert token.key_hash == services.hash_token_key(key) and key not in str(ApiToken.objects.values().get())
    assert token.last_used_at is not None
    expected_expiry = timezone.now() + dt.timedelta(days=90)
    assert abs(token.expires_at - expected_expiry) < dt.timedelta(minutes=1)
    assert AuditEntry.objects.filter(action="access.token_issued", object_id=str(token.pk)).exists()
    assert not AuditEntry.objects.filter(changes__icontains=key).exists()
    # Each login gives a new token; the first one goes on working.
    second = Client().post("/api/v1/auth/token/", {"username": "NRM", "password": TEST_PASSWORD}).json()["token"]
    assert second != key and with_token(key).get("/api/v1/employees/").status_code == 200


def test_an_expired_token_gets_401_saying_it_expired(rm):
    """PLT-11: past its absolute lifetime a token is refused with a clear 401."""
    _token, key = services.issue_token(rm, rm, days=90, now=timezone.now() - dt.timedelta(days=91))

    response = with_token(key).get("/api/v1/employees/")

    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_a_token_left_unused_past_the_idle_limit_lapses_and_the_limit_is_a_system_parameter(
    bank, rm, django_capture_on_commit_callbacks
):
    """PLT-11: a token not used for security.api_token_idle_days (30) is refused; raising the parameter revives it."""
    token, key = services.issue_token(rm, rm)
    ApiToken.objects.filter(pk=token.pk).update(
        created_at=timezone.now() - dt.timedelta(days=40), last_used_at=timezone.now() - dt.timedelta(days=31)
    )

    lapsed = with_token(key).get("/api/v1/employees/")
    grant(bank.admin, "basedata.parameter:change", scope="all")
    with django_capture_on_commit_callbacks(execute=True):
        set_parameter(bank.admin, "security.api_token_idle_days", "60")
    revived = with_token(key).get("/api/v1/employees/")

    assert lapsed.status_code == 401 and "not used for 30 days" in lapsed.json()["detail"]
    assert revived.status_code == 200


def test_a_revoked_token_gets_401_saying_it_was_revoked(rm):
    """PLT-11: revocation takes effect on the next call."""
    token, key = services.issue_token(rm, rm)
    assert with_token(key).get("/api/v1/employees/").status_code == 200

    services.revoke_token(rm, token, reason="laptop lost")
    response = with_token(key).get("/api/v1/employees/")

    assert response.status_code == 401 and "revoked" in response.json()["detail"]
    assert AuditEntry.objects.filter(action="access.token_revoked", object_id=str(token.pk)).exists()


def test_rotating_through_the_api_gives_a_new_key_and_stops_the_old_one(rm):
    """PLT-11: POST api-tokens/{id}/rotate/ returns a new key once; the old key is refused at once."""
    token, key = services.issue_token(rm, rm, name="call centre")
    api = with_token(key)

    rotated = api.post(f"/api/v1/api-tokens/{token.pk}/rotate/")
    new_key = rotated.json()["key"]

    assert rotated.status_code == 201 and rotated.json()["name"] == "call centre"
    assert with_token(key).get("/api/v1/employees/").status_code == 401
    assert with_token(new_key).get("/api/v1/employees/").status_code == 200
    token.refresh_from_db()
    assert token.replaced_by_id == rotated.json()["id"] and token.revoked_at is not None
    assert AuditEntry.objects.filter(action="access.token_rotated", object_id=str(token.pk)).exists()
    again = with_token(new_key).post(f"/api/v1/api-tokens/{token.pk}/rotate/")
    assert again.status_code == 400  # a revoked token is not rotated twice


def test_the_api_lists_my_tokens_without_keys_and_issues_within_the_lifetime(bank, rm):
    """PLT-11: GET api-tokens/ lists only my own tokens, with state and never a key; too long a life is a 400 naming the field."""
    mine, key = services.issue_token(rm, rm, name="mine")
    services.issue_token(bank.south_rm, bank.south_rm, name="theirs")
    services.revoke_token(rm, services.issue_token(rm, rm, name="old")[0])
    api = with_token(key)

    listing = api.get("/api/v1/api-tokens/").json()["results"]
    too_long = api.post("/api/v1/api-tokens/", {"name": "x", "expires_in_days": 91}, format="json")
    issued = api.post("/api/v1/api-tokens/", {"name": "batch", "expires_in_days": 7}, format="json")

    assert sorted((row["name"], row["state"]) for row in listing) == [("mine", "active"), ("old", "revoked")]
    assert all("key" not in row and "key_hash" not in row for row in listing)
    assert too_long.status_code == 400 and "expires_in_days" in too_long.json()
    assert issued.status_code == 201 and len(issued.json()["key"]) == 40
    assert ApiToken.objects.get(pk=issued.json()["id"]).expires_at < timezone.now() + dt.timedelta(days=8)


def test_administrators_list_and_revoke_tokens_only_of_employees_in_their_scope(bank, rm):
    """PLT-11: with access.token:view/revoke at the north branch: north tokens listed and revoked; south ones not."""
    north, _key = services.issue_token(rm, rm)
    south, _key = services.issue_token(bank.south_rm, bank.south_rm)
    grant(bank.north_manager, "access.token:view", scope="subtree", org=bank.north)
    api = APIClient()
    api.force_authenticate(bank.north_manager)

    listed = {row["id"] for row in api.get("/api/v1/api-tokens/").json()["results"]}
    before_right = api.post(f"/api/v1/api-tokens/{north.pk}/revoke/", {"reason": "audit"}, format="json")
    grant(bank.north_manager, "access.token:revoke", scope="subtree", org=bank.north)
    api.force_authenticate(Employee.objects.get(pk=bank.north_manager.pk))
    revoked = api.post(f"/api/v1/api-tokens/{north.pk}/revoke/", {"reason": "audit"}, format="json")
    outside = api.post(f"/api/v1/api-tokens/{south.pk}/revoke/", {}, format="json")
    rotate_other = api.post(f"/api/v1/api-tokens/{north.pk}/rotate/")

    assert listed == {north.pk}
    assert before_right.status_code == 403
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    assert revoked.json()["revoke_reason"] == "audit"
    assert outside.status_code == 404
    assert rotate_other.status_code == 403  # nobody mints a key to act as someone else
    south.refresh_from_db()
    assert south.revoked_at is None


def test_an_outsider_without_token_rights_sees_only_their_own(bank, rm):
    """PLT-11: a plain user's list holds only their tokens; another's token is a 404."""
    theirs, _key = services.issue_token(bank.south_rm, bank.south_rm)
    api = APIClient()
    api.force_authenticate(rm)

    assert api.get("/api/v1/api-tokens/").json()["count"] == 0
    assert api.post(f"/api/v1/api-tokens/{theirs.pk}/revoke/").status_code == 404


def test_my_tokens_page_shows_a_new_key_once_and_lists_rotates_and_revokes(rm, client):
    """PLT-11: /access/tokens/ — issue (the key shown only in that answer), rotate, revoke; states listed."""
    client.force_login(rm)

    issued = client.post("/access/tokens/", {"action": "issue", "name": "Excel 插件", "expires_in_days": "30"})
    key = issued.context["new_key"]
    token = ApiToken.objects.get(user=rm)
    listed = client.get("/access/tokens/").content.decode()
    rotated = client.post("/access/tokens/", {"action": "rotate", "token": token.pk})
    new = ApiToken.objects.get(user=rm, revoked_at__isnull=True)
    client.post("/access/tokens/", {"action": "revoke", "token": new.pk})
    final = client.get("/access/tokens/").content.decode()
    bad = client.post("/access/tokens/", {"action": "issue", "name": "x", "expires_in_days": "0"})

    assert 'data-testid="new-token-key"' in issued.content.decode() and key in issued.content.decode()
    assert key not in listed and "Excel 插件" in listed and 'data-state="active"' in listed
    assert rotated.context["new_key"] != key
    assert final.count('data-state="revoked"') == 2 and 'data-testid="rotate"' not in final
    assert bad.status_code == 200 and "expires_in_days" in bad.context["form"].errors
    assert with_token(key).get("/api/v1/employees/").status_code == 401


def test_the_employee_tokens_page_is_for_administrators_in_scope(bank, rm, client):
    """PLT-11: an administrator sees one employee's tokens and revokes them all; outside the scope it is a 404."""
    services.issue_token(rm, rm, name="a")
    services.issue_token(rm, rm, name="b")
    grant(bank.north_manager, "org.employee:view", "access.token:view", "access.token:revoke", scope="subtree")
    client.force_login(bank.north_manager)

    detail = client.get(f"/org/employees/{rm.pk}/").content.decode()
    page = client.get(f"/access/employees/{rm.pk}/tokens/").content.decode()
    client.post(f"/access/employees/{rm.pk}/tokens/", {"action": "revoke_all"})
    outside = client.get(f"/access/employees/{bank.south_rm.pk}/tokens/")

    assert 'data-testid="api-tokens"' in detail
    assert page.count('data-testid="token-row"') == 2 and 'data-testid="revoke-all"' in page
    assert 'data-testid="rotate"' not in page and 'data-testid="token-form"' not in page
    assert not ApiToken.objects.filter(user=rm, revoked_at__isnull=True).exists()
    assert outside.status_code == 404
    assert AuditEntry.objects.filter(action="access.tokens_revoked").exists()


def test_the_employee_tokens_page_needs_the_permission(bank, rm, client):
    """PLT-11: without access.token:view the page is 403 and the employee page shows no link."""
    grant(bank.north_manager, "org.employee:view", scope="subtree")
    client.force_login(bank.north_manager)

    assert client.get(f"/access/employees/{rm.pk}/tokens/").status_code == 403
    assert 'data-testid="api-tokens"' not in client.get(f"/org/employees/{rm.pk}/").content.decode()


def test_leaving_revokes_every_token(bank, rm):
    """PLT-11 / PLT-02: authority ends with the job — a left employee's tokens are revoked (kept as history)."""
    grant(bank.admin, "org.employee:change", scope="all")
    _token, key = services.issue_token(rm, rm)

    org_services.set_employee_status(bank.admin, rm, Employee.Status.LEFT)

    assert with_token(key).get("/api/v1/employees/").status_code == 401
    assert ApiToken.objects.get(user=rm).revoked_at is not None


def test_the_command_prints_a_new_key_once_and_rotate_revokes_the_others(rm):
    """PLT-11: create_api_token issues a hashed, expiring token; --rotate revokes the employee's other tokens."""
    first = io.StringIO()
    call_command("create_api_token", "NRM", "--days", "10", stdout=first, stderr=io.StringIO())
    second = io.StringIO()
    call_command("create_api_token", "NRM", "--rotate", stdout=second, stderr=io.StringIO())

    old_key, new_key = first.getvalue().strip(), second.getvalue().strip()
    assert with_token(old_key).get("/api/v1/employees/").status_code == 401
    assert with_token(new_key).get("/api/v1/employees/").status_code == 200
    assert ApiToken.objects.filter(user=rm).count() == 2


def test_existing_plain_text_tokens_are_migrated_to_hashes(rm):
    """PLT-11: the migration turns DRF's stored keys into hashed, expiring tokens and deletes the plain ones."""
    Token.objects.create(user=rm, key="0123456789abcdef0123456789abcdef01234567")
    migration = importlib.import_module("steward.access.migrations.0004_api_token")

    migration.hash_existing_keys(apps, None)

    assert not Token.objects.exists()
    assert with_token("0123456789abcdef0123456789abcdef01234567").get("/api/v1/employees/").status_code == 200
    assert ApiToken.objects.get(user=rm).prefix == "01234567"


def test_revoke_reasons_are_shown_in_the_readers_language_and_revoke_all_only_when_something_is_live(bank, rm, client):
    """PLT-11: a token rotated on an English page reads "已轮换"-style Chinese to a Chinese reader (and back);
    with no live token left the employee page offers no "Revoke all"."""
    grant(bank.north_manager, "org.employee:view", "access.token:view", "access.token:revoke", scope="subtree")
    client.force_login(rm)
    client.post("/access/tokens/", {"action": "issue", "name": "a", "expires_in_days": "30"}, HTTP_ACCEPT_LANGUAGE="en")
    token = ApiToken.objects.get(user=rm)
    client.post("/access/tokens/", {"action": "rotate", "token": token.pk}, HTTP_ACCEPT_LANGUAGE="en")
    new = ApiToken.objects.get(user=rm, revoked_at__isnull=True)
    client.post("/access/tokens/", {"action": "revoke", "token": new.pk}, HTTP_ACCEPT_LANGUAGE="zh-hans")

    chinese = client.get("/access/tokens/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    english = client.get("/access/tokens/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    client.force_login(bank.north_manager)
    admin_page = client.get(f"/access/employees/{rm.pk}/tokens/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "rotated" not in chinese and "revoked by the holder" not in chinese
    assert "rotated" in english and "revoked by the holder" in english
    assert admin_page.count('data-testid="token-row"') == 2 and 'data-testid="revoke-all"' not in admin_page


@pytest.mark.parametrize("posted", ["abc", "²", "9" * 40, ""])
def test_a_token_id_that_is_not_one_of_mine_is_not_found_never_an_error(bank, rm, client, posted):
    """PLT-11: rotating or revoking with a forged token id answers 404 on both token pages, not 500."""
    client.force_login(rm)
    grant(bank.admin, "access.token:view", "access.token:revoke")
    admin = Client()
    admin.force_login(bank.admin)

    mine = client.post("/access/tokens/", {"action": "revoke", "token": posted})
    theirs = admin.post(f"/access/employees/{rm.pk}/tokens/", {"action": "revoke", "token": posted})

    assert mine.status_code == 404 and theirs.status_code == 404
