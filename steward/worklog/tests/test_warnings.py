"""SVC-06: work warnings — one page with my overdue contact plans, key customers not contacted
within their frequency, reminders left open past their date, work plans, work items and workflow
steps past their dates, counted per kind, each row linking to where it is acted on. A supervisor
sees the same for the employees they supervise, by RM, read-only; a peer sees none of another
peer's warnings; someone outside the scope sees nothing. The page costs a fixed number of queries
whatever the size of the book."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from steward.contactplans.models import ContactPlan
from steward.contactplans.permissions import KEY_VIEW
from steward.contactplans.permissions import VIEW as PLAN_VIEW
from steward.customers.models import CustomerFigures, LastContact
from steward.customers.tests.factories import CustomerFactory
from steward.holdings.models import Reminder
from steward.holdings.reminders import VIEW as REMINDER_VIEW
from steward.org.hierarchy import SUPERVISE
from steward.testing import EmployeeFactory, grant
from steward.worklog.models import (
    WorkAssignment,
    WorkEntry,
    WorkflowRun,
    WorkflowStep,
    WorkflowTemplate,
    WorkItem,
)
from steward.worklog.permissions import ITEM_VIEW, VIEW, WORKFLOW_VIEW
from steward.worklog.warnings import (
    CONTACT_PLANS,
    KEY_CUSTOMERS,
    KINDS,
    REMINDERS,
    WORK_ITEMS,
    WORK_PLANS,
    WORKFLOW_STEPS,
    work_warning_counts,
)

TODAY = timezone.localdate()
PERMISSIONS = (VIEW, ITEM_VIEW, WORKFLOW_VIEW, PLAN_VIEW, KEY_VIEW, REMINDER_VIEW, "customers.customer:view")


@pytest.fixture
def team(bank):
    bank.lead = EmployeeFactory(employee_no="NTL", name="北方组长", org=bank.north_team)
    grant(bank.lead, SUPERVISE, *PERMISSIONS, scope="team", org=bank.north_team)
    for person in (bank.north_rm, bank.north_rm2, bank.south_rm):
        grant(person, *PERMISSIONS, scope="own")
    bank.template = WorkflowTemplate.objects.create(name="新重点客户", name_en="New key customer")
    return bank


def slipped(bank, rm, n=1, prefix="C"):
    """`n` customers of `rm`, each with one warning of every kind; answers the customers."""
    now = timezone.now()
    customers = []
    for i in range(n):
        customer = CustomerFactory(org=rm.org, owner=rm, name=f"客户{prefix}{i}", cif=f"{prefix}{rm.pk}-{i}")
        CustomerFigures.objects.filter(customer=customer).update(aum=1_000_000 - i)
        customers.append(customer)
        ContactPlan.objects.create(
            customer=customer, owner=rm, planned_at=now - dt.timedelta(days=2), channel="call", purpose=f"回访{i}"
        )
        Reminder.objects.create(
            kind=Reminder.Kind.BIRTHDAY,
            customer=customer,
            owner=rm,
            due_on=TODAY - dt.timedelta(days=10),
            data_date=TODAY - dt.timedelta(days=10),
        )
        run = WorkflowRun.objects.create(template=bank.template, customer=customer, owner=rm, started_on=TODAY)
        WorkflowStep.objects.create(run=run, order=1, title="三日内致电", due_on=TODAY - dt.timedelta(days=1))
    WorkEntry.objects.create(owner=rm, kind=WorkEntry.Kind.PLAN, on=TODAY - dt.timedelta(days=1), title="拜访计划")
    item = WorkItem.objects.create(created_by=bank.lead, title="到期回访", due_on=TODAY - dt.timedelta(days=1))
    WorkAssignment.objects.create(item=item, assignee=rm)
    return customers


def test_my_warnings_are_counted_per_kind_and_link_to_where_they_are_acted_on(team, client):
    """SVC-06: every kind of warning, counted, each row with a link to its page."""
    [customer] = slipped(team, team.north_rm)
    counts = work_warning_counts(team.north_rm)
    # One customer: it is the top of the book, a key customer, never contacted.
    assert counts == dict.fromkeys(KINDS, 1)

    client.force_login(team.north_rm)
    response = client.get("/schedule/warnings/")
    assert response.status_code == 200
    page = response.content.decode()
    sections = {section.kind: section for section in response.context["sections"]}
    assert {kind: section.count for kind, section in sections.items()} == counts
    assert sections[CONTACT_PLANS].rows[0].url == ContactPlan.objects.get().get_absolute_url()
    assert sections[KEY_CUSTOMERS].rows[0].url == customer.get_absolute_url()
    assert sections[REMINDERS].rows[0].url == Reminder.objects.get().get_absolute_url()
    assert sections[WORK_PLANS].rows[0].url == WorkEntry.objects.get().get_absolute_url()
    assert sections[WORK_ITEMS].rows[0].url == WorkItem.objects.get().get_absolute_url()
    assert sections[WORKFLOW_STEPS].rows[0].url == WorkflowRun.objects.get().get_absolute_url()
    assert 'data-testid="count-reminders"' in page and "三日内致电" in page
    assert 'data-menu="work_warnings"' in client.get("/").content.decode()
    assert 'data-testid="team-warnings"' not in page  # an RM supervises nobody


def test_what_is_handled_or_not_yet_late_is_no_warning(team):
    """SVC-06: done plans, a recent reminder, a contacted key customer, finished steps and items
    raise nothing; a reminder snoozed to a later day is not "left open"."""
    [customer] = slipped(team, team.north_rm)
    ContactPlan.objects.update(status=ContactPlan.Status.DONE)
    Reminder.objects.update(state=Reminder.State.SNOOZED, snoozed_until=TODAY + dt.timedelta(days=2))
    Reminder.objects.create(
        kind=Reminder.Kind.MATURITY, customer=customer, owner=team.north_rm, due_on=TODAY, data_date=TODAY
    )
    LastContact.objects.update_or_create(customer=customer, defaults={"at": timezone.now()})
    WorkflowStep.objects.update(done_at=timezone.now())
    WorkEntry.objects.update(is_done=True)
    WorkAssignment.objects.update(status=WorkAssignment.Status.DONE)
    assert work_warning_counts(team.north_rm) == dict.fromkeys(KINDS, 0)


def test_a_supervisor_sees_the_team_by_rm_and_opens_one_read_only(team, client):
    """SVC-06: the lead counts the warnings of each RM they supervise and reads one RM's list."""
    slipped(team, team.north_rm, 2)
    slipped(team, team.north_rm2, 1, prefix="D")
    client.force_login(team.lead)
    response = client.get("/schedule/warnings/")
    page = response.content.decode()
    rows = {row["employee"].employee_no: row for row in response.context["team"]}
    assert set(rows) == {"NRM", "NRM2"}  # not the south RM, not the lead themselves
    kinds = [kind for kind, _label in response.context["team_kinds"]]
    # Two customers: two plans, reminders and steps; one key customer (the top 20 % of the book).
    assert dict(zip(kinds, rows["NRM"]["counts"], strict=True)) == {
        CONTACT_PLANS: 2,
        KEY_CUSTOMERS: 1,
        REMINDERS: 2,
        WORK_PLANS: 1,
        WORK_ITEMS: 1,
        WORKFLOW_STEPS: 2,
    }
    assert rows["NRM"]["total"] == 9 and rows["NRM2"]["total"] == 6
    assert 'data-testid="team-row-NRM2"' in page

    one = client.get("/schedule/warnings/", {"rm": team.north_rm2.pk})
    assert one.status_code == 200 and 'data-testid="read-only"' in one.content.decode()
    assert {s.kind: s.count for s in one.context["sections"]} == dict.fromkeys(KINDS, 1)
    assert "客户D0" in one.content.decode()
    assert client.get("/schedule/warnings/", {"rm": team.south_rm.pk}).status_code == 404
    assert client.get("/schedule/warnings/", {"rm": "x1"}).status_code == 404


