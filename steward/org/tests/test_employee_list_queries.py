"""Query-count baselines: a list costs the same handful of queries whatever its length (no N+1)."""

import pytest
from rest_framework.test import APIClient

from steward.testing import EmployeeFactory, grant

# Session, user, grants, count, org filter choices, the user's own org (page header), the notice bar,
# the rows — and, on a day without a current notice, the bell's unread personal notifications (an
# indexed count; with a current notice it rides along in the notice bar's query: PLT-10).
EMPLOYEE_PAGE_QUERIES = 9
# Session, user, grants, count, the rows (with their org).
EXPORT_AUDIT_QUERIES = 6  # ids, savepoint, chain head lock, insert, head update, release
EMPLOYEE_API_QUERIES = 5


@pytest.fixture
def viewer(bank):
    grant(bank.admin, "org.employee:view", "org.employee:export", "org.employee:add", "org.org:view", scope="all")
    return bank.admin


def fill_north_team(bank, count):
    # Codes in every coded column, so their labels are looked up for each row.
    EmployeeFactory.create_batch(count, org=bank.north_team, position="rm", level="L2", tier="T1")


def test_the_employee_list_page_of_20_rows_stays_within_its_query_budget(
    bank, viewer, client, django_assert_max_num_queries
):
    fill_north_team(bank, 30)
    client.force_login(viewer)
    client.get("/org/employees/")  # warms the code-table cache and records the session, as any earlier page would

    with django_assert_max_num_queries(EMPLOYEE_PAGE_QUERIES):
        response = client.get("/org/employees/")

    assert response.status_code == 200
    assert len(response.context["table"].page.object_list) == 20


@pytest.mark.parametrize("rows", [3, 20])
def test_the_employee_list_page_costs_the_same_queries_for_few_rows_as_for_a_full_page(
    bank, viewer, client, django_assert_num_queries, rows
):
    fill_north_team(bank, rows - 5 if rows > 5 else 0)
    client.force_login(viewer)
    per_page = {"per_page": rows}
    client.get("/org/employees/", per_page)

    with django_assert_num_queries(EMPLOYEE_PAGE_QUERIES):
        response = client.get("/org/employees/", per_page)

    assert len(response.context["table"].page.object_list) == rows


def test_the_employee_api_list_of_50_rows_stays_within_its_query_budget(bank, viewer, django_assert_max_num_queries):
    fill_north_team(bank, 60)
    api = APIClient()
    api.force_login(viewer)
    api.get("/api/v1/employees/")

    with django_assert_max_num_queries(EMPLOYEE_API_QUERIES):
        response = api.get("/api/v1/employees/")

    assert len(response.json()["results"]) == 50


def test_exporting_every_employee_stays_within_the_page_query_budget(
    bank, viewer, client, django_assert_max_num_queries
):
    fill_north_team(bank, 60)
    client.force_login(viewer)
    client.get("/org/employees/")

    # The export also writes its audit entry (chain head lock, ids, insert, head update).
    with django_assert_max_num_queries(EMPLOYEE_API_QUERIES + EXPORT_AUDIT_QUERIES):
        response = client.get("/org/employees/", {"export": "xlsx"})

    assert response.status_code == 200
