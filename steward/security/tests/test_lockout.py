"""Issue 3, point 6: repeated failed logins lock the account and the client address, with a clear message."""

import datetime as dt

import pytest
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.test import Client

from steward.audit.models import AuditEntry
from steward.testing import TEST_PASSWORD

LOCKED = "Too many failed logins"


@pytest.fixture(autouse=True)
def _limits(settings):
    # The shipped defaults (5 failures, 15 minutes) written out, so the tests say what they rely on.
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)


def attempt(employee_no, password, ip="192.0.2.10"):
    return Client().post("/login/", {"username": employee_no, "password": password}, REMOTE_ADDR=ip)


def logged_in(response):
    return response.status_code == 302 and response["Location"] == "/"


def test_five_wrong_passwords_lock_the_account_even_from_another_computer(bank):
    for i in range(4):
        wrong = attempt("NRM", "wrong-password", ip=f"192.0.2.{i + 1}")
        assert wrong.status_code == 200 and LOCKED not in wrong.content.decode()
    fifth = attempt("NRM", "wrong-password", ip="192.0.2.5")

    right_password_elsewhere = attempt("NRM", TEST_PASSWORD, ip="198.51.100.7")
    someone_else = attempt("NRM2", TEST_PASSWORD, ip="198.51.100.7")

    assert fifth.status_code == 429
    assert right_password_elsewhere.status_code == 429
    page = right_password_elsewhere.content.decode()
    assert 'data-testid="login-locked"' in page and "locked for 15 minutes" in page
    assert 'name="username"' in page  # the login page itself, not a bare error page
    assert logged_in(someone_else)


def test_five_failures_from_one_address_lock_that_address_for_every_account(bank):
    for number in ("NRM", "NRM2", "SRM", "NBM", "NOBODY"):
        attempt(number, "wrong-password", ip="203.0.113.9")

    same_address = attempt("ADM", TEST_PASSWORD, ip="203.0.113.9")
    other_address = attempt("ADM", TEST_PASSWORD, ip="203.0.113.10")

    assert same_address.status_code == 429 and LOCKED in same_address.content.decode()
    assert logged_in(other_address)


def test_the_lockout_message_is_translated(bank):
    for _ in range(5):
        attempt("NRM", "wrong-password")

    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").post(
        "/login/", {"username": "NRM", "password": TEST_PASSWORD}, REMOTE_ADDR="192.0.2.10"
    )

    assert chinese.status_code == 429
    assert 'data-testid="login-locked"' in chinese.content.decode()
    assert '<html lang="zh-hans">' in chinese.content.decode()


def test_the_lock_lifts_after_the_cool_off_period(bank):
    for _ in range(5):
        attempt("NRM", "wrong-password")
    assert attempt("NRM", TEST_PASSWORD).status_code == 429

    # Sixteen minutes later (the attempts are dated back; the check compares with "now").
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))

    assert logged_in(attempt("NRM", TEST_PASSWORD))


def test_an_administrator_can_unlock_an_account_before_the_cool_off_ends(bank):
    for _ in range(5):
        attempt("NRM", "wrong-password", ip="192.0.2.77")

    AxesProxyHandler.reset_attempts(username="NRM")

    assert logged_in(attempt("NRM", TEST_PASSWORD, ip="192.0.2.78"))


def test_failed_logins_stay_audited_and_a_locked_login_is_no_login(bank):
    for _ in range(6):
        attempt("NRM", "wrong-password")

    failures = AuditEntry.objects.filter(action="auth.login_failed", object_id="NRM")

    assert failures.count() == 6
    assert not AuditEntry.objects.filter(action="auth.login").exists()
    assert all("wrong-password" not in str(entry.changes) + entry.message for entry in failures)


def test_the_api_token_endpoint_is_locked_too(bank):
    api = Client()
    for _ in range(5):
        api.post("/api/v1/auth/token/", {"username": "NRM", "password": "wrong-password"})

    locked = api.post("/api/v1/auth/token/", {"username": "NRM", "password": TEST_PASSWORD})
    other = Client().post(
        "/api/v1/auth/token/", {"username": "NRM2", "password": TEST_PASSWORD}, REMOTE_ADDR="192.0.2.99"
    )

    assert locked.status_code == 400 and "token" not in locked.json()
    assert "token" in other.json()
