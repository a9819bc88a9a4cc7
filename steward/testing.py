"""Factories and helpers shared by every app's tests (and the benchmarks)."""

from __future__ import annotations

import factory
from django.contrib.auth.hashers import make_password

from steward.access.models import Role, RoleAssignment, RoleGrant
from steward.access.services import forget_grants
from steward.org.models import Employee, Org, path_segment

TEST_PASSWORD = "Test-pass-2026"
_HASHED: dict[str, str] = {}


def hashed_test_password() -> str:
    if TEST_PASSWORD not in _HASHED:
        _HASHED[TEST_PASSWORD] = make_password(TEST_PASSWORD)
    return _HASHED[TEST_PASSWORD]


class OrgFactory(factory.django.DjangoModelFactory):
    """Builds a node with a correct materialized path under `parent` (a head office if none)."""

    class Meta:
        model = Org

    code = factory.Sequence(lambda n: f"ORG{n:05d}")
    name = factory.Sequence(lambda n: f"机构{n}")
    kind = Org.Kind.TEAM
    parent = None
    path = factory.Sequence(lambda n: f"tmp-{n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        org = super()._create(model_class, *args, **kwargs)
        parent = org.parent
        org.path = (parent.path if parent else "") + path_segment(org.pk)
        org.depth = parent.depth + 1 if parent else 0
        org.save(update_fields=["path", "depth"])
        return org


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee

    employee_no = factory.Sequence(lambda n: f"T{n:06d}")
    name = factory.Faker("name", locale="zh_CN")
    org = factory.SubFactory(OrgFactory)
    password = factory.LazyFunction(hashed_test_password)
    mobile = factory.Sequence(lambda n: f"139{n:08d}")


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role

    code = factory.Sequence(lambda n: f"role_{n}")
    name = factory.Sequence(lambda n: f"角色{n}")
    name_en = factory.Sequence(lambda n: f"Role {n}")


def make_role(*permissions: str, code: str | None = None) -> Role:
    role = RoleFactory(**({"code": code} if code else {}))
    RoleGrant.objects.bulk_create([RoleGrant(role=role, permission=p) for p in permissions])
    return role


def grant(user: Employee, *permissions: str, scope: str = "subtree", org: Org | None = None) -> RoleAssignment:
    """Give `user` a fresh role with `permissions` at `org` (their own org by default)."""
    assignment = RoleAssignment.objects.create(
        user=user, role=make_role(*permissions), org=org or user.org, scope=scope
    )
    forget_grants(user)
    return assignment
