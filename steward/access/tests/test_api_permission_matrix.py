"""PLT-03 / PLT-11: every API endpoint checks its registry permission (pretix-style matrix).

For each endpoint and method: a caller holding *every other* permission (scope "all") gets
403 and changes nothing; a caller holding *only* that permission gets a 2xx.
"""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from steward.access.models import Role, RoleAssignment
from steward.access.registry import registry
from steward.basedata.models import CalendarDay, CodeTable, SystemParameter
from steward.notices.models import Notice
from steward.org.models import Org
from steward.testing import OrgFactory, grant, make_role


class World:
    """The objects the endpoints act on, built on the bank fixture."""

    def __init__(self, bank):
        self.bank = bank
        self.empty_org = OrgFactory(code="EMPTY", kind=Org.Kind.SUB_BRANCH, parent=bank.south)
        self.inactive_org = OrgFactory(code="GONE", kind=Org.Kind.SUB_BRANCH, parent=bank.south)
        Org.objects.filter(pk=self.inactive_org.pk).update(is_active=False)
        # Grants nothing: a caller holding only the endpoint's permission may then still edit and
        # give it (PLT-03 forbids handing on permissions one does not hold; test_escalation.py).
        self.role = make_role(code="viewer")
        self.assignment = RoleAssignment.objects.create(
            user=bank.north_rm, role=self.role, org=bank.north_team, scope="own"
        )
        self.table = CodeTable.objects.get(code="employee_tier")
        self.parameter = SystemParameter.objects.get(key="leads.protection_days")
        self.calendar_day = CalendarDay.objects.create(date=dt.date(2026, 10, 1), kind="holiday", name="国庆节")
        self.notice = Notice.objects.create(
            title="通知", body="正文", valid_from=timezone.now(), org=bank.head, author=bank.admin
        )

    def fill(self, template):
        b = self.bank
        values = {
            "north": b.north.pk,
            "north_sub": b.north_sub.pk,
            "south": b.south.pk,
            "south_team": b.south_team.pk,
            "north_team": b.north_team.pk,
            "nrm": b.north_rm.pk,
            "empty": self.empty_org.pk,
            "inactive": self.inactive_org.pk,
            "role": self.role.pk,
            "assignment": self.assignment.pk,
            "table": self.table.pk,
            "parameter": self.parameter.pk,
            "day": self.calendar_day.pk,
            "notice": self.notice.pk,
        }
        if isinstance(template, str):
            return template.format(**values)
        if isinstance(template, dict):
            return {key: self.fill(value) for key, value in template.items()}
        if isinstance(template, list):
            return [self.fill(value) for value in template]
        return template


# (method, url, payload, permission). Payloads name objects as "{key}" (see World.fill);
# ids are turned into integers after filling.
ROOT = Path(__file__).resolve().parents[3]