def test_a_peer_does_not_see_another_peers_warnings(team, client):
    """SVC-06: north_rm2 sees only their own warnings, never north_rm's."""
    slipped(team, team.north_rm)
    client.force_login(team.north_rm2)
    response = client.get("/schedule/warnings/")
    assert {s.kind: s.count for s in response.context["sections"]} == dict.fromkeys(KINDS, 0)
    assert "客户C0" not in response.content.decode()
    assert client.get("/schedule/warnings/", {"rm": team.north_rm.pk}).status_code == 404


def test_a_user_outside_the_scope_sees_nothing(team, client):
    """SVC-06: without the permission the page is refused; with the page but no data scope, no rows."""
    slipped(team, team.north_rm)
    outsider = EmployeeFactory(employee_no="OUT", name="局外人", org=team.south_team)
    client.force_login(outsider)
    assert client.get("/schedule/warnings/").status_code == 403
    assert work_warning_counts(outsider) == {}
    grant(outsider, VIEW, scope="own")
    response = client.get("/schedule/warnings/")
    assert response.status_code == 200
    assert [s.count for s in response.context["sections"]] == [0]  # only work plans: none of theirs
    assert client.get("/schedule/warnings/", {"rm": team.north_rm.pk}).status_code == 404


def test_the_reminder_rule_is_a_parameter(team, django_capture_on_commit_callbacks):
    """SVC-06: a reminder is "left open" after `worklog.reminder_open_days` days past its date."""
    from steward.basedata.services import parameter, set_parameter

    slipped(team, team.north_rm)  # a reminder 10 days old
    assert parameter("worklog.reminder_open_days") == 3
    grant(team.admin, "basedata.parameter:change", scope="all")
    with django_capture_on_commit_callbacks(execute=True):
        set_parameter(team.admin, "worklog.reminder_open_days", "30")
    assert work_warning_counts(team.north_rm)[REMINDERS] == 0


def test_the_page_costs_the_same_queries_whatever_the_book(team, client):
    """SVC-06: set-based — the number of queries does not grow with the book or the team's books."""
    slipped(team, team.north_rm, 2)
    slipped(team, team.north_rm2, 1, prefix="D")

    def queries(user, **params):
        client.force_login(user)
        client.get("/schedule/warnings/", params)  # warm the parameter and session caches
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/schedule/warnings/", params).status_code == 200
        return len(captured)

    def counting_queries():
        work_warning_counts(team.north_rm)  # warm the caches
        with CaptureQueriesContext(connection) as captured:
            work_warning_counts(team.north_rm)
        return len(captured)

    before = (queries(team.north_rm), queries(team.lead), queries(team.lead, rm=team.north_rm.pk), counting_queries())
    slipped(team, team.north_rm, 12, prefix="E")
    slipped(team, team.north_rm2, 8, prefix="F")
    after = (queries(team.north_rm), queries(team.lead), queries(team.lead, rm=team.north_rm.pk), counting_queries())
    assert before == after
    assert after[3] <= len(KINDS) + 4  # one count per kind, and the scope's look-ups


def test_the_page_renders_in_english_and_chinese(team, client):
    """SVC-06: the page's words come from the catalogue in both languages."""
    slipped(team, team.north_rm)
    client.force_login(team.north_rm)
    english = client.get("/schedule/warnings/", headers={"accept-language": "en"}).content.decode()
    assert "Overdue contact plans" in english and "Reminders left open" in english
    chinese = client.get("/schedule/warnings/", headers={"accept-language": "zh-hans"})
    assert chinese.status_code == 200
