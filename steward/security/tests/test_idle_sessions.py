"""Issue 3, point 6: a session ends after the configured minutes without activity (system parameter)."""

import datetime as dt

from django.utils import timezone

from steward.audit.models import AuditEntry
from steward.basedata.services import set_parameter
from steward.security.middleware import LAST_ACTIVITY_KEY
from steward.testing import TEST_PASSWORD, grant


def idle_for(client, minutes):
    """Pretend the last request of this session was `minutes` ago."""
    session = client.session
    session[LAST_ACTIVITY_KEY] = (timezone.now() - dt.timedelta(minutes=minutes)).timestamp()
    session.save()


def test_a_session_idle_longer_than_the_limit_ends_and_the_login_page_says_why(bank, client):
    client.force_login(bank.north_rm)
    client.get("/")
    idle_for(client, 31)  # the default limit is 30 minutes

    response = client.get("/org/employees/?q=N")
    login_page = client.get(response["Location"]).content.decode()

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=%2Forg%2Femployees%2F%3Fq%3DN"
    assert "You were signed out after 30 minutes without activity" in login_page
    assert client.get("/").status_code == 302  # really signed out
    assert AuditEntry.objects.filter(action="auth.logout", actor_id=bank.north_rm.pk).exists()


def test_activity_within_the_limit_keeps_the_session(bank, client):
    client.force_login(bank.north_rm)
    idle_for(client, 29)

    assert client.get("/").status_code == 200
    idle_for(client, 29)
    assert client.get("/").status_code == 200


def test_the_limit_is_the_system_parameter(bank, client, django_capture_on_commit_callbacks):
    grant(bank.admin, "basedata.parameter:change")
    with django_capture_on_commit_callbacks(execute=True):
        set_parameter(bank.admin, "security.session_idle_minutes", "60")
    client.force_login(bank.north_rm)

    idle_for(client, 45)
    kept = client.get("/").status_code
    idle_for(client, 61)
    ended = client.get("/")

    assert kept == 200
    assert ended.status_code == 302 and ended["Location"].startswith("/login/")


def test_an_htmx_request_is_sent_to_the_login_page_as_a_whole(bank, client):
    client.force_login(bank.north_rm)
    idle_for(client, 31)

    response = client.get("/org/employees/", HTTP_HX_REQUEST="true")

    assert response["HX-Redirect"].startswith("/login/")


def test_an_api_call_on_an_idle_session_is_refused(bank, client):
    client.force_login(bank.north_rm)
    idle_for(client, 31)

    response = client.get("/api/v1/my-notices/")

    assert response.status_code == 401
    assert "without activity" in response.json()["detail"]


def test_logging_in_again_starts_a_fresh_idle_period(bank, client):
    client.force_login(bank.north_rm)
    idle_for(client, 31)
    client.get("/")

    client.post("/login/", {"username": "NRM", "password": TEST_PASSWORD})

    assert client.get("/").status_code == 200
