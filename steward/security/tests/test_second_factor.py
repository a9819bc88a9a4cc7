"""Issue 3, point 6: a role can require a one-time code (TOTP) after the password; anyone may enrol."""

import datetime as dt

import pyotp
import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from steward.access.models import Role, RoleAssignment
from steward.audit.models import AuditEntry
from steward.core.errors import DomainError
from steward.privacy import crypto
from steward.security import services
from steward.security.crypto import decrypt_secret
from steward.security.models import SecondFactor
from steward.testing import TEST_PASSWORD, grant, make_role


@pytest.fixture
def strict_role(bank):
    """A role that requires a second factor, held by the north RM."""
    role = make_role("org.org:view", code="treasury")
    Role.objects.filter(pk=role.pk).update(require_second_factor=True)
    RoleAssignment.objects.create(user=bank.north_rm, role=role, org=bank.north_team, scope="own")
    return role


def secret_of(user) -> str:
    device = SecondFactor.objects.get(user=user)
    return decrypt_secret(device.secret, user.pk)


def enrol(user, now=None) -> pyotp.TOTP:
    """Enrol `user` as if they had scanned the code; returns their authenticator."""
    now = now or timezone.now()
    enrolment = services.start_enrolment(user, now)
    totp = pyotp.TOTP(enrolment.secret)
    services.confirm_enrolment(user, totp.at(now), now)
    return totp


def next_code(totp, seconds=30) -> str:
    """The code of the next time step (accepted within the drift window, and not yet used)."""
    return totp.at(timezone.now() + dt.timedelta(seconds=seconds))


def password_step(client, employee_no="NRM"):
    return client.post("/login/", {"username": employee_no, "password": TEST_PASSWORD})


def code_step(client, code):
    return client.post("/login/", {"step": "code", "code": code})


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


def test_without_a_requiring_role_the_password_alone_logs_in(bank, client):
    assert password_step(client, "NRM2")["Location"] == "/"
    assert signed_in(client)


def test_a_role_that_requires_it_makes_login_ask_for_the_code(bank, client, strict_role):
    totp = enrol(bank.north_rm)

    after_password = password_step(client)
    between = signed_in(client)
    code_page = client.get(after_password["Location"]).content.decode()
    after_code = code_step(client, next_code(totp))

    assert after_password["Location"] == "/login/?step=code"
    assert not between  # the password alone is not a login
    assert "Enter the 6-digit code" in code_page and 'name="code"' in code_page
    assert after_code.status_code == 302 and after_code["Location"] == "/"
    assert signed_in(client)
    assert AuditEntry.objects.filter(action="auth.login", actor_id=bank.north_rm.pk).count() == 1


def test_a_wrong_code_is_refused_audited_and_counted_towards_the_lockout(bank, client, strict_role, settings):
    settings.AXES_FAILURE_LIMIT = 3
    enrol(bank.north_rm)
    password_step(client)

    wrong = code_step(client, "000000")
    not_digits = code_step(client, "abcdef")

    assert "That code is not right" in wrong.content.decode()
    assert "That code is not right" in not_digits.content.decode()
    assert not signed_in(client)
    assert AuditEntry.objects.filter(action="auth.login_failed", object_id="NRM").count() == 2
    third = code_step(client, "111111")
    assert third.status_code == 429 and 'data-testid="login-locked"' in third.content.decode()
    # Locked: even the right password now stops at the lock.
    assert password_step(client).status_code == 429


def test_a_code_cannot_be_used_twice(bank, client, strict_role):
    totp = enrol(bank.north_rm)
    code = next_code(totp)
    password_step(client)
    code_step(client, code)
    assert signed_in(client)

    again = Client()
    password_step(again)
    replay = code_step(again, code)

    assert "That code is not right" in replay.content.decode()
    assert not signed_in(again)


def test_the_same_time_step_is_refused_even_through_the_service(bank):
    now = timezone.now()
    totp = enrol(bank.north_rm, now)
    later = now + dt.timedelta(seconds=30)
    code = totp.at(later)

    assert services.verify_code(bank.north_rm, code, later)
    assert not services.verify_code(bank.north_rm, code, later)
    assert not services.verify_code(bank.north_rm, totp.at(now), later)  # an earlier step is used up too
    assert services.verify_code(bank.north_rm, totp.at(later + dt.timedelta(seconds=30)), later)


