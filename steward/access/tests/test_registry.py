"""PLT-03: one registry of permissions, declared by each app; roles grant names from it only."""

import pytest
from rest_framework.test import APIClient

from steward.access import services
from steward.access.models import Role
from steward.access.registry import MenuItem, Permission, Registry, registry
from steward.core.apps import check_permission_registry
from steward.core.errors import DomainError
from steward.testing import grant


def test_each_app_declares_its_menus_and_actions_in_the_registry():
    names = set(registry.permissions)

    assert {"org.org:view", "org.employee:change", "org.employee:grade"} <= names
    assert {"access.role:change", "access.assignment:change"} <= names
    assert {"basedata.codetable:change", "basedata.parameter:change"} <= names
    assert {item.url_name for item in registry.menu} >= {"org:employee_list", "access:role_list"}


def test_every_menu_entry_needs_a_registered_permission_or_startup_fails(monkeypatch):
    assert check_permission_registry(None) == []

    monkeypatch.setattr(registry, "menu", [*registry.menu, MenuItem("ghost", "Ghost", "home", "ghost.menu:view", "X")])

    errors = check_permission_registry(None)
    assert [e.id for e in errors] == ["steward.E001"]
    assert "ghost.menu:view" in errors[0].msg


def test_a_permission_name_must_look_like_app_model_action_and_be_unique():
    fresh = Registry()
    fresh.add_permissions(Permission("leads.lead:reclaim", "Reclaim", "Leads"))

    with pytest.raises(ValueError, match="twice"):
        fresh.add_permissions(Permission("leads.lead:reclaim", "Again", "Leads"))
    for bad in ("reclaim", "leads:reclaim", "leads.lead"):
        with pytest.raises(ValueError, match="app.model:action"):
            fresh.add_permissions(Permission(bad, "Bad", "Leads"))


def test_checking_an_unregistered_permission_is_a_programming_error_not_a_silent_no(bank):
    # A typo in a view or service must fail loudly rather than quietly deny (or grant) everything.
    with pytest.raises(KeyError):
        services.has_permission(bank.admin, "org.employe:view")


def test_a_role_cannot_grant_a_permission_missing_from_the_registry(bank):
    grant(bank.admin, "access.role:view", "access.role:change", scope="all")
    api = APIClient()
    api.force_authenticate(bank.admin)

    response = api.post(
        "/api/v1/roles/",
        {"code": "ghost", "name": "幽灵", "permissions": ["org.employee:view", "ghost.thing:do"]},
        format="json",
    )

    assert response.status_code == 400
    assert "permissions" in response.json()
    assert not Role.objects.filter(code="ghost").exists()
    with pytest.raises(DomainError, match="ghost.thing:do"):
        services.save_role(bank.admin, Role(code="ghost", name="幽灵"), ["ghost.thing:do"])


def test_the_role_editor_lists_every_registered_permission_grouped(bank, client):
    grant(bank.admin, "access.role:view", "access.role:change", scope="all")
    client.force_login(bank.admin)

    page = client.get("/access/roles/add/").content.decode()

    for name in registry.permissions:
        assert f'value="{name}"' in page
    api = APIClient()
    api.force_authenticate(bank.admin)
    listed = {p["name"] for p in api.get("/api/v1/roles/registry/").json()}
    assert listed == set(registry.permissions)
