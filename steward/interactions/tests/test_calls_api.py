"""PLT-03 / PLT-11 for /api/v1/calls/ (SVC-05, INT-05): each endpoint refuses a caller lacking its
permission (holding every other one) and serves a caller holding only what it needs; anonymous
callers get 401; odd filters answer 200/400, never 500. Referenced from
steward/access/tests/test_api_permission_matrix.py (own matrix)."""

import io

import pytest
from rest_framework.test import APIClient

from steward.access.registry import registry
from steward.interactions.models import CallRecord
from steward.interactions.permissions import CALL_FEED, CALL_VIEW
from steward.interactions.tests.conftest import at
from steward.testing import grant

EVENT = {"call_id": "M-2", "direction": "inbound", "started_at": "2026-12-03T10:00:00+08:00", "outcome": "busy"}
FILE = "call_id,direction,started_at,duration_seconds,outcome,number,extension,employee_no\r\n" + (
    "M-3,outbound,2026-12-03 11:00:00,10,answered,13700001111,,\r\n"
)
ENDPOINTS = [
    ("get", "/api/v1/calls/", CALL_VIEW),
    ("get", "/api/v1/calls/{c}/", CALL_VIEW),
    ("post", "/api/v1/calls/events/", CALL_FEED),
    ("post", "/api/v1/calls/file/", CALL_FEED),
]
IDS = [f"{m.upper()} {u} needs {p}" for m, u, p in ENDPOINTS]


@pytest.fixture
def call(book, settings, tmp_path):
    settings.STEWARD_INTAKE_UPLOAD_DIR = str(tmp_path)
    return CallRecord.objects.create(
        call_id="M-1", source="cti_event", data_date=at(3).date(), direction="inbound", started_at=at(3), outcome="busy"
    )


def request(user, method, url):
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    if url.endswith("/file/"):
        upload = io.BytesIO(FILE.encode())
        upload.name = "calls.csv"
        return api.post(url, {"file": upload, "data_date": "2026-12-03"}, format="multipart")
    if method == "post":
        return api.post(url, [EVENT], format="json")
    return api.get(url)


@pytest.mark.parametrize(("method", "url", "permission"), ENDPOINTS, ids=IDS)
def test_refused_without_its_permission(book, call, method, url, permission):
    admin = book.bank.admin
    grant(admin, *(set(registry.permissions) - {permission}), scope="all", org=book.bank.head)
    assert request(admin, method, url.format(c=call.pk)).status_code == 403
    assert CallRecord.objects.count() == 1


@pytest.mark.parametrize(("method", "url", "permission"), ENDPOINTS, ids=IDS)
def test_served_with_only_its_permission(book, call, method, url, permission):
    admin = book.bank.admin
    grant(admin, permission, scope="all", org=book.bank.head)
    response = request(admin, method, url.format(c=call.pk))
    assert 200 <= response.status_code < 300, response.content
    assert CallRecord.objects.count() == (2 if method == "post" else 1)


@pytest.mark.parametrize(("method", "url", "permission"), ENDPOINTS, ids=IDS)
def test_refused_to_anonymous_callers(book, call, method, url, permission):
    assert request(None, method, url.format(c=call.pk)).status_code == 401


def test_the_list_answers_odd_filters_without_500_and_never_shows_a_number(book, call):
    admin = book.bank.admin
    grant(admin, CALL_VIEW, scope="all", org=book.bank.head)
    api = APIClient()
    api.force_authenticate(admin)
    for query in ("data_date=0", "status=nope", "reason=x", "q=%00", "ordering=number_index", "page=999"):
        assert api.get(f"/api/v1/calls/?{query}").status_code in (200, 400, 404), query
    body = api.get("/api/v1/calls/?status=pending").json()
    assert body["results"][0]["call_id"] == "M-1"
    assert "number" not in body["results"][0] and "number_index" not in body["results"][0]
    assert api.get("/api/v1/calls/999999/").status_code == 404


def test_an_upload_with_a_wrong_header_answers_400(book, call):
    admin = book.bank.admin
    grant(admin, CALL_FEED, scope="all", org=book.bank.head)
    api = APIClient()
    api.force_authenticate(admin)
    upload = io.BytesIO(b"id,when\r\nX,Y\r\n")
    upload.name = "calls.csv"
    response = api.post("/api/v1/calls/file/", {"file": upload, "data_date": "2026-12-03"}, format="multipart")
    assert response.status_code == 400 and response.json()["status"] == "refused"
    missing = api.post("/api/v1/calls/file/", {"data_date": "2026-12-03"}, format="multipart")
    assert missing.status_code == 400 and "file" in missing.json()
