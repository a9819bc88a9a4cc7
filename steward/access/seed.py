"""The six roles a new bank starts with (PLT-03). Administrators change them freely afterwards."""

from dataclasses import dataclass

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
        "Looks after their own customers; sees their own record and org.",
    ),
    RoleTemplate(
        "team_lead",
        "团队主管",
        "Team lead",
        SCOPE_TEAM,
        ("org.org:view", "org.employee:view", "org.employee:export", "org.employee:online", "access.assignment:view"),
        "Leads a team of RMs; sees the team's records and aggregates.",
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
        ),
        "Runs a branch and everything under it.",
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
        "Plans campaigns for the orgs under their anchor.",
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
            "basedata.codetable:view",
            "basedata.parameter:view",
            "core.api:docs",
        ),
        "Reads everything, changes nothing.",
    ),
    RoleTemplate(
        "system_admin",
        "系统管理员",
        "System administrator",
        SCOPE_ALL,
        "*",
        "Configures the system: orgs, staff, roles, code tables, parameters.",
    ),
]


@transaction.atomic
def ensure_seed_roles() -> dict[str, Role]:
    """Create the template roles that are missing; existing roles keep their edited grants."""
    roles = {}
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
            names = list(registry.permissions) if template.permissions == "*" else template.permissions
            RoleGrant.objects.bulk_create([RoleGrant(role=role, permission=name) for name in names])
        roles[template.code] = role
    return roles
