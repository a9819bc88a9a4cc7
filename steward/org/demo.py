"""A realistic, deterministic demo bank (orgs, staff, roles, logins) — used by seed_demo and bench/.

Later modules add customers, leads and campaigns on top of what this builds.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from faker import Faker

from steward.access.models import RoleAssignment
from steward.access.seed import ensure_seed_roles
from steward.audit.services import log_bulk
from steward.org.models import Employee, Org, path_segment
from steward.privacy.crypto import blind_index

DEMO_PASSWORD = "Steward@2026"

CITIES = ["北京", "上海", "深圳", "广州", "杭州", "成都", "南京", "武汉", "西安", "苏州", "天津", "重庆"]
DISTRICTS = [
    "朝阳",
    "海淀",
    "西城",
    "东城",
    "浦东",
    "徐汇",
    "静安",
    "南山",
    "福田",
    "天河",
    "越秀",
    "西湖",
    "锦江",
    "鼓楼",
    "江汉",
    "雁塔",
    "姑苏",
    "和平",
    "渝中",
    "滨江",
    "武侯",
    "玄武",
    "洪山",
    "碑林",
]
LEVELS = ["L1", "L2", "L3", "L4", "L5"]
TIERS = ["T1", "T2", "T3"]


@dataclass
class DemoLogin:
    employee_no: str
    role: str
    org: str


@dataclass
class BankSize:
    branches: int = 3
    sub_branches_per_branch: int = 3
    teams_per_sub_branch: int = 2
    rms_per_team: int = 2


def _org(code, name, kind, parent, pk_holder, rng, fake) -> Org:
    org = Org(
        code=code, name=name, kind=kind, parent=parent, path=f"tmp-{code}", depth=parent.depth + 1 if parent else 0
    )
    if kind in (Org.Kind.BRANCH, Org.Kind.SUB_BRANCH, Org.Kind.HEAD_OFFICE):
        org.address = fake.address().split(" ")[0]
        org.phone = f"0{rng.randint(10, 99)}-{rng.randint(60000000, 89999999)}"
        org.business_hours = "周一至周五 9:00-17:00，周六 9:00-16:00"
        org.latitude = round(rng.uniform(22.5, 40.0), 6)
        org.longitude = round(rng.uniform(104.0, 121.5), 6)
    pk_holder.append(org)
    return org


@transaction.atomic
def build_bank(
    size: BankSize, seed: int = 20261123, password: str = DEMO_PASSWORD, employee_prefix: str = "E"
) -> list[DemoLogin]:
    """Build the org tree, staff and role assignments in bulk, reproducibly from `seed`."""
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    roles = ensure_seed_roles()
    hashed = make_password(password)

    created: list[Org] = []
    head = _org("HO", "总行", Org.Kind.HEAD_OFFICE, None, created, rng, fake)
    head.save()
    head.path = path_segment(head.pk)
    head.save(update_fields=["path"])
    departments = {}
    for code, name in [("HO-RB", "零售银行部"), ("HO-CP", "合规部"), ("HO-IT", "信息科技部")]:
        departments[code] = _create_child(code, name, Org.Kind.DEPARTMENT, head, rng, fake)

    employees: list[Employee] = []
    assignments: list[tuple[Employee, str, Org, str]] = []
    counter = [0]

    def hire(
        org: Org, position: str, level: str | None = None, employee_no: str | None = None, name: str | None = None
    ) -> Employee:
        counter[0] += 1
        employee = Employee(
            employee_no=employee_no or f"{employee_prefix}{counter[0]:06d}",
            name=name or fake.name(),
            org=org,
            position=position,
            level=level or rng.choice(LEVELS),
            tier=rng.choice(TIERS),
            allocation_weight=rng.choice([1, 1, 2, 3]),
            mobile=fake.phone_number(),
            id_number=(id_number := fake.ssn()),
            # bulk_create skips the pre_save hook that fills the blind index
            id_number_index=blind_index("id_number", id_number),
            password=hashed,
            hired_on=fake.date_between(start_date="-15y", end_date="-30d"),
        )
        employees.append(employee)
        return employee

    logins: list[DemoLogin] = []

    def login(employee: Employee, role_code: str, org: Org, scope: str):
        assignments.append((employee, role_code, org, scope))
        if employee.employee_no.isalpha():
            logins.append(DemoLogin(employee.employee_no, roles[role_code].name_en, org.name))

    admin = hire(departments["HO-IT"], "it_admin", "L3", "admin", "系统管理员")
    login(admin, "system_admin", head, "all")
    auditor = hire(departments["HO-CP"], "compliance", "L3", "auditor", fake.name())
    login(auditor, "compliance_auditor", head, "all")
    marketing = hire(departments["HO-RB"], "marketing", "L3", "marketing", fake.name())
    login(marketing, "marketing_manager", head, "subtree")

    cities = (
        CITIES[: size.branches]
        if size.branches <= len(CITIES)
        else [f"{CITIES[i % len(CITIES)]}{i // len(CITIES) + 1}" for i in range(size.branches)]
    )
    district_iter = iter(DISTRICTS * (1 + size.branches * size.sub_branches_per_branch // len(DISTRICTS)))
    team_no = 0
    for b, city in enumerate(cities, start=1):
        branch = _create_child(f"B{b:02d}", f"{city}分行", Org.Kind.BRANCH, head, rng, fake)
        manager = hire(branch, "branch_manager", "L5", "branch" if b == 1 else None)
        login(manager, "branch_manager", branch, "subtree")
        for s in range(1, size.sub_branches_per_branch + 1):
            district = next(district_iter)
            sub = _create_child(f"B{b:02d}S{s:02d}", f"{city}{district}支行", Org.Kind.SUB_BRANCH, branch, rng, fake)
            sub_manager = hire(sub, "branch_manager", "L4")
            login(sub_manager, "branch_manager", sub, "subtree")
            for t in range(1, size.teams_per_sub_branch + 1):
                team_no += 1
                team = _create_child(
                    f"B{b:02d}S{s:02d}T{t:02d}", f"{city}{district}支行财富管理{t}组", Org.Kind.TEAM, sub, rng, fake
                )
                first_team = team_no == 1
                lead = hire(team, "team_lead", "L4", "lead" if first_team else None)
                login(lead, "team_lead", team, "team")
                for r in range(size.rms_per_team):
                    rm = hire(team, "rm", None, "rm" if first_team and r == 0 else None)
                    login(rm, "relationship_manager", team, "own")

    Employee.objects.bulk_create(employees, batch_size=500)
    saved = {e.employee_no: e for e in Employee.objects.filter(employee_no__in=[e.employee_no for e in employees])}
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user=saved[e.employee_no], role=roles[code], org=org, scope=scope)
            for e, code, org, scope in assignments
        ],
        batch_size=500,
    )
    log_bulk("create", Employee, [e.pk for e in saved.values()], message="demo bank")
    log_bulk("create", RoleAssignment, list(RoleAssignment.objects.values_list("pk", flat=True)), message="demo bank")
    return logins


def _create_child(code, name, kind, parent, rng, fake) -> Org:
    holder: list[Org] = []
    org = _org(code, name, kind, parent, holder, rng, fake)
    org.save()
    org.path = parent.path + path_segment(org.pk)
    org.save(update_fields=["path"])
    return org
