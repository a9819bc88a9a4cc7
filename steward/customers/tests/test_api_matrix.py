"""PLT-03 / PLT-11 for /api/v1/customers/: each endpoint refuses a caller lacking its permission
(holding every other one) and serves a caller holding only what it needs. Referenced from
steward/access/tests/test_api_permission_matrix.py (the customers route has its own matrix)."""

import pytest
from rest_framework.test import APIClient

from steward.access.registry import registry
from steward.approvals.models import Application
from steward.customers.models import CoManager, Customer, CustomerNote
from steward.customers.tests.factories import CustomerFactory
from steward.testing import grant

VIEW = "customers.customer:view"
SUBMIT = "approvals.application:submit"

# (method, url, payload, the permission under test, others needed for a 2xx)
ENDPOINTS = [
    ("get", "/api/v1/customers/", None, VIEW, ()),
    ("get", "/api/v1/customers/{c}/", None, VIEW, ()),
    (
        "post",
        "/api/v1/customers/",
        {"cif": "C9", "name": "新客户", "org": "{org}", "id_type": "01", "id_number": "11010519491231002X"},
        "customers.customer:add",
        (),
    ),
    ("patch", "/api/v1/customers/{c}/", {"name": "改名"}, "customers.customer:change", ()),
    ("get", "/api/v1/customers/{c}/notes/", None, VIEW, ()),
    ("post", "/api/v1/customers/{c}/notes/", {"body": "备注"}, VIEW, ("customers.note:add",)),
    ("post", "/api/v1/customers/{c}/notes/", {"body": "备注"}, "customers.note:add", (VIEW,)),
    ("post", "/api/v1/customers/{c}/confidential/", {"confidential": True}, "customers.customer:confidential", ()),
    (
        "post",
        "/api/v1/customers/transfer/",
        {"customers": ["C1"], "new_owner": "NRM2", "reason": "调岗"},
        "customers.customer:transfer",
        (SUBMIT,),
    ),
    (
        "post",
        "/api/v1/customers/assign/",
        {"customers": ["C1"], "new_owner": "NRM2", "reason": "分配"},
        "customers.customer:assign",
        (),
    ),
    ("post", "/api/v1/customers/{c}/co-managers/", {"user": "{rm2}"}, "customers.customer:assign", ()),
    ("post", "/api/v1/customers/{c}/co-managers/remove/", {"user": "{nbm}"}, "customers.customer:assign", ()),
]
IDS = [f"{m.upper()} {u} needs {p}" for m, u, _d, p, _x in ENDPOINTS]


@pytest.fixture
def world(bank):
    customer = CustomerFactory(cif="C1", org=bank.north_team, owner=bank.north_rm)
    grant(bank.north_rm2, VIEW, scope="own")
    # The caller sits at head office: someone there decides its transfer applications.
    grant(bank.north_manager, "customers.transfer:approve", "approvals.application:handle", org=bank.head)
    CoManager.objects.create(customer=customer, user=bank.north_manager)
    return bank, customer


def fill(value, bank, customer):
    if isinstance(value, str):
        return value.format(c=customer.pk, org=bank.north_team.pk, rm2=bank.north_rm2.pk, nbm=bank.north_manager.pk)
    if isinstance(value, dict):
        return {k: int(fill(v, bank, customer)) if k in ("org", "user") else v for k, v in value.items()}
    return value


def snapshot():
    return (
        list(Customer.objects.values_list("cif", "name", "is_confidential", "owner_id").order_by("cif")),
        CustomerNote.objects.count(),
        Application.objects.count(),
        list(CoManager.objects.values_list("customer_id", "user_id").order_by("pk")),
    )


def call(user, method, url, payload):
    api = APIClient()
    api.force_authenticate(user)
    return getattr(api, method)(url, payload, format="json") if payload is not None else getattr(api, method)(url)


@pytest.mark.parametrize(("method", "url", "payload", "permission", "extra"), ENDPOINTS, ids=IDS)
def test_refused_without_its_permission(world, method, url, payload, permission, extra):
    bank, customer = world
    grant(bank.admin, *(set(registry.permissions) - {permission}), scope="all", org=bank.head)
    before = snapshot()
    response = call(bank.admin, method, fill(url, bank, customer), fill(payload, bank, customer))
    assert response.status_code == 403, response.content
    assert snapshot() == before


@pytest.mark.parametrize(("method", "url", "payload", "permission", "extra"), ENDPOINTS, ids=IDS)
def test_served_with_only_its_permission(world, method, url, payload, permission, extra):
    bank, customer = world
    grant(bank.admin, permission, *extra, scope="all", org=bank.head)
    before = snapshot()
    response = call(bank.admin, method, fill(url, bank, customer), fill(payload, bank, customer))
    assert 200 <= response.status_code < 300, response.content
    if method != "get":
        assert snapshot() != before


@pytest.mark.parametrize(("method", "url", "payload", "permission", "extra"), ENDPOINTS, ids=IDS)
def test_refused_to_anonymous_callers(world, method, url, payload, permission, extra):
    bank, customer = world
    response = getattr(APIClient(), method)(fill(url, bank, customer), fill(payload, bank, customer), format="json")
    assert response.status_code == 401
