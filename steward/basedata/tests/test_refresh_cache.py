"""PLT-06 (requirements 003 §1 刷新系统缓存): administrators refresh the system cache with a button
on the system parameters page (and through the API); others neither see it nor may use it;
every refresh is audited."""

import pytest
from rest_framework.test import APIClient

from steward.audit.models import AuditEntry
from steward.basedata.models import CodeItem, SystemParameter
from steward.basedata.services import code_label, parameter
from steward.core.counting import data_generation
from steward.testing import grant

KEY = "leads.protection_days"  # int, default 7


@pytest.fixture
def administrator(bank):
    grant(bank.admin, "basedata.parameter:view", "basedata.parameter:change", scope="all")
    return bank.admin


@pytest.fixture
def reader(bank):
    grant(bank.north_manager, "basedata.parameter:view", scope="all")
    return bank.north_manager


def test_the_button_refreshes_parameters_code_tables_and_counts(administrator, client):
    """PLT-06: the button drops what services cached, says so, and leaves an audit entry."""
    client.force_login(administrator)
    page = client.get("/basedata/parameters/").content.decode()
    assert 'data-testid="refresh-cache"' in page

    assert parameter(KEY) == 7
    item = CodeItem.objects.filter(table__code="risk_level").order_by("sort_order").first()
    label = code_label("risk_level", item.code)
    generation = data_generation()
    # Changes made around Steward's own pages (a DBA, a data fix) are not seen while cached …
    SystemParameter.objects.filter(key=KEY).update(value="30")
    CodeItem.objects.filter(pk=item.pk).update(label="新标签", label_en="New label")
    assert parameter(KEY) == 7 and code_label("risk_level", item.code) == label

    response = client.post("/basedata/parameters/refresh-cache/", follow=True)

    assert "The system cache was refreshed." in response.content.decode()
    assert response.redirect_chain[-1][0] == "/basedata/parameters/"
    # … and are after the refresh.
    assert parameter(KEY) == 30
    assert code_label("risk_level", item.code) == "New label"
    assert data_generation() != generation  # list counts are counted again
    entry = AuditEntry.objects.get(action="basedata.cache_refreshed")
    assert entry.actor_id == administrator.pk


def test_a_reader_of_parameters_sees_no_button_and_may_not_refresh(reader, client):
    """PLT-06 / PLT-03: without the permission the button is absent and the action answers 403."""
    client.force_login(reader)
    response = client.get("/basedata/parameters/")
    assert response.status_code == 200
    assert 'data-testid="refresh-cache"' not in response.content.decode()
    assert client.post("/basedata/parameters/refresh-cache/").status_code == 403
    assert client.get("/basedata/parameters/refresh-cache/").status_code in (403, 405)
    assert not AuditEntry.objects.filter(action="basedata.cache_refreshed").exists()


def test_the_api_refreshes_for_administrators_only(administrator, reader):
    """PLT-06 / PLT-11: POST /api/v1/parameters/refresh-cache/."""
    api = APIClient()
    assert api.post("/api/v1/parameters/refresh-cache/").status_code == 401
    api.force_authenticate(reader)
    assert api.post("/api/v1/parameters/refresh-cache/").status_code == 403
    api.force_authenticate(administrator)
    response = api.post("/api/v1/parameters/refresh-cache/")
    assert response.status_code == 200, response.content
    assert response.json()["parameters"] is True
    assert AuditEntry.objects.filter(action="basedata.cache_refreshed").count() == 1
    # Parameters are declared in code: the collection takes no POST of its own.
    assert api.post("/api/v1/parameters/", {"key": "x"}, format="json").status_code == 405
