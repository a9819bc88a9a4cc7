"""PLT-09 / PLT-11: /api/v1/applications/ — the same services, visibility and permissions as the pages."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from steward.access.models import RoleGrant
from steward.access.services import forget_grants
from steward.approvals import services
from steward.approvals.models import Application
from steward.approvals.permissions import HANDLE, MONITOR, REROUTE, SUBMIT
from steward.approvals.tests.conftest import ACTIVITY, LEAVE, activity_payload, leave_payload

URL = "/api/v1/applications/"


def api_for(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def leave(people):
    return services.submit(people.rm, LEAVE, reason="家事", payload=leave_payload())


def test_submitting_through_the_api_with_json(people):
    response = api_for(people.rm).post(
        URL, {"type": ACTIVITY, "reason": "答谢客户", "payload": activity_payload(budget=8000)}, format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending"
    assert body["payload"]["budget"] == "8000.00"
    assert body["handlers"] == [people.lead.pk]
    assert [d["action"] for d in body["decisions"]] == ["submitted"]


def test_submitting_through_the_api_with_files(people):
    response = api_for(people.rm).post(
        URL,
        {
            "type": LEAVE,
            "reason": "病假",
            "payload": json.dumps(leave_payload(kind="sick")),
            "attachments": [SimpleUploadedFile("证明.pdf", b"%PDF-1.4", content_type="application/pdf")],
        },
        format="multipart",
    )

    assert response.status_code == 201, response.content
    [attachment] = response.json()["attachments"]
    assert attachment["name"] == "证明.pdf"
    assert attachment["url"] == f"/approvals/attachments/{attachment['id']}/"


def test_an_invalid_submission_names_the_field(people):
    api = api_for(people.rm)

    bad_dates = api.post(
        URL,
        {"type": LEAVE, "reason": "x", "payload": leave_payload(start="2026-03-05", end="2026-03-01")},
        format="json",
    )
    bad_type = api.post(URL, {"type": "approvals.nothing", "reason": "x", "payload": {}}, format="json")
    big = api.post(
        URL,
        {
            "type": LEAVE,
            "reason": "x",
            "payload": json.dumps(leave_payload()),
            "attachments": [SimpleUploadedFile("a.exe", b"MZ")],
        },
        format="multipart",
    )

    assert bad_dates.status_code == 400 and "end_date" in bad_dates.json()
    assert bad_type.status_code == 400 and "type" in bad_type.json()
    assert big.status_code == 400 and "attachments" in big.json()
    assert not Application.objects.exists()


def test_the_lifecycle_through_the_api(people, leave):
    lead = api_for(people.lead)
    inbox = lead.get(URL, {"box": "inbox"}).json()
    assert [row["id"] for row in inbox["results"]] == [leave.pk]

    no_reason = lead.post(f"{URL}{leave.pk}/reject/", {"comment": ""}, format="json")
    assert no_reason.status_code == 400 and "comment" in no_reason.json()

    forwarded = lead.post(f"{URL}{leave.pk}/forward/", {"to": people.manager.pk, "step": 0}, format="json")
    assert forwarded.status_code == 200 and forwarded.json()["handlers"] == [people.manager.pk]

    approved = api_for(people.manager).post(f"{URL}{leave.pk}/approve/", {"comment": "同意", "step": 0}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"

    again = api_for(people.manager).post(f"{URL}{leave.pk}/approve/", {}, format="json")
    assert again.status_code == 400 and "already approved" in again.json()["non_field_errors"][0]


def test_self_approval_through_the_api_is_refused(bank, people, leave):
    from steward.approvals.permissions import APPROVE
    from steward.testing import grant

    grant(people.rm, HANDLE, APPROVE, scope="team", org=bank.north_team)

    response = api_for(people.rm).post(f"{URL}{leave.pk}/approve/", {}, format="json")

    assert response.status_code == 403
    assert Application.objects.get(pk=leave.pk).status == Application.Status.PENDING


def test_withdrawing_through_the_api_is_for_the_submitter_only(people, leave):
    assert api_for(people.lead).post(f"{URL}{leave.pk}/withdraw/", {}, format="json").status_code == 403

    response = api_for(people.rm).post(f"{URL}{leave.pk}/withdraw/", {"comment": "不去了"}, format="json")

    assert response.status_code == 200 and response.json()["status"] == "withdrawn"


def test_a_failing_action_through_the_api_is_a_400_and_leaves_the_application_pending(people, register_type):
    from steward.approvals.tests.test_failing_action import BudgetBooking

    register_type(BudgetBooking())
    booking = services.submit(people.rm, BudgetBooking.key, reason="记账", payload={"amount": "1"})

    response = api_for(people.lead).post(f"{URL}{booking.pk}/approve/", {}, format="json")

    assert response.status_code == 400
    assert "The budget system refused the booking." in response.json()["non_field_errors"][0]
    detail = api_for(people.lead).get(f"{URL}{booking.pk}/").json()
    assert detail["status"] == "pending" and detail["last_error"] == "The budget system refused the booking."


def test_an_outsider_sees_nothing_through_the_api(people, leave):
    south = api_for(people.south_lead)

    body = south.get(URL).json()
    assert body["count"] == 0
    assert south.get(f"{URL}{leave.pk}/").status_code == 404
    assert south.post(f"{URL}{leave.pk}/approve/", {}, format="json").status_code == 404
    assert south.get(URL, {"box": "monitor"}).json()["count"] == 0
    assert Application.objects.get(pk=leave.pk).status == Application.Status.PENDING


def test_the_monitor_box_lists_the_scope(people, leave):
    other = services.submit(people.south_rm, LEAVE, reason="x", payload=leave_payload())

    rows = api_for(people.manager).get(URL, {"box": "monitor"}).json()["results"]

    assert [row["id"] for row in rows] == [leave.pk]
    assert other.pk not in [row["id"] for row in rows]


def test_the_types_endpoint_describes_what_to_send(people):
    rows = {row["key"]: row for row in api_for(people.rm).get(f"{URL}types/").json()}

    leave_type = rows[LEAVE]
    assert leave_type["can_submit"] is True
    assert [s["route"] for s in rows[ACTIVITY]["steps"]] == ["supervisor", "supervisor"]
    fields = {f["name"]: f for f in leave_type["fields"]}
    assert set(fields) == {"leave_type", "start_date", "end_date"}
    assert ["annual", "Annual leave"] in fields["leave_type"]["choices"]


def revoke(user, permission):
    RoleGrant.objects.filter(role__assignments__user=user, permission=permission).delete()
    forget_grants(user)


# (method, url, payload, permission taken away, who calls)
MATRIX = [
    ("get", URL, None, (SUBMIT, HANDLE, MONITOR), "rm"),
    ("get", "{url}{pk}/", None, (SUBMIT, HANDLE, MONITOR), "rm"),
    ("get", "{url}types/", None, (SUBMIT, HANDLE, MONITOR), "rm"),
    ("post", URL, {"type": LEAVE, "reason": "x", "payload": leave_payload()}, (SUBMIT,), "rm2"),
    ("post", "{url}{pk}/approve/", {}, (HANDLE,), "lead"),
    ("post", "{url}{pk}/reject/", {"comment": "不行"}, (HANDLE,), "lead"),
    ("post", "{url}{pk}/forward/", {"to": "manager"}, (HANDLE,), "lead"),
    ("post", "{url}{pk}/withdraw/", {}, (SUBMIT,), "rm"),
    ("post", "{url}{pk}/reroute/", {}, (REROUTE,), "manager"),
]


@pytest.mark.parametrize(
    ("method", "url", "payload", "taken", "caller"), MATRIX, ids=[f"{m} {u}" for m, u, *_ in MATRIX]
)
def test_every_endpoint_refuses_a_caller_without_its_permission(people, leave, method, url, payload, taken, caller):
    user = getattr(people, caller)
    for permission in taken:
        revoke(user, permission)
    if payload and payload.get("to") == "manager":
        payload = {**payload, "to": people.manager.pk}
    before = list(Application.objects.values_list("pk", "status").order_by("pk")), leave.handlers.count()

    response = getattr(api_for(user), method)(url.format(url=URL, pk=leave.pk), payload, format="json")

    assert response.status_code == 403, response.content
    assert (list(Application.objects.values_list("pk", "status").order_by("pk")), leave.handlers.count()) == before


@pytest.mark.parametrize(
    ("method", "url", "payload", "taken", "caller"), MATRIX, ids=[f"{m} {u}" for m, u, *_ in MATRIX]
)
def test_every_endpoint_refuses_an_anonymous_caller(people, leave, method, url, payload, taken, caller):
    response = getattr(APIClient(), method)(url.format(url=URL, pk=leave.pk), payload, format="json")

    assert response.status_code == 401


def test_rejecting_and_rerouting_through_the_api(people, leave):
    rerouted = api_for(people.manager).post(f"{URL}{leave.pk}/reroute/", {}, format="json")
    assert rerouted.status_code == 200 and rerouted.json()["handlers"] == [people.lead.pk]

    rejected = api_for(people.lead).post(f"{URL}{leave.pk}/reject/", {"comment": "人手不足"}, format="json")

    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert [d["action"] for d in rejected.json()["decisions"]] == ["submitted", "rerouted", "rejected"]
