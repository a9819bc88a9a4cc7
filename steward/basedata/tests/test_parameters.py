"""PLT-06: typed system parameters, edited in the UI and the API, cached and refreshed on change."""

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from steward.basedata import services
from steward.basedata.models import SystemParameter
from steward.basedata.services import parameter
from steward.core.errors import DomainError
from steward.testing import grant

KEY = "leads.protection_days"  # int, 1..365, default 7


@pytest.fixture
def admin(bank):
    grant(bank.admin, "basedata.parameter:view", "basedata.parameter:change", scope="all")
    return bank.admin


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


@pytest.fixture
def admin_api(admin):
    api = APIClient()
    api.force_authenticate(admin)
    return api


def param(key=KEY):
    return SystemParameter.objects.get(key=key)


def test_parameters_come_back_typed(db):
    SystemParameter.objects.create(key="t.date", value_type="date", value="2026-03-01", label="日期")
    SystemParameter.objects.create(key="t.json", value_type="json", value='{"a": [1, 2]}', label="JSON")

    assert parameter(KEY) == 7
    assert parameter("customers.large_transaction_threshold") == Decimal("500000")
    assert parameter("ui.show_online_banner") is True
    assert parameter("t.date") == dt.date(2026, 3, 1)
    assert parameter("t.json") == {"a": [1, 2]}


def test_an_unknown_parameter_is_a_loud_error(db):
    with pytest.raises(KeyError):
        parameter("no.such.key")


def test_a_parameter_left_blank_falls_back_to_its_default(db):
    SystemParameter.objects.create(key="t.text", value_type="str", value="", default="你好", label="文本")

    assert parameter("t.text") == "你好"


def test_parameter_values_are_cached_until_changed_or_refreshed(admin, admin_client):
    assert parameter(KEY) == 7
    # A change that bypasses the service (a DBA, another tool) is not seen while cached …
    SystemParameter.objects.filter(key=KEY).update(value="30")
    assert parameter(KEY) == 7

    # … until an administrator presses "refresh cache".
    response = admin_client.post("/basedata/parameters/refresh-cache/", follow=True)
    assert "The system cache was refreshed." in response.content.decode()
    assert parameter(KEY) == 30


def test_changing_a_parameter_on_the_page_takes_effect_at_once(admin_client, django_capture_on_commit_callbacks):
    assert parameter(KEY) == 7  # cached

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/basedata/parameters/{param().pk}/", {"value": "14"})

    assert response.status_code == 302 and response["Location"] == "/basedata/parameters/"
    assert parameter(KEY) == 14
    assert param().value == "14"


def test_changing_a_parameter_through_the_api_takes_effect_at_once(admin_api, django_capture_on_commit_callbacks):
    assert parameter(KEY) == 7

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.patch(f"/api/v1/parameters/{param().pk}/", {"value": "21"}, format="json")

    assert response.status_code == 200
    assert response.json()["typed_value"] == "21"
    assert parameter(KEY) == 21


@pytest.mark.parametrize(
    ("key", "bad", "message"),
    [
        (KEY, "seven", "Enter a whole number"),
        (KEY, "0", "Must be at least 1"),
        (KEY, "366", "Must be at most 365"),
        ("customers.large_transaction_threshold", "5万", "Enter a number"),
        ("ui.show_online_banner", "maybe", "Enter yes or no"),
    ],
)
def test_a_bad_value_on_the_page_is_refused_with_an_error_on_the_value_field(admin_client, key, bad, message):
    before = param(key).value

    response = admin_client.post(f"/basedata/parameters/{param(key).pk}/", {"value": bad})

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="field-error-value"' in page
    assert message in page.split('data-testid="field-error-value"')[1]
    assert param(key).value == before


def test_a_bad_value_through_the_api_is_a_400_naming_the_field(admin_api):
    response = admin_api.patch(f"/api/v1/parameters/{param().pk}/", {"value": "abc"}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["value"]
    assert "whole number" in response.json()["value"][0]
    assert param().value == "7"


def test_the_service_refuses_an_unknown_key_and_an_out_of_range_value(admin):
    with pytest.raises(DomainError) as error:
        services.set_parameter(admin, "no.such.key", "1")
    assert error.value.field == "key"

    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as invalid:
        services.set_parameter(admin, KEY, "1000")
    assert "value" in invalid.value.message_dict


def test_only_the_value_of_a_parameter_can_be_written_through_the_api(admin_api):
    response = admin_api.patch(
        f"/api/v1/parameters/{param().pk}/", {"value": "9", "max_value": "100000", "value_type": "str"}, format="json"
    )

    assert response.status_code == 200
    stored = param()
    assert (stored.value, stored.max_value, stored.value_type) == ("9", Decimal("365"), "int")


def test_parameters_are_listed_searchable_and_filterable(admin_client, admin_api):
    page = admin_client.get("/basedata/parameters/", {"q": "protection"}).content.decode()
    body = admin_api.get("/api/v1/parameters/", {"group": "leads"}).json()

    assert KEY in page and "ui.default_page_size" not in page
    assert {row["key"] for row in body["results"]} == {
        "leads.protection_days",
        "leads.max_follow_ups",
        "leads.default_org",
        "leads.valid_call_seconds",
    }