ENDPOINTS = [
    ("get", "/api/v1/notices/", None, "notices.notice:view"),
    ("get", "/api/v1/notices/{notice}/", None, "notices.notice:view"),
    ("post", "/api/v1/notices/", {"title": "停机通知", "body": "今晚维护"}, "notices.notice:add"),
    ("patch", "/api/v1/notices/{notice}/", {"title": "改"}, "notices.notice:change"),
    ("post", "/api/v1/notices/{notice}/publish/", None, "notices.notice:change"),
    ("delete", "/api/v1/notices/{notice}/", None, "notices.notice:delete"),
    ("get", "/api/v1/orgs/", None, "org.org:view"),
    ("get", "/api/v1/orgs/{north}/", None, "org.org:view"),
    (
        "post",
        "/api/v1/orgs/",
        {"code": "NEW", "name": "新机构", "kind": "team", "parent": "{north_sub}"},
        "org.org:add",
    ),
    ("patch", "/api/v1/orgs/{north}/", {"name": "华北分行"}, "org.org:change"),
    ("put", "/api/v1/orgs/{north}/", {"code": "N", "name": "华北分行", "kind": "branch"}, "org.org:change"),
    ("post", "/api/v1/orgs/{north_sub}/move/", {"new_parent": "{south}"}, "org.org:change"),
    ("post", "/api/v1/orgs/{empty}/deactivate/", None, "org.org:change"),
    ("post", "/api/v1/orgs/{inactive}/reactivate/", None, "org.org:change"),
    ("get", "/api/v1/employees/", None, "org.employee:view"),
    ("get", "/api/v1/employees/{nrm}/", None, "org.employee:view"),
    ("get", "/api/v1/employees/{nrm}/grades/", None, "org.employee:view"),
    (
        "post",
        "/api/v1/employees/",
        {"employee_no": "E900", "name": "新员工", "org": "{north_team}", "password": "Correct-horse-9"},
        "org.employee:add",
    ),
    ("patch", "/api/v1/employees/{nrm}/", {"name": "改名"}, "org.employee:change"),
    ("post", "/api/v1/employees/{nrm}/status/", {"status": "on_leave"}, "org.employee:change"),
    ("post", "/api/v1/employees/{nrm}/grade/", {"level": "L2", "tier": "T1"}, "org.employee:grade"),
    ("post", "/api/v1/employees/{nrm}/move/", {"new_org": "{south_team}"}, "org.employee:change"),
    ("get", "/api/v1/roles/", None, "access.role:view"),
    ("get", "/api/v1/roles/{role}/", None, "access.role:view"),
    ("get", "/api/v1/roles/registry/", None, "access.role:view"),
    (
        "post",
        "/api/v1/roles/",
        {"code": "auditor", "name": "审计", "permissions": []},
        "access.role:change",
    ),
    ("patch", "/api/v1/roles/{role}/", {"name": "只读"}, "access.role:change"),
    ("get", "/api/v1/role-assignments/", None, "access.assignment:view"),
    ("get", "/api/v1/role-assignments/{assignment}/", None, "access.assignment:view"),
    (
        "post",
        "/api/v1/role-assignments/",
        {"user": "{nrm}", "role": "{role}", "org": "{south_team}", "scope": "team"},
        "access.assignment:change",
    ),
    ("post", "/api/v1/role-assignments/{assignment}/end/", None, "access.assignment:change"),
    ("get", "/api/v1/code-tables/", None, "basedata.codetable:view"),
    ("get", "/api/v1/code-tables/{table}/", None, "basedata.codetable:view"),
    ("post", "/api/v1/code-tables/", {"code": "channel", "name": "渠道"}, "basedata.codetable:change"),
    ("patch", "/api/v1/code-tables/{table}/", {"name_en": "Grades"}, "basedata.codetable:change"),
    (
        "put",
        "/api/v1/code-tables/{table}/items/",
        {"items": [{"code": "T1", "label": "一级"}, {"code": "T2", "label": "二级"}]},
        "basedata.codetable:change",
    ),
    ("get", "/api/v1/parameters/", None, "basedata.parameter:view"),
    ("get", "/api/v1/parameters/{parameter}/", None, "basedata.parameter:view"),
    ("patch", "/api/v1/parameters/{parameter}/", {"value": "10"}, "basedata.parameter:change"),
    ("get", "/api/v1/calendar-days/", None, "basedata.calendar:view"),
    ("get", "/api/v1/calendar-days/{day}/", None, "basedata.calendar:view"),
    ("get", "/api/v1/calendar-days/business-day/?date=2026-09-30&add=1", None, "basedata.calendar:view"),
    ("post", "/api/v1/calendar-days/", {"date": "2026-12-25", "kind": "holiday"}, "basedata.calendar:change"),
    ("patch", "/api/v1/calendar-days/{day}/", {"name_en": "National Day"}, "basedata.calendar:change"),
    ("delete", "/api/v1/calendar-days/{day}/", None, "basedata.calendar:change"),
    ("post", "/api/v1/calendar-days/paste/", {"lines": "2026-12-31 | holiday"}, "basedata.calendar:change"),
]

ID_KEYS = {"parent", "new_parent", "org", "new_org", "user", "role"}


def build_request(world, url, payload):
    url = world.fill(url)
    payload = world.fill(payload)
    if isinstance(payload, dict):
        payload = {k: int(v) if k in ID_KEYS else v for k, v in payload.items()}
    return url, payload


def snapshot():
    """Everything these endpoints could change, to prove a refused call changed nothing."""
    from steward.basedata.models import CodeItem
    from steward.org.models import Employee, GradeChange

    return (
        list(Org.objects.values_list("code", "name", "path", "is_active").order_by("code")),
        list(Employee.objects.values_list("employee_no", "name", "org_id", "status", "level").order_by("pk")),
        GradeChange.objects.count(),
        list(Role.objects.values_list("code", "name").order_by("code")),
        list(RoleAssignment.objects.values_list("pk", "ended_at").order_by("pk")),
        list(CodeTable.objects.values_list("code", "name_en").order_by("code")),
        list(CodeItem.objects.values_list("table_id", "code", "label", "is_active").order_by("pk")),
        list(SystemParameter.objects.values_list("key", "value").order_by("key")),
        list(Notice.objects.values_list("pk", "title", "is_published").order_by("pk")),
        list(CalendarDay.objects.values_list("date", "kind", "name_en").order_by("date")),
    )


def call(user, method, url, payload):
    api = APIClient()
    api.force_authenticate(user)
    return getattr(api, method)(url, payload, format="json") if payload is not None else getattr(api, method)(url)


IDS = [f"{method.upper()} {url} needs {permission}" for method, url, _payload, permission in ENDPOINTS]


@pytest.mark.parametrize(("method", "url", "payload", "permission"), ENDPOINTS, ids=IDS)
def test_api_endpoint_refuses_a_caller_without_its_permission(bank, method, url, payload, permission):
    world = World(bank)
    grant(bank.admin, *(set(registry.permissions) - {permission}), scope="all")
    url, payload = build_request(world, url, payload)
    before = snapshot()

    response = call(bank.admin, method, url, payload)

    assert response.status_code == 403, response.content
    assert "results" not in response.json()
    assert snapshot() == before


