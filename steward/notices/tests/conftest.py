import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from steward.notices import services
from steward.testing import grant

ADMIN_PERMISSIONS = ("notices.notice:view", "notices.notice:add", "notices.notice:change", "notices.notice:delete")


@pytest.fixture
def now():
    """The pages read the real clock, so notices are dated around it; services get it explicitly."""
    return timezone.now()


@pytest.fixture
def notice_admin(bank):
    """The head office's bank-wide notice administrator."""
    grant(bank.admin, *ADMIN_PERMISSIONS, scope="all", org=bank.head)
    return bank.admin


@pytest.fixture
def publish(notice_admin, now):
    """Write and publish a notice as the bank-wide administrator (started an hour ago, for a week)."""

    def publish(title="System upgrade tonight", body="The CRM is down from 22:00 to 23:00.", **fields):
        fields.setdefault("valid_from", now - dt.timedelta(hours=1))
        fields.setdefault("valid_until", now + dt.timedelta(days=7))
        notice = services.save_notice(notice_admin, None, title=title, body=body, now=now, **fields)
        # A notice that has already ended in the test was published back when it was running.
        return services.publish_notice(notice_admin, notice, min(now, fields["valid_from"]))

    return publish


def api_for(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def list_table(response) -> str:
    """The list's table only (the banner in the top bar repeats current titles on every page)."""
    html = response.content.decode()
    return html[html.index('id="list-table"') :]