def test_a_code_from_far_away_in_time_is_refused(bank):
    now = timezone.now()
    totp = enrol(bank.north_rm, now)

    assert not services.verify_code(bank.north_rm, totp.at(now + dt.timedelta(minutes=5)), now)


def test_a_user_who_must_but_has_not_enrolled_sets_it_up_during_login(bank, client, strict_role):
    password_step(client)

    page = client.get("/login/?step=code").content.decode()
    secret = secret_of(bank.north_rm)
    shown = page.split('data-testid="totp-secret">')[1].split("<")[0].replace(" ", "")
    finished = code_step(client, pyotp.TOTP(secret).now())

    assert 'data-testid="enrolment"' in page and "<svg" in page
    assert shown == secret
    assert finished["Location"] == "/" and signed_in(client)
    assert services.is_enrolled(bank.north_rm)
    assert AuditEntry.objects.filter(action="security.second_factor_enrolled", actor_id=bank.north_rm.pk).exists()


def test_the_secret_is_encrypted_at_rest_never_shown_again_and_never_audited(bank, client):
    client.force_login(bank.north_rm)
    client.post("/account/two-step/", {"action": "start"})
    setup_page = client.get("/account/two-step/").content.decode()
    secret = secret_of(bank.north_rm)
    confirmed = client.post("/account/two-step/", {"action": "confirm", "code": pyotp.TOTP(secret).now()})

    after = client.get("/account/two-step/").content.decode()
    stored = SecondFactor.objects.get(user=bank.north_rm).secret
    trail = " ".join(str(e.changes) + e.message + e.object_repr for e in AuditEntry.objects.all())

    assert secret.replace(" ", "") in setup_page.replace(" ", "")
    assert confirmed.status_code == 302
    assert 'data-testid="totp-secret"' not in after and secret not in after.replace(" ", "")
    assert secret not in stored and crypto.key_id_of(stored) is not None  # an encrypted token of the key ring
    assert secret not in trail


def test_a_secret_copied_to_another_user_does_not_decrypt(bank):
    services.start_enrolment(bank.north_rm)
    stolen = SecondFactor.objects.get(user=bank.north_rm).secret

    with pytest.raises(Exception):  # noqa: B017 (cryptography's InvalidTag)
        decrypt_secret(stolen, bank.south_rm.pk)


def test_a_voluntarily_enrolled_user_is_asked_for_the_code_too_and_may_switch_it_off(bank, client):
    totp = enrol(bank.north_rm2, timezone.now() - dt.timedelta(seconds=30))  # half a minute ago

    assert password_step(client, "NRM2")["Location"] == "/login/?step=code"
    code_step(client, totp.now())
    assert signed_in(client)
    wrong = client.post("/account/two-step/", {"action": "remove", "code": "000000"})
    removed = client.post("/account/two-step/", {"action": "remove", "code": next_code(totp)})

    assert "That code is not right" in wrong.content.decode()
    assert removed.status_code == 302 and not services.is_enrolled(bank.north_rm2)
    assert password_step(Client(), "NRM2")["Location"] == "/"


def test_a_required_second_factor_cannot_be_switched_off(bank, strict_role):
    totp = enrol(bank.north_rm)

    with pytest.raises(DomainError, match="requires a second factor"):
        services.remove_own_second_factor(bank.north_rm, next_code(totp))


def test_an_administrator_resets_a_lost_second_factor_and_it_is_audited(bank, client, strict_role):
    enrol(bank.north_rm)
    grant(bank.north_manager, "security.second_factor:reset", "org.employee:view", scope="subtree", org=bank.north)
    client.force_login(bank.north_manager)

    listing = client.get("/account/second-factors/").content.decode()
    response = client.post(f"/account/second-factors/{bank.north_rm.pk}/reset/")

    assert "NRM" in listing and 'data-testid="reset-second-factor"' in listing
    assert response.status_code == 302
    assert not SecondFactor.objects.filter(user=bank.north_rm).exists()
    entry = AuditEntry.objects.get(action="security.second_factor_reset")
    assert entry.actor_id == bank.north_manager.pk and entry.object_id == str(bank.north_rm.pk)
    # Next login: the role still requires it, so the user enrols again.
    fresh = Client()
    password_step(fresh)
    assert 'data-testid="enrolment"' in fresh.get("/login/?step=code").content.decode()


