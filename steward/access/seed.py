"""The six roles a new bank starts with (PLT-03). Administrators change them freely afterwards."""

from dataclasses import dataclass
from importlib import import_module

from django.apps import apps
from django.db import transaction

from steward.access.models import Role, RoleGrant
from steward.access.registry import registry
from steward.access.scope import SCOPE_ALL, SCOPE_OWN, SCOPE_SUBTREE, SCOPE_TEAM


@dataclass(frozen=True)
class RoleTemplate:
    code: str
    name: str
    name_en: str
    default_scope: str
    permissions: tuple[str, ...] | str  # names, or "*" for everything
    description: str = ""


ROLE_TEMPLATES = [
    RoleTemplate(
        "relationship_manager",
        "个人客户经理",
        "Relationship manager",
        SCOPE_OWN,
        ("org.org:view", "org.employee:view"),
        "维护本人名下客户；可查看本人记录及所属机构。",
    ),
    RoleTemplate(
        "team_lead",
        "团队主管",
        "Team lead",
        SCOPE_TEAM,
        ("org.org:view", "org.employee:view", "org.employee:export", "org.employee:online", "access.assignment:view"),
        "带领客户经理团队；可查看本团队的记录与汇总。",
    ),
    RoleTemplate(
        "branch_manager",
        "支行/分行行长",
        "Branch manager",
        SCOPE_SUBTREE,
        (
            "org.org:view",
            "org.org:add",
            "org.org:change",
            "org.org:export",
            "org.employee:view",
            "org.employee:add",
            "org.employee:change",
            "org.employee:grade",
            "org.employee:export",
            "org.employee:online",
            "access.assignment:view",
            "access.assignment:change",
            "access.role:view",
            "access.token:view",
            "access.token:revoke",
        ),
        "管理本行及其全部下级机构。",
    ),
    RoleTemplate(
        "marketing_manager",
        "营销管理岗",
        "Marketing manager",
        SCOPE_SUBTREE,
        (
            "org.org:view",
            "org.org:export",
            "org.employee:view",
            "org.employee:export",
            "basedata.codetable:view",
            "basedata.parameter:view",
        ),
        "为所辖机构策划营销活动。",
    ),
    RoleTemplate(
        "compliance_auditor",
        "合规审计岗",
        "Compliance auditor",
        SCOPE_ALL,
        (
            "org.org:view",
            "org.org:export",
            "org.employee:view",
            "org.employee:export",
            "org.employee:online",
            "access.role:view",
            "access.assignment:view",
            "access.token:view",
            "basedata.codetable:view",
            "basedata.parameter:view",
            "core.api:docs",
        ),
        "可查看全部数据，不能修改。",
    ),
    RoleTemplate(
        "system_admin",
        "系统管理员",
        "System administrator",
        SCOPE_ALL,
        "*",
        "配置系统：机构、员工、角色、码表与参数。",
    ),
]


def app_seed_grants() -> dict[str, set[str]]:
    """What each app adds to the template roles: ``SEED_ROLE_PERMISSIONS`` in its permissions.py."""
    grants: dict[str, set[str]] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("steward."):
            continue
        try:
            module = import_module(f"{config.name}.permissions")
        except ModuleNotFoundError:
            continue
        for role_code, names in getattr(module, "SEED_ROLE_PERMISSIONS", {}).items():
            grants.setdefault(role_code, set()).update(names)
    return grants


@transaction.atomic
def ensure_seed_roles() -> dict[str, Role]:
    """Create the template roles that are missing; existing roles keep their edited grants."""
    roles = {}
    extra = app_seed_grants()
    for template in ROLE_TEMPLATES:
        role, created = Role.objects.get_or_create(
            code=template.code,
            defaults={
                "name": template.name,
                "name_en": template.name_en,
                "default_scope": template.default_scope,
                "description": template.description,
            },
        )
        if created:
            if template.permissions == "*":
                names = list(registry.permissions)
            else:
                names = sorted(set(template.permissions) | extra.get(template.code, set()))
            RoleGrant.objects.bulk_create([RoleGrant(role=role, permission=name) for name in names])
        roles[template.code] = role
    return roles
