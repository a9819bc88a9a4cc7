"""The intake API's permission matrix (route "intake-batches"): reading needs holdings.intake:view,
uploading needs holdings.intake:upload; a refused upload changes nothing."""

import io

import pytest
from rest_framework.test import APIClient

from steward.holdings.models import IntakeBatch, Product
from steward.holdings.tests.conftest import DAY
from steward.testing import grant


def upload(client, day_dir):
    data = io.BytesIO((day_dir / "products.csv").read_bytes())
    data.name = "products.csv"
    return client.post(
        "/api/v1/intake-batches/upload/",
        {"entity": "products", "data_date": DAY.isoformat(), "file": data},
        format="multipart",
    )


def as_user(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize(
    ("permissions", "list_status", "upload_status"),
    [
        ((), 403, 403),
        (("holdings.intake:view",), 200, 403),
        (("holdings.intake:upload",), 403, 201),
    ],
)
def test_each_intake_endpoint_needs_its_own_permission(bank, day_dir, permissions, list_status, upload_status):
    if permissions:
        grant(bank.admin, *permissions, scope="all")
    client = as_user(bank.admin)

    assert client.get("/api/v1/intake-batches/").status_code == list_status
    assert upload(client, day_dir).status_code == upload_status
    assert Product.objects.exists() == (upload_status == 201)
    assert IntakeBatch.objects.exists() == (upload_status == 201)


def test_an_anonymous_caller_is_refused(bank, day_dir):
    assert APIClient().get("/api/v1/intake-batches/").status_code == 401
    assert upload(APIClient(), day_dir).status_code == 401
    assert not IntakeBatch.objects.exists()
