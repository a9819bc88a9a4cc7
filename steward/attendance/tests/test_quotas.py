"""TASK-06: quotas by level and tier, kept by head office marketing and the branch managers for
the orgs of their scope."""

import datetime as dt

import pytest

from steward.attendance import services
from steward.attendance.models import Quota
from steward.attendance.tests.factories import QuotaFactory
from steward.core.errors import DomainError


def test_a_branch_manager_adds_and_changes_a_quota_on_the_page(bank, staff, client):
    """TASK-06: the form offers the measures, levels and tiers; the quota is listed; editing
    changes it."""
    client.force_login(bank.north_manager)
    form = client.get("/attendance/quotas/add/").content.decode()
    assert "New intent leads" in form and "Valid calls" in form and "Every level" in form
    response = client.post(
        "/attendance/quotas/add/",
        {
            "measure": "new_intent_leads",
            "org": bank.north.pk,
            "level": "L2",
            "tier": "",
            "daily_target": 3,
            "active_from": "2026-12-01",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    quota = Quota.objects.get()
    assert (quota.measure, quota.org, quota.level, quota.tier, quota.daily_target) == (
        "new_intent_leads",
        bank.north,
        "L2",
        "",
        3,
    )
    listing = client.get("/attendance/quotas/").content.decode()
    assert "New intent leads" in listing and "北方分行" in listing and "RM" in listing
    assert f'href="/attendance/quotas/{quota.pk}/"' in listing
    client.post(
        f"/attendance/quotas/{quota.pk}/",
        {
            "measure": "new_intent_leads",
            "org": bank.north.pk,
            "level": "L2",
            "tier": "",
            "daily_target": 4,
            "active_from": "2026-12-01",
        },
    )
    quota.refresh_from_db()
    assert quota.daily_target == 4


def test_an_overlapping_quota_is_refused_on_its_field(bank, staff, client):
    """TASK-06: a second quota for the same measure, org, level and tier in an overlapping period
    is refused; one that starts after the first ends is accepted."""
    QuotaFactory(org=bank.north, active_from=dt.date(2026, 1, 1), active_to=dt.date(2026, 6, 30))
    client.force_login(bank.north_manager)
    data = {
        "measure": "valid_calls",
        "org": bank.north.pk,
        "level": "",
        "tier": "",
        "daily_target": 3,
        "active_from": "2026-06-01",
    }
    response = client.post("/attendance/quotas/add/", data)
    assert response.status_code == 200 and "already has a quota of this measure" in response.content.decode()
    assert Quota.objects.count() == 1
    assert client.post("/attendance/quotas/add/", {**data, "active_from": "2026-07-01"}).status_code == 302
    assert Quota.objects.count() == 2


def test_a_quota_outside_the_scope_is_neither_seen_nor_set(bank, staff, client):
    """TASK-06 / PLT-04: the south manager neither sees the north's quota nor sets one for it."""
    north = QuotaFactory(org=bank.north)
    client.force_login(staff.south_manager)
    assert "North" not in client.get("/attendance/quotas/").content.decode()
    assert "北方分行" not in client.get("/attendance/quotas/").content.decode()
    assert client.get(f"/attendance/quotas/{north.pk}/").status_code == 404
    with pytest.raises(DomainError) as refused:
        services.save_quota(
            staff.south_manager,
            Quota(measure="valid_calls", org=bank.north, daily_target=1, active_from=dt.date(2026, 1, 1)),
        )
    assert refused.value.field == "org"


@pytest.mark.parametrize(
    ("change", "field"),
    [({"measure": "nope"}, "measure"), ({"level": "L99"}, "level"), ({"active_to": dt.date(2025, 1, 1)}, "active_to")],
)
def test_a_bad_quota_names_its_field(bank, staff, change, field):
    """TASK-06: an unknown measure or level, or a period ending before it starts, is refused."""
    values = {
        "measure": "valid_calls",
        "org": bank.north,
        "daily_target": 1,
        "active_from": dt.date(2026, 1, 1),
        **change,
    }
    with pytest.raises(DomainError) as refused:
        services.save_quota(bank.north_manager, Quota(**values))
    assert refused.value.field == field


def test_a_team_lead_reads_quotas_but_has_no_add_button(bank, staff, client):
    """TASK-06: reading is not changing: no Add button, the form is refused."""
    QuotaFactory(org=bank.head)
    client.force_login(staff.team_lead)
    assert client.get("/attendance/quotas/").status_code == 200
    assert "/attendance/quotas/add/" not in client.get("/attendance/quotas/").content.decode()
    assert client.get("/attendance/quotas/add/").status_code == 403


def test_a_team_lead_reads_the_quotas_set_above_the_team(bank, staff, client):
    """TASK-06: head office's quota applies to the team, so its lead reads it; the south
    branch's quota does not apply and stays unseen."""
    head_office = QuotaFactory(org=bank.head, measure="contacts")
    QuotaFactory(org=bank.south, measure="new_intent_leads")
    client.force_login(staff.team_lead)
    listing = client.get("/attendance/quotas/").content.decode()
    assert "总行" in listing and "南方分行" not in listing and "1 record" in listing
    client.force_login(bank.north_manager)
    listing = client.get("/attendance/quotas/").content.decode()
    assert "总行" in listing and f'href="/attendance/quotas/{head_office.pk}/"' not in listing
    assert client.get(f"/attendance/quotas/{head_office.pk}/").status_code == 404
