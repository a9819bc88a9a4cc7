"""The Django admin of intake days: read-only, to holders of the intake view permission."""

import datetime

import pytest

from steward.holdings.models import IntakeDay
from steward.testing import grant

pytestmark = pytest.mark.django_db


def test_intake_days_are_read_only_in_the_admin(bank, client):
    """DAT-01: an operator sees each day's figures state and what it waits for; nobody edits it there."""
    operator = bank.north_manager
    operator.is_staff = True
    operator.save(update_fields=["is_staff"])
    day = IntakeDay.objects.create(
        data_date=datetime.date(2026, 3, 2), state=IntakeDay.State.WAITING, waiting_for="core: accounts (held)"
    )
    client.force_login(operator)
    assert client.get("/django-admin/holdings/intakeday/").status_code == 403

    grant(operator, "holdings.intake:view", scope="all")
    listing = client.get("/django-admin/holdings/intakeday/")
    assert listing.status_code == 200 and "core: accounts (held)" in listing.content.decode()
    detail = client.get(f"/django-admin/holdings/intakeday/{day.pk}/change/")
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert client.get("/django-admin/holdings/intakeday/add/").status_code == 403
    assert client.post(f"/django-admin/holdings/intakeday/{day.pk}/delete/").status_code == 403