@pytest.mark.parametrize(("method", "url", "payload", "permission"), ENDPOINTS, ids=IDS)
def test_api_endpoint_serves_a_caller_with_only_its_permission(bank, method, url, payload, permission):
    world = World(bank)
    grant(bank.admin, permission, scope="all")
    url, payload = build_request(world, url, payload)
    before = snapshot()

    response = call(bank.admin, method, url, payload)

    assert 200 <= response.status_code < 300, response.content
    if method != "get":
        assert snapshot() != before


@pytest.mark.parametrize(("method", "url", "payload", "permission"), ENDPOINTS, ids=IDS)
def test_api_endpoint_refuses_an_anonymous_caller(bank, method, url, payload, permission):
    world = World(bank)
    url, payload = build_request(world, url, payload)

    response = getattr(APIClient(), method)(url, payload, format="json")

    assert response.status_code == 401


def test_the_matrix_covers_every_api_route():
    from steward.api.urls import router

    covered = {url.split("/")[3] for _m, url, _p, _perm in ENDPOINTS}
    # Routes whose permissions are not one-per-action carry their own matrix in their app's tests.
    own_matrix = {
        "applications": "steward/approvals/tests/test_api.py",
        # Any signed-in user reads their own notices; the audience decides (tested there).
        "my-notices": "steward/notices/tests/test_audience.py",
        "jobs": "steward/jobs/tests/test_api.py",
        "job-runs": "steward/jobs/tests/test_api.py",
        "customers": "steward/customers/tests/test_api_matrix.py",
        "intake-batches": "steward/holdings/tests/test_api_matrix.py",
        "intake-rejected-rows": "steward/holdings/tests/test_intake_operations.py",
        "intake-days": "steward/holdings/tests/test_intake_sources.py",
        # Conflicts are raised by the intake; reading and resolving need one permission.
        "ownership-conflicts": "steward/customers/tests/test_mastering.py",
        # Runs are seen per kind of import, with that importer's permission and scope.
        "import-runs": "steward/imports/tests/test_api.py",
        "segments": "steward/segments/tests/test_api_matrix.py",
        "interactions": "steward/interactions/tests/test_api_matrix.py",
        # The call centre's calls (read through the scope) and the telephone system's feed.
        "calls": "steward/interactions/tests/test_calls_api.py",
        # Anyone manages their own tokens; administrators those of employees in scope.
        "api-tokens": "steward/access/tests/test_api_tokens.py",
        # Whose entries one sees follows line management, not a data scope.
        "work-entries": "steward/worklog/tests/test_schedules.py",
        "contact-plans": "steward/contactplans/tests/test_contact_plans.py",
        # Potential customers: read, entered by hand, and the external channels' feed.
        "leads": "steward/leads/tests/test_api.py",
        # A lead's opportunities, the protection rules and the institutions (and the holder's actions).
        **dict.fromkeys(
            ("lead-opportunities", "lead-protection-rules", "lead-institutions"),
            "steward/leads/tests/test_api_work.py",
        ),
        # Allocation rules (view / change / run with preview) and their runs (LEAD-08).
        **dict.fromkeys(("allocation-rules", "allocation-runs"), "steward/allocation/tests/test_api.py"),
        # Assigned tasks: categories, tasks (view / manage) and items (work: draw, pick, complete, skip).
        **dict.fromkeys(("task-categories", "tasks", "task-items"), "steward/tasks/tests/test_api.py"),
        "work-items": "steward/worklog/tests/test_supervision.py",
        "guidance": "steward/worklog/tests/test_supervision.py",
        "workflow-runs": "steward/worklog/tests/test_workflows.py",
        "workflow-templates": "steward/worklog/tests/test_workflows.py",
        # Read-only audit trail; what each reader sees is tested there.
        "audit-entries": "steward/audit/tests/test_audit_visibility.py",
        # The outbox is read-only; the SMS gateway's account posts delivery reports.
        "outbound-messages": "steward/channels/tests/test_api.py",
        **dict.fromkeys(
            ("tag-categories", "tags", "customer-tags", "customer-groups", "group-members"),
            "steward/tags/tests/test_api_matrix.py",
        ),
        # The reminder centre: view, act, important dates (SVC-03).
        **dict.fromkeys(("reminders", "important-dates"), "steward/holdings/tests/test_reminder_api_matrix.py"),
        # My calendar: the entries of every source, my private notes (SVC-04).
        **dict.fromkeys(("calendar-notes", "calendar-entries"), "steward/agenda/tests/test_api_matrix.py"),
        # Attendance, quotas and the task calendar (OFF-07, TASK-05 … TASK-07).
        **dict.fromkeys(("attendance-days", "quotas", "task-calendar"), "steward/attendance/tests/test_api.py"),
    }
    for prefix, path in own_matrix.items():
        assert (ROOT / path).exists(), f"{prefix} claims its own matrix in {path}"
    assert covered | set(own_matrix) == {prefix for prefix, _viewset, _basename in router.registry}
