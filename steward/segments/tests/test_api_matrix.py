"""The segments API's permission matrix (route "segments"): each endpoint needs its own permission,
and without the permission nothing is read, counted or written."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from steward.segments import services
from steward.segments.models import Segment
from steward.testing import grant

R3_UP = {"op": "and", "rules": [{"field": "risk_level", "operator": "gte", "value": "R3"}]}


def as_user(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize(
    ("permissions", "read", "count", "create", "change", "delete"),
    [
        ((), 403, 403, 403, 403, 403),
        (("segments.segment:view",), 200, 200, 403, 403, 403),
        (("segments.segment:view", "segments.segment:add"), 200, 200, 201, 403, 403),
        (("segments.segment:view", "segments.segment:change"), 200, 200, 403, 200, 204),
    ],
)
def test_each_segment_endpoint_needs_its_own_permission(bank, permissions, read, count, create, change, delete):
    grant(bank.north_rm, "customers.customer:view", "segments.segment:view", "segments.segment:add", scope="own")
    segment = services.create_segment(bank.north_rm, name="R3+", definition=R3_UP, now=timezone.now())
    user = bank.north_rm2
    if permissions:
        grant(user, "customers.customer:view", *permissions, scope="subtree", org=bank.north_team)
    api = as_user(user)
    assert api.get("/api/v1/segments/").status_code == read
    assert api.get(f"/api/v1/segments/{segment.pk}/members/").status_code == read
    assert api.get(f"/api/v1/segments/{segment.pk}/count/").status_code == read
    assert api.post("/api/v1/segments/count/", {"definition": R3_UP}, format="json").status_code == count
    created = api.post("/api/v1/segments/", {"name": "x", "definition": R3_UP}, format="json")
    assert created.status_code == create
    patched = api.patch(f"/api/v1/segments/{segment.pk}/", {"name": "renamed"}, format="json")
    assert patched.status_code == change
    assert api.delete(f"/api/v1/segments/{segment.pk}/").status_code == delete
    assert Segment.objects.filter(pk=segment.pk).exists() == (delete != 204)
    assert Segment.objects.filter(name="renamed").exists() == (change == 200 and delete != 204)
