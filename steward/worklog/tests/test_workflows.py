"""Standard RM workflows (SVC-11): a template of steps due in business days, started on one or
many customers, steps ticked off, progress and overdue steps monitored; the runs follow the
customer's data scope."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from steward.basedata.models import CalendarDay
from steward.core.errors import DomainError
from steward.customers.tests.factories import CustomerFactory
from steward.testing import grant
from steward.worklog.models import WorkflowRun, WorkflowStep, WorkflowTemplate
from steward.worklog.permissions import WORKFLOW_MANAGE, WORKFLOW_START, WORKFLOW_VIEW
from steward.worklog.services import complete_step, parse_steps, save_template, start_workflow

MONDAY = dt.datetime(2026, 9, 28, 9, 0, tzinfo=dt.UTC)  # the week before National Day


@pytest.fixture
def setup(bank):
    grant(bank.admin, WORKFLOW_MANAGE, scope="all")
    for rm in (bank.north_rm, bank.south_rm):
        grant(rm, WORKFLOW_VIEW, WORKFLOW_START, scope="own")
    grant(bank.north_manager, WORKFLOW_VIEW, scope="subtree")
    bank.customers = [CustomerFactory(org=bank.north_team, owner=bank.north_rm) for _ in range(3)]
    bank.template = save_template(
        bank.admin, WorkflowTemplate(name="新晋重点客户", name_en="New key customer"), "电话联系 | 3\n上门拜访 | 14"
    )
    return bank


def test_steps_fall_due_in_business_days_and_progress_is_monitored(setup, client):
    """Due dates skip weekends and the National Day holidays; a run completes with its last step;
    the list shows steps done and overdue."""
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=dt.date(2026, 10, d), kind="holiday") for d in range(1, 8)]
        + [CalendarDay(date=dt.date(2026, 10, 10), kind="workday")]
    )
    started = start_workflow(setup.north_rm, setup.template, [c.pk for c in setup.customers], now=MONDAY)
    assert started == 3
    assert start_workflow(setup.north_rm, setup.template, [setup.customers[0].pk], now=MONDAY) == 0  # running
    run = WorkflowRun.objects.get(customer=setup.customers[0])
    call, visit = run.steps.order_by("order")
    assert call.due_on == dt.date(2026, 10, 8)  # 3 business days from Monday 28 Sep: 29, 30 Sep, 8 Oct
    assert visit.due_on == dt.date(2026, 10, 22)  # … 9, 10 (a worked Saturday), 12–16, 19–22 Oct

    client.force_login(setup.north_rm)
    client.post(run.get_absolute_url(), {"step": call.pk, "note": "已电话联系"})
    client.post(run.get_absolute_url(), {"step": visit.pk})
    run.refresh_from_db()
    assert run.status == "done"
    page = client.get("/schedule/workflows/").content.decode()
    assert "2 / 2" in page and "0 / 2" in page

    client.force_login(setup.north_manager)  # follows the team's runs, read-only
    assert client.get("/schedule/workflows/", {"overdue": "true"}).status_code == 200
    other = WorkflowRun.objects.exclude(pk=run.pk).first()
    detail = client.get(other.get_absolute_url()).content.decode()
    assert "上门拜访" in detail and 'data-testid="complete-step"' not in detail


def test_overdue_steps_are_counted(setup, client):
    start_workflow(setup.north_rm, setup.template, [setup.customers[0].pk], now=MONDAY - dt.timedelta(days=60))
    client.force_login(setup.north_rm)
    overdue = client.get("/schedule/workflows/", {"overdue": "true"}).content.decode()
    assert setup.customers[0].cif in overdue
    assert WorkflowStep.objects.filter(due_on__lt=dt.date.today(), done_at__isnull=True).count() == 2


def test_wrong_template_lines_and_foreign_customers_are_refused(setup):
    with pytest.raises(DomainError) as error:
        parse_steps("电话联系 | 3\n上门拜访 | soon")
    assert "Line 2: the business days are a whole number from 0 to 250." in error.value.message
    with pytest.raises(DomainError):
        parse_steps("\n\n")
    south_customer = CustomerFactory(org=setup.south_team, owner=setup.south_rm)
    with pytest.raises(DomainError):
        start_workflow(setup.north_rm, setup.template, [south_customer.pk])
    start_workflow(setup.south_rm, setup.template, [south_customer.pk])
    step = WorkflowStep.objects.filter(run__customer=south_customer).first()
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        complete_step(setup.north_rm, step)


def test_the_start_page_takes_customer_numbers_and_names_the_unknown(setup, client):
    client.force_login(setup.north_rm)
    page = client.get("/schedule/workflows/start/", {"customer": setup.customers[1].pk}).content.decode()
    assert setup.customers[1].cif in page
    response = client.post(
        "/schedule/workflows/start/",
        {"template": setup.template.pk, "customers": f"{setup.customers[1].cif}, NOPE-1"},
    )
    assert "No customer you may serve has the number NOPE-1." in response.content.decode()
    response = client.post(
        "/schedule/workflows/start/",
        {"template": setup.template.pk, "customers": f"{setup.customers[1].cif}\n{setup.customers[2].cif}"},
    )
    assert response.status_code == 302
    assert WorkflowRun.objects.filter(customer__in=setup.customers[1:]).count() == 2


def test_the_api_starts_completes_and_keeps_to_the_scope(setup):
    rm = APIClient()
    rm.force_authenticate(setup.north_rm)
    assert [t["name"] for t in rm.get("/api/v1/workflow-templates/").json()["results"]] == ["新晋重点客户"]
    started = rm.post(
        "/api/v1/workflow-runs/", {"template": setup.template.pk, "customers": [setup.customers[0].pk]}, format="json"
    )
    assert started.json() == {"started": 1}
    run = rm.get("/api/v1/workflow-runs/").json()["results"][0]
    answer = rm.post(f"/api/v1/workflow-runs/{run['id']}/complete-step/", {"step": run["steps"][0]["id"]})
    assert answer.json()["steps"][0]["done_at"] is not None
    outsider = APIClient()
    outsider.force_authenticate(setup.south_rm)
    assert outsider.get("/api/v1/workflow-runs/").json()["count"] == 0
    assert outsider.get(f"/api/v1/workflow-runs/{run['id']}/").status_code == 404
    refused = outsider.post(
        "/api/v1/workflow-runs/", {"template": setup.template.pk, "customers": [setup.customers[0].pk]}, format="json"
    )
    assert refused.status_code == 400
