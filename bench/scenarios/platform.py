"""Platform scenario: log in, the home page, and a 20-row employee list (page and API).

Logins come from steward.org.demo.build_bank: "admin" (system admin, scope all), "branch"
(branch manager of the first branch, scope subtree) and "rm" (relationship manager, scope own).
"""

from __future__ import annotations

import re

from bench.registry import scenario

ROWS = 20
TBODY = re.compile(r"<tbody[^>]*>(.*?)</tbody>", re.S)
ORG_SELECT = re.compile(r'<select name="org"[^>]*>(.*?)</select>', re.S)


def table_rows(response) -> int:
    """Rows of the (single) list table in an HTML page."""
    body = TBODY.search(response.content.decode())
    return body.group(1).count("<tr") if body else 0


def org_options(response) -> int:
    """Options of the list's org filter (its size grows with the orgs the user can see)."""
    select = ORG_SELECT.search(response.content.decode())
    return max(select.group(1).count("<option") - 1, 0) if select else 0  # minus the empty choice


@scenario("platform", "Log in; home page; 20-row employee list as page and API (admin vs branch manager)")
def platform(ctx):
    from steward.org.models import Employee, Org

    admin = ctx.client("admin")
    branch = ctx.client("branch")
    rm = ctx.client("rm")

    def visible(employee_no: str, model=Employee) -> int:
        user = Employee.objects.get(employee_no=employee_no)
        return model.objects.visible_to(user, "org.employee:view").count()

    total, in_branch = visible("admin"), visible("branch")
    ctx.check(total == ctx.bank.employees, f"admin should see all {ctx.bank.employees} employees, sees {total}")
    ctx.check(0 < in_branch < total, f"the branch manager should see a subtree, sees {in_branch} of {total}")
    ctx.note(f"Employee list: admin sees {total} employees, the branch manager ('branch') {in_branch} (subtree).")

    # (a) Log in: POST /login/ with a fresh session each time (302 to the home page).
    ctx.measure(
        "log in (POST /login/)",
        lambda client: client.post("/login/", {"username": "admin", "password": ctx.bank.password}),
        setup=ctx.anonymous_client,
        expect_status=302,
        note="fresh anonymous session per run; test hasher (MD5)",
    )

    # (b) Home page, with role-dependent widgets.
    ctx.measure("home · admin", lambda _: admin.get("/"))
    ctx.measure("home · rm", lambda _: rm.get("/"), ratio_to="home · admin")

    # (c) Employee list page, 20 rows (the default page size).
    options = {}
    for client, who, expected in ((admin, "admin", total), (branch, "branch manager", in_branch)):
        response = client.get("/org/employees/")
        rows = table_rows(response)
        ctx.check(response.status_code == 200, f"employee list as {who}: status {response.status_code}")
        ctx.check(rows == min(ROWS, expected), f"employee list as {who}: {rows} rows, not {min(ROWS, expected)}")
        options[who] = org_options(response)
    ctx.note(
        f"Org filter of the employee list: {options['admin']} options for admin, {options['branch manager']} "
        f"for the branch manager, whose scope holds {visible('branch', Org)} orgs."
    )
    ctx.measure("employee list page · admin (20 rows)", lambda _: admin.get("/org/employees/"))
    ctx.measure(
        "employee list page · branch manager (20 rows)",
        lambda _: branch.get("/org/employees/"),
        ratio_to="employee list page · admin (20 rows)",
    )

    # (d) The same list through the API.
    for client, who, expected in ((admin, "admin", total), (branch, "branch manager", in_branch)):
        data = client.get("/api/v1/employees/", {"page_size": ROWS}).json()
        rows = len(data["results"])
        ctx.check(rows == min(ROWS, expected), f"API as {who}: {rows} rows, not {min(ROWS, expected)}")
        ctx.check(data["count"] == expected, f"API as {who}: count {data['count']}, expected {expected}")
    ctx.measure(
        "employee API · admin (20 rows)",
        lambda _: admin.get("/api/v1/employees/", {"page_size": ROWS}),
        ratio_to="employee list page · admin (20 rows)",
    )
    ctx.measure(
        "employee API · branch manager (20 rows)",
        lambda _: branch.get("/api/v1/employees/", {"page_size": ROWS}),
        ratio_to="employee list page · branch manager (20 rows)",
    )

    # N+1 guard: five times the rows must not mean more queries (compare the query column).
    ctx.measure(
        "employee list page · admin (100 rows)",
        lambda _: admin.get("/org/employees/", {"per_page": 100}),
        ratio_to="employee list page · admin (20 rows)",
        note="N+1 guard: same query count as 20 rows expected",
    )
    ctx.measure(
        "employee API · admin (100 rows)",
        lambda _: admin.get("/api/v1/employees/", {"page_size": 100}),
        ratio_to="employee API · admin (20 rows)",
        note="N+1 guard: same query count as 20 rows expected",
    )
