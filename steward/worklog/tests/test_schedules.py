"""Work plans and the journal (SVC-06) and schedules (SVC-13, 行事历): a person sees their own
schedule and those of their direct superior and direct subordinates — not a peer's, not their
superior's superior's; a leader reads a subordinate's schedule read-only; only the author
writes. Line management comes from steward/org/hierarchy.py (the nearest supervisor up the tree)."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from steward.org.hierarchy import SUPERVISE, direct_subordinate_ids, direct_superior_ids
from steward.testing import EmployeeFactory, grant
from steward.worklog.models import WorkEntry
from steward.worklog.permissions import ADD, VIEW
from steward.worklog.services import save_entry

TODAY = dt.date(2026, 12, 7)  # a Monday
NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def line(bank):
    """north_rm and north_rm2 (peers) under a team lead, under the branch manager."""
    bank.lead = EmployeeFactory(employee_no="NTL", name="北方组长", org=bank.north_team)
    grant(bank.lead, SUPERVISE, VIEW, ADD, scope="team", org=bank.north_team)
    grant(bank.north_manager, SUPERVISE, VIEW, ADD, scope="subtree", org=bank.north)
    for person in (bank.north_rm, bank.north_rm2, bank.south_rm):
        grant(person, VIEW, ADD, scope="own")
    return bank


def entry(owner, title, **fields):
    values = {"kind": "plan", "period": "day", "on": TODAY, "title": title, **fields}
    return save_entry(owner, WorkEntry(**values), now=NOW)


def test_the_nearest_supervisor_is_the_direct_superior(line):
    """The team lead is the RMs' direct superior; the branch manager is the lead's, not the RMs'."""
    assert direct_superior_ids(line.north_rm) == {line.lead.pk}
    assert direct_superior_ids(line.lead) == {line.north_manager.pk}
    assert direct_subordinate_ids(line.lead) == {line.north_rm.pk, line.north_rm2.pk}
    assert direct_subordinate_ids(line.north_manager) == {line.lead.pk}
    assert direct_subordinate_ids(line.north_rm) == set()


def test_the_superior_sees_a_schedule_a_peer_does_not(line, client):
    """SVC-13: the lead and the RM see the RM's plan; the RM's peer and the branch manager
    (the superior's superior) do not; the RM sees the lead's week plan."""
    plan = entry(line.north_rm, "回访到期客户")
    week = entry(line.lead, "本周团队目标", period="week", on=TODAY + dt.timedelta(days=3))
    assert week.on == TODAY  # a week is kept as its Monday

    def titles(user):
        return set(WorkEntry.objects.visible_to(user, VIEW).values_list("title", flat=True))

    assert titles(line.lead) == {"回访到期客户", "本周团队目标"}
    assert titles(line.north_rm) == {"回访到期客户", "本周团队目标"}
    assert titles(line.north_rm2) == {"本周团队目标"}
    assert titles(line.north_manager) == {"本周团队目标"}
    assert titles(line.south_rm) == set()

    client.force_login(line.north_rm2)
    assert client.get(plan.get_absolute_url()).status_code == 404
    page = client.get("/schedule/").content.decode()
    assert "本周团队目标" in page and "回访到期客户" not in page


def test_a_leader_reads_a_subordinates_schedule_read_only(line, client):
    plan = entry(line.north_rm, "回访到期客户", details="三位客户")
    client.force_login(line.lead)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "三位客户" in page and 'data-testid="edit-entry"' not in page
    assert client.get(f"/schedule/{plan.pk}/edit/").status_code == 403
    assert client.post(f"/schedule/{plan.pk}/delete/").status_code in (302, 403)
    assert WorkEntry.objects.filter(pk=plan.pk).exists()
    people = client.get("/schedule/").content.decode()
    assert "北方客户经理" in people and "direct subordinate" in people
    filtered = client.get("/schedule/", {"owner": line.north_rm.pk}).content.decode()
    assert "回访到期客户" in filtered


def test_the_author_writes_plans_and_journal_with_clear_errors(line, client):
    """SVC-06: daily and weekly plans and a journal; a journal cannot be dated in the future."""
    client.force_login(line.north_rm)
    response = client.post(
        "/schedule/add/",
        {"kind": "journal", "period": "day", "on": "2099-01-01", "title": "拜访客户", "details": ""},
    )
    assert "The date must lie within a year of today." in response.content.decode()
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    response = client.post("/schedule/add/", {"kind": "journal", "period": "day", "on": tomorrow, "title": "拜访客户"})
    assert "A journal records work done: its date cannot be in the future." in response.content.decode()
    assert 'value="拜访客户"' in response.content.decode()  # what was typed is kept
    response = client.post("/schedule/add/", {"kind": "plan", "period": "week", "on": tomorrow, "title": "本周计划"})
    assert response.status_code == 302
    saved = WorkEntry.objects.get(title="本周计划")
    assert saved.owner == line.north_rm and saved.on.weekday() == 0


def test_the_api_follows_the_line_and_only_the_author_writes(line):
    plan = entry(line.north_rm, "回访到期客户")
    lead = APIClient()
    lead.force_authenticate(line.lead)
    assert [row["title"] for row in lead.get("/api/v1/work-entries/").json()["results"]] == ["回访到期客户"]
    refused = lead.patch(f"/api/v1/work-entries/{plan.pk}/", {"title": "改"}, format="json")
    assert refused.status_code == 400
    assert lead.delete(f"/api/v1/work-entries/{plan.pk}/").status_code == 400
    peer = APIClient()
    peer.force_authenticate(line.north_rm2)
    assert peer.get(f"/api/v1/work-entries/{plan.pk}/").status_code == 404
    outsider = APIClient()
    outsider.force_authenticate(line.south_rm)
    assert outsider.get("/api/v1/work-entries/").json()["count"] == 0
    author = APIClient()
    author.force_authenticate(line.north_rm)
    created = author.post(
        "/api/v1/work-entries/", {"kind": "journal", "period": "day", "on": str(dt.date.today()), "title": "记录"}
    )
    assert created.status_code == 201 and created.json()["owner"] == line.north_rm.pk
    assert author.delete(f"/api/v1/work-entries/{plan.pk}/").status_code == 204


def test_without_the_permission_nothing_is_seen(line, client):
    """PLT-03: an employee without worklog.entry:view gets 403 on the page and the API."""
    client.force_login(line.admin)
    assert client.get("/schedule/").status_code == 403
    api = APIClient()
    api.force_authenticate(line.admin)
    assert api.get("/api/v1/work-entries/").status_code == 403
