"""Supervision (SVC-08, SVC-02): a supervisor gives a work item to several subordinates with a
due date; each is notified and reports progress; the supervisor follows everyone's progress and
is notified; a supervisor gives guidance on a subordinate's plan, which the subordinate reads.
Nobody gives work or guidance to someone they do not supervise; an outsider sees nothing."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from steward.core.errors import DomainError
from steward.notices.models import Notification
from steward.org.hierarchy import SUPERVISE
from steward.testing import EmployeeFactory, grant
from steward.worklog.models import WorkAssignment, WorkEntry, WorkItem
from steward.worklog.permissions import ADD, ASSIGN, GUIDE, ITEM_VIEW, VIEW
from steward.worklog.services import assign_work, give_guidance, report_progress, save_entry

DUE = dt.date.today() + dt.timedelta(days=7)


@pytest.fixture
def team(bank):
    bank.lead = EmployeeFactory(employee_no="NTL", name="北方组长", org=bank.north_team)
    grant(bank.lead, SUPERVISE, VIEW, ADD, ITEM_VIEW, ASSIGN, GUIDE, scope="team", org=bank.north_team)
    for person in (bank.north_rm, bank.north_rm2, bank.south_rm):
        grant(person, VIEW, ADD, ITEM_VIEW, scope="own")
    return bank


def test_work_reaches_each_subordinate_and_progress_comes_back(team, client):
    """SVC-08 end to end through the pages: assign to two RMs, one reports 60 %, the lead sees it."""
    client.force_login(team.lead)
    response = client.post(
        "/schedule/work-items/add/",
        {
            "title": "到期客户回访",
            "details": "本周内完成",
            "due_on": DUE.isoformat(),
            "assignees": [team.north_rm.pk, team.north_rm2.pk],
        },
    )
    assert response.status_code == 302
    item = WorkItem.objects.get(title="到期客户回访")
    assert set(item.assignments.values_list("assignee_id", flat=True)) == {team.north_rm.pk, team.north_rm2.pk}
    assert set(Notification.objects.filter(kind="worklog.assigned").values_list("recipient_id", flat=True)) == {
        team.north_rm.pk,
        team.north_rm2.pk,
    }

    client.force_login(team.north_rm)
    page = client.get(item.get_absolute_url()).content.decode()
    assert 'data-testid="progress-form"' in page and "北方客户经理二" not in page  # only their own share
    wrong = client.post(item.get_absolute_url(), {"progress": "160", "text": "x"})
    assert "Ensure this value is less than or equal to 100." in wrong.content.decode()
    client.post(item.get_absolute_url(), {"progress": "60", "text": "已回访三位客户"})
    assert WorkAssignment.objects.get(item=item, assignee=team.north_rm).status == "in_progress"
    assert Notification.objects.filter(kind="worklog.feedback", recipient=team.lead).count() == 1

    client.force_login(team.lead)
    page = client.get(item.get_absolute_url()).content.decode()
    assert "已回访三位客户" in page and "60%" in page and "北方客户经理二" in page


def test_work_and_guidance_only_to_those_one_supervises(team):
    with pytest.raises(DomainError) as error:
        assign_work(team.lead, title="x", details="", due_on=DUE, assignee_ids=[team.south_rm.pk])
    assert error.value.field == "assignees"
    with pytest.raises(DomainError):
        assign_work(team.lead, title="x", details="", due_on=dt.date(2020, 1, 1), assignee_ids=[team.north_rm.pk])
    with pytest.raises(DomainError):
        give_guidance(team.lead, team.south_rm, text="加油")
    item = assign_work(team.lead, title="x", details="", due_on=DUE, assignee_ids=[team.north_rm.pk])
    share = item.assignments.get()
    with pytest.raises(DomainError):  # the lead cannot report for the RM
        report_progress(team.lead, share, progress=10, text="x")
    assert not WorkItem.objects.visible_to(team.south_rm, ITEM_VIEW).exists()
    assert not WorkItem.objects.visible_to(team.north_rm2, ITEM_VIEW).exists()


def test_guidance_on_a_plan_reaches_the_rm(team, client):
    """SVC-02: the lead opens the RM's plan, sends guidance; the RM is notified and reads it."""
    plan = save_entry(team.north_rm, WorkEntry(kind="plan", period="day", on=dt.date.today(), title="拜访客户"))
    client.force_login(team.lead)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert 'data-testid="give-guidance"' in page
    client.post(f"/schedule/{plan.pk}/guidance/", {"text": "先准备资产配置建议书"})
    assert Notification.objects.filter(kind="worklog.guidance", recipient=team.north_rm).count() == 1
    client.force_login(team.north_rm)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "先准备资产配置建议书" in page and 'data-testid="give-guidance"' not in page


def test_the_api_assigns_reports_and_guides(team):
    lead = APIClient()
    lead.force_authenticate(team.lead)
    created = lead.post(
        "/api/v1/work-items/",
        {"title": "产品培训", "due_on": DUE.isoformat(), "assignees": [team.north_rm.pk]},
        format="json",
    )
    assert created.status_code == 201, created.content
    refused = lead.post(
        "/api/v1/work-items/", {"title": "x", "due_on": DUE.isoformat(), "assignees": [team.south_rm.pk]}, format="json"
    )
    assert refused.status_code == 400 and "assignees" in refused.json()
    rm = APIClient()
    rm.force_authenticate(team.north_rm)
    item_id = created.json()["id"]
    answer = rm.post(f"/api/v1/work-items/{item_id}/progress/", {"progress": 100, "text": "完成"}, format="json")
    assert answer.json()["assignments"][0]["status"] == "done"
    assert (
        rm.post("/api/v1/work-items/", {"title": "x", "due_on": DUE.isoformat(), "assignees": [1]}).status_code == 403
    )
    guided = lead.post("/api/v1/guidance/", {"employee": team.north_rm.pk, "text": "做得好"}, format="json")
    assert guided.status_code == 201
    assert [g["text"] for g in rm.get("/api/v1/guidance/").json()["results"]] == ["做得好"]
    outsider = APIClient()
    outsider.force_authenticate(team.south_rm)
    assert outsider.get("/api/v1/work-items/").json()["count"] == 0
    assert outsider.get(f"/api/v1/work-items/{item_id}/").status_code == 404
    assert outsider.get("/api/v1/guidance/").json()["count"] == 0