def test_resetting_needs_the_permission_and_the_user_inside_the_scope(bank, client, strict_role):
    enrol(bank.north_rm)
    grant(bank.south_rm, "security.second_factor:reset", scope="subtree", org=bank.south)
    client.force_login(bank.south_rm)

    listing = client.get("/account/second-factors/").content.decode()
    outside = client.post(f"/account/second-factors/{bank.north_rm.pk}/reset/")
    with pytest.raises(PermissionDenied):
        services.reset_second_factor(bank.north_rm2, bank.north_rm)

    assert "NRM" not in listing.split('id="list-table"')[1]
    assert outside.status_code == 404
    assert SecondFactor.objects.filter(user=bank.north_rm).exists()


def test_the_pending_login_expires(bank, client, strict_role):
    totp = enrol(bank.north_rm)
    password_step(client)
    session = client.session
    session["_steward_login_pending"]["since"] -= 301
    session.save()

    response = code_step(client, next_code(totp))

    assert response["Location"] == "/login/"
    assert not signed_in(client)


def test_the_role_form_offers_the_requirement(bank, client):
    grant(bank.admin, "access.role:view", "access.role:change", scope="all")
    client.force_login(bank.admin)

    client.post(
        "/access/roles/add/",
        {"code": "vault", "name": "金库", "default_scope": "own", "is_active": "on", "require_second_factor": "on"},
    )

    assert Role.objects.get(code="vault").require_second_factor


def test_an_api_token_needs_the_code_too_when_login_does(bank, strict_role):
    totp = enrol(bank.north_rm)
    api = Client()

    without = api.post("/api/v1/auth/token/", {"username": "NRM", "password": TEST_PASSWORD})
    wrong = api.post("/api/v1/auth/token/", {"username": "NRM", "password": TEST_PASSWORD, "code": "000000"})
    right = api.post("/api/v1/auth/token/", {"username": "NRM", "password": TEST_PASSWORD, "code": next_code(totp)})
    plain = api.post("/api/v1/auth/token/", {"username": "NRM2", "password": TEST_PASSWORD})

    assert without.status_code == 400 and "code" in without.json()
    assert wrong.status_code == 400 and "token" not in wrong.json()
    assert AuditEntry.objects.filter(action="auth.login_failed", object_id="NRM").count() == 2
    assert "token" in right.json()
    assert "token" in plain.json()


def test_a_login_that_skipped_the_code_elsewhere_ends_at_the_next_request(bank, client, strict_role):
    """The Django admin has its own login form; a session it opens without the code does not last."""
    enrol(bank.north_rm)
    bank.north_rm.is_staff = True
    bank.north_rm.save()

    client.post("/django-admin/login/", {"username": "NRM", "password": TEST_PASSWORD, "next": "/django-admin/"})
    response = client.get("/django-admin/")
    login_page = client.get(response["Location"]).content.decode()

    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")
    assert "logs in with a one-time code" in login_page
    assert not signed_in(client)


def test_a_login_with_the_code_is_not_ended(bank, client, strict_role):
    totp = enrol(bank.north_rm)
    password_step(client)
    code_step(client, next_code(totp))

    assert signed_in(client)
    assert client.get("/org/orgs/").status_code == 200


def test_after_a_change_of_encryption_key_the_user_simply_enrols_again(bank, monkeypatch):

    enrol(bank.north_rm)
    # After an incident the old key is dropped from the key ring altogether.
    monkeypatch.setenv("STEWARD_PII_KEYS", "k9:" + "B" * 43 + "=")
    crypto.keyring.cache_clear()  # steward/conftest.py clears it again after the test

    refused = services.verify_code(bank.north_rm, "123456")
    SecondFactor.objects.filter(user=bank.north_rm).update(confirmed_at=None)
    enrolment = services.start_enrolment(bank.north_rm)

    assert refused is False
    assert secret_of(bank.north_rm) == enrolment.secret  # a fresh secret under the new key
