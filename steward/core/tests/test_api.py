"""PLT-11: /api/v1/ — token and session auth, pagination, filtering, errors, OpenAPI schema and docs."""

import pytest
from rest_framework.test import APIClient

from steward.org.models import Employee
from steward.testing import TEST_PASSWORD, EmployeeFactory, grant


@pytest.fixture
def reader(bank):
    grant(bank.admin, "org.employee:view", "org.employee:add", "org.org:view", scope="all")
    return bank.admin


def token_for(employee_no, password=TEST_PASSWORD):
    return APIClient().post("/api/v1/auth/token/", {"username": employee_no, "password": password})


def test_a_token_is_issued_for_employee_number_and_password_and_opens_the_api(reader):
    response = token_for("ADM")
    assert response.status_code == 200
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")

    listing = api.get("/api/v1/employees/")

    assert listing.status_code == 200
    assert listing.json()["count"] == Employee.objects.count()


def test_a_wrong_password_gets_no_token_and_a_wrong_token_gets_401(reader):
    assert token_for("ADM", "wrong-password").status_code == 400
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")

    assert api.get("/api/v1/employees/").status_code == 401


def test_without_credentials_the_api_answers_401(bank):
    assert APIClient().get("/api/v1/employees/").status_code == 401


def test_a_logged_in_browser_session_opens_the_api(reader, client):
    client.force_login(reader)

    response = client.get("/api/v1/employees/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert response.json()["count"] == Employee.objects.count()


def test_a_session_authenticated_write_needs_the_csrf_token(reader, bank):
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(reader)

    response = api.post(
        "/api/v1/employees/", {"employee_no": "E500", "name": "新", "org": bank.north_team.pk}, format="json"
    )

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Employee.objects.filter(employee_no="E500").exists()


def test_a_token_authenticated_write_needs_no_csrf_token(reader, bank):
    api = APIClient(enforce_csrf_checks=True)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for('ADM').json()['token']}")

    response = api.post(
        "/api/v1/employees/", {"employee_no": "E501", "name": "新", "org": bank.north_team.pk}, format="json"
    )

    assert response.status_code == 201
    assert Employee.objects.get(employee_no="E501").org == bank.north_team


def test_lists_are_paginated_with_count_results_and_links(reader, bank):
    EmployeeFactory.create_batch(60, org=bank.north_team)
    api = APIClient()
    api.force_authenticate(reader)
    total = Employee.objects.count()

    first = api.get("/api/v1/employees/").json()
    second = api.get(first["next"]).json()
    small = api.get("/api/v1/employees/", {"page_size": 7}).json()

    assert first["count"] == total == 65
    assert len(first["results"]) == 50 and first["previous"] is None
    assert len(second["results"]) == total - 50 and second["next"] is None
    assert {r["id"] for r in first["results"]}.isdisjoint({r["id"] for r in second["results"]})
    assert len(small["results"]) == 7 and small["count"] == total


def test_lists_filter_by_quick_search_and_status(reader, bank):
    EmployeeFactory(employee_no="Q100", name="张三", org=bank.north_team, status=Employee.Status.ON_LEAVE)
    EmployeeFactory(employee_no="Q101", name="李四", org=bank.north_team)
    api = APIClient()
    api.force_authenticate(reader)

    by_number = api.get("/api/v1/employees/", {"q": "Q10"}).json()
    by_name = api.get("/api/v1/employees/", {"q": "张"}).json()
    on_leave = api.get("/api/v1/employees/", {"status": "on_leave"}).json()
    both = api.get("/api/v1/employees/", {"q": "Q10", "status": "active"}).json()

    assert {r["employee_no"] for r in by_number["results"]} == {"Q100", "Q101"}
    assert [r["employee_no"] for r in by_name["results"]] == ["Q100"]
    assert [r["employee_no"] for r in on_leave["results"]] == ["Q100"]
    assert [r["employee_no"] for r in both["results"]] == ["Q101"]
    assert api.get("/api/v1/employees/", {"status": "retired"}).status_code == 400


def test_a_write_error_names_the_field(reader, bank):
    api = APIClient()
    api.force_authenticate(reader)

    duplicate = api.post("/api/v1/employees/", {"employee_no": "NRM", "name": "重名", "org": bank.north_team.pk})
    no_org = api.post("/api/v1/employees/", {"employee_no": "E502", "name": "无机构"})

    assert duplicate.status_code == 400 and "employee_no" in duplicate.json()
    assert no_org.status_code == 400 and "org" in no_org.json()


def test_status_and_level_cannot_be_written_around_their_services(reader, bank):
    grant(bank.admin, "org.employee:change", scope="all")
    api = APIClient()
    api.force_authenticate(reader)

    api.patch(f"/api/v1/employees/{bank.north_rm.pk}/", {"status": "left", "level": "L5", "org": bank.south_team.pk})

    rm = Employee.objects.get(pk=bank.north_rm.pk)
    assert (rm.status, rm.level, rm.org_id) == (Employee.Status.ACTIVE, "", bank.north_team.pk)


def test_the_openapi_schema_describes_every_endpoint(reader):
    grant(reader, "core.api:docs", scope="all")
    api = APIClient()
    api.force_authenticate(reader)

    response = api.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/orgs/",
        "/api/v1/orgs/{id}/move/",
        "/api/v1/employees/",
        "/api/v1/employees/{id}/status/",
        "/api/v1/roles/",
        "/api/v1/role-assignments/",
        "/api/v1/code-tables/{id}/items/",
        "/api/v1/parameters/{id}/",
    ):
        assert path in paths
    assert "tokenAuth" in response.json()["components"]["securitySchemes"]


def test_the_api_docs_and_schema_need_the_api_docs_permission(reader, client):
    client.force_login(reader)
    assert client.get("/api/docs/").status_code == 403
    assert client.get("/api/schema/").status_code == 403

    grant(reader, "core.api:docs", scope="all")

    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert "swagger-ui" in response.content.decode()
    assert "/api/schema/" in response.content.decode()
