"""A small but complete seeded bank for the security crawls (issue 11, point 12).

Built with the project's own demo seeders, sized down: two branches (A = the demo logins'
branch, B = the other one), customers with ID numbers, mobiles, addresses, cards and accounts
(loaded through the real T+1 intake), employees with ID numbers, mobiles and e-mails, private
notes, a confidential customer, tags, groups, segments, applications and notices — and, in
branch B, one of each object an RM of branch A could try to reach by id.

`SeededBank.secrets` lists every plain value a crawl greps for, with who may legitimately see
it in plain (nobody, for personal data shown without an explicit unmask).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.utils import timezone

from steward.conftest import _english_by_default, _fresh_cache  # noqa: F401  (the app tests' autouse fixtures: messages in English, a clean cache)
from steward.testing import TEST_PASSWORD

# The demo logins (steward/org/demo.py) and the seed role each one holds.
DEMO_ROLES = {
    "admin": "system_admin",
    "auditor": "compliance_auditor",
    "marketing": "marketing_manager",
    "branch": "branch_manager",
    "lead": "team_lead",
    "rm": "relationship_manager",
}


@dataclass(frozen=True)
class Secret:
    kind: str  # id_number, mobile, account, email, address, private_note, confidential_name
    value: str
    where: str  # "customers.Customer#12.mobile": where the value lives
    allowed: frozenset = frozenset()  # employee ids who may see it in plain without unmasking


@dataclass
class SeededBank:
    users: dict  # "admin", "auditor", "marketing", "branch", "lead", "rm", "branch_b", "lead_b", "rm_b"
    branch_a: object
    branch_b: object
    secrets: list = field(default_factory=list)
    b_objects: dict = field(default_factory=dict)  # "app.Model" -> [pk, …] of branch B
    interesting: dict = field(default_factory=dict)  # "app.Model" -> [pk, …] worth crawling in any case

    def login(self, client, name: str):
        client.force_login(self.users[name])
        return client


def _secrets() -> list[Secret]:
    """Every plain personal value in the seeded database, read back from the models."""
    from steward.customers.models import ConfidentialGrant, Customer, CustomerNote
    from steward.holdings.models import Account
    from steward.org.models import Employee

    secrets: list[Secret] = []

    def add(kind, value, where, allowed=frozenset()):
        value = (value or "").strip()
        if len(value) >= 6:
            secrets.append(Secret(kind, value, where, frozenset(allowed)))

    for customer in Customer.objects.all():
        add("id_number", customer.id_number, f"customers.Customer#{customer.pk}.id_number")
        add("mobile", customer.mobile, f"customers.Customer#{customer.pk}.mobile")
        add("address", customer.address, f"customers.Customer#{customer.pk}.address")
        if customer.is_confidential:
            allowed = {customer.owner_id} | set(
                ConfidentialGrant.objects.filter(customer=customer).values_list("user_id", flat=True)
            )
            secrets.append(
                Secret("confidential_name", customer.name, f"customers.Customer#{customer.pk}.name", frozenset(allowed))
            )
    for employee in Employee.objects.all():
        add("id_number", employee.id_number, f"org.Employee#{employee.pk}.id_number")
        add("mobile", employee.mobile, f"org.Employee#{employee.pk}.mobile")
        add("email", employee.email, f"org.Employee#{employee.pk}.email")
    for account in Account.objects.all():
        kind = "card" if account.expires_on else "account"  # cards carry an expiry date
        add(kind, account.number, f"holdings.Account#{account.pk}.number")
    public = set(CustomerNote.objects.filter(is_private=False).values_list("body", flat=True))
    for note in CustomerNote.objects.filter(is_private=True).exclude(body__in=public):  # the demo repeats bodies
        add("private_note", note.body, f"customers.CustomerNote#{note.pk}.body", {note.author_id})
    return secrets


def build_seeded_bank() -> SeededBank:
    from steward.approvals import services as approvals
    from steward.approvals.demo import seed_demo_approvals
    from steward.customers import services as customers
    from steward.customers.demo import seed_demo_customers
    from steward.customers.models import Customer
    from steward.holdings.demo import seed_demo_holdings
    from steward.notices.demo import seed_demo_notices
    from steward.org.demo import BankSize, build_bank
    from steward.org.models import Employee, Org
    from steward.segments.demo import seed_demo_segments
    from steward.segments.models import Segment
    from steward.segments.services import create_segment
    from steward.tags import services as tags
    from steward.tags.demo import seed_demo_tags
    from steward.tags.models import CustomerGroup, Tag

    now = timezone.now()
    build_bank(
        BankSize(branches=2, sub_branches_per_branch=1, teams_per_sub_branch=1, rms_per_team=2),
        password=TEST_PASSWORD,
    )
    seed_demo_holdings(customers=16, days=2, now=now)  # every RM of both branches gets customers with accounts
    seed_demo_customers(count=48)  # 40 for "rm" (two of them confidential), 8 unassigned at its team
    seed_demo_tags(now=now)
    seed_demo_segments(now=now)
    seed_demo_notices(now=now)
    seed_demo_approvals(now=now)

    users = {name: Employee.objects.get(employee_no=name) for name in DEMO_ROLES}
    branch_a = users["branch"].org
    branch_b = Org.objects.filter(kind=Org.Kind.BRANCH).exclude(pk=branch_a.pk).get()
    in_b = Employee.objects.filter(org__path__startswith=branch_b.path)
    users["branch_b"] = in_b.get(position="branch_manager", org=branch_b)
    users["lead_b"] = in_b.filter(position="team_lead").first()
    users["rm_b"] = in_b.filter(position="rm").order_by("employee_no").first()
    rm_b, rm = users["rm_b"], users["rm"]

    # E-mails: the demo staff have none.
    for index, employee in enumerate(Employee.objects.order_by("pk")):
        employee.email = f"staff.{index:03d}.{employee.employee_no.lower()}@bank-{index:03d}.example.cn"
        employee.save(update_fields=["email"])

    # Private notes with bodies nobody else writes (the demo notes repeat four sentences).
    a_customers = list(Customer.objects.filter(owner=rm, is_confidential=False).order_by("cif")[:3])
    b_customers = list(Customer.objects.filter(owner=rm_b).order_by("cif"))
    assert len(b_customers) >= 3, "the intake gave branch B's RM too few customers"
    customers.add_note(
        rm, a_customers[0], "私密备注甲：客户透露其配偶患病，暂不便推荐长期产品。", private=True, now=now
    )
    customers.add_note(rm_b, b_customers[0], "私密备注乙：客户计划年底前离婚，资产可能分割。", private=True, now=now)
    customers.add_note(rm_b, b_customers[0], "分行乙的公开备注：客户偏好电话联系。", now=now)

    # The confidential customers get names no other customer has; one more in branch B.
    for index, customer in enumerate(Customer.objects.filter(is_confidential=True).order_by("pk")):
        customer.name = f"机密客户{'甲乙丙丁'[index]}某某"
        customer.save(update_fields=["name"])
    Customer.objects.filter(pk=b_customers[1].pk).update(is_confidential=True, name="机密客户戊某某")
    # An audited change of personal data (the trail holds its before/after).
    customers.update_customer(rm, a_customers[1], mobile="13912345670", address="上海市浦东新区世纪大道100号8层801室")
    # (the intake's code values are not in the demo code tables: cleared, so the service accepts the record)
    Customer.objects.filter(pk=b_customers[2].pk).update(income_band="", occupation="", education="")
    b_customers[2].refresh_from_db()
    customers.update_customer(rm_b, b_customers[2], mobile="13987654321", address="广东省深圳市南山区科技园路1号2栋")

    # Branch B's own objects: a household, a personal group with members, a tag, a segment, an application.
    household = customers.create_household(rm_b, b_customers[0], name="乙家")
    customers.add_household_member(rm_b, household, b_customers[2], "spouse")
    group = tags.create_group(rm_b, name="分行乙重点客户", kind=CustomerGroup.Kind.PERSONAL)
    tags.add_members(rm_b, group, [c.pk for c in b_customers], now=now)
    manual = Tag.objects.filter(kind=Tag.Kind.MANUAL, is_active=True).order_by("pk").first()
    tags.tag_customers(rm_b, manual, [c.pk for c in b_customers], now=now)
    create_segment(
        rm_b,
        name="分行乙稳健客户",
        kind=Segment.Kind.SNAPSHOT,
        definition={"op": "and", "rules": [{"field": "risk_level", "operator": "gte", "value": "R1"}]},
        now=now,
    )
    approvals.submit(
        rm_b,
        "approvals.leave",
        reason="分行乙客户经理请假。",
        payload={"leave_type": "personal", "start_date": "2027-01-05", "end_date": "2027-01-05"},
        now=now,
    )

    from steward.notices import services as notices
    from steward.notices.models import Notice

    notice = notices.save_notice(
        users["branch_b"],
        None,
        title="分行乙内部通知",
        body="仅分行乙员工可见。",
        audience=Notice.Audience.ORGS,
        orgs=[branch_b],
        now=now,
    )
    notices.publish_notice(users["branch_b"], notice, now=now)

    bank = SeededBank(users=users, branch_a=branch_a, branch_b=branch_b)
    bank.b_objects = _branch_b_objects(branch_b)
    # The customers worth aiming at first: the one with a private note and a household, the confidential one.
    first = [b_customers[0].pk, b_customers[1].pk]
    bank.b_objects["customers.Customer"] = first + [
        pk for pk in bank.b_objects["customers.Customer"] if pk not in first
    ]
    bank.secrets = _secrets()
    return bank


def _branch_b_objects(branch_b) -> dict[str, list[int]]:
    """The ids of branch B's records, by model: what a forger of branch A aims at."""
    from steward.access.models import RoleAssignment
    from steward.approvals.models import Application
    from steward.audit.models import AuditEntry
    from steward.customers.models import Customer, CustomerNote, Household
    from steward.holdings.models import Account
    from steward.notices.models import Notice, Notification
    from steward.org.models import Employee, Org
    from steward.segments.models import Segment
    from steward.tags.models import CustomerGroup, CustomerTag, GroupMember

    under = branch_b.path
    return {
        "org.Org": list(Org.objects.filter(path__startswith=under).values_list("pk", flat=True)),
        "org.Employee": list(Employee.objects.filter(org__path__startswith=under).values_list("pk", flat=True)),
        "access.RoleAssignment": list(
            RoleAssignment.objects.filter(org__path__startswith=under).values_list("pk", flat=True)
        ),
        "customers.Customer": list(Customer.objects.filter(org__path__startswith=under).values_list("pk", flat=True)),
        "customers.CustomerNote": list(
            CustomerNote.objects.filter(customer__org__path__startswith=under).values_list("pk", flat=True)
        ),
        "customers.Household": list(Household.objects.filter(org__path__startswith=under).values_list("pk", flat=True)),
        "holdings.Account": list(
            Account.objects.filter(customer__org__path__startswith=under).values_list("pk", flat=True)
        ),
        "tags.CustomerGroup": list(
            CustomerGroup.objects.filter(owner__org__path__startswith=under).values_list("pk", flat=True)
        ),
        "tags.GroupMember": list(
            GroupMember.objects.filter(customer__org__path__startswith=under).values_list("pk", flat=True)
        ),
        "tags.CustomerTag": list(
            CustomerTag.objects.filter(customer__org__path__startswith=under).values_list("pk", flat=True)
        ),
        "segments.Segment": list(Segment.objects.filter(org__path__startswith=under).values_list("pk", flat=True)),
        "audit.AuditEntry": list(
            AuditEntry.objects.filter(actor__org__path__startswith=under)
            .order_by("-pk")
            .values_list("pk", flat=True)[:2]
        ),
        "notices.Notice": list(Notice.objects.filter(org__path__startswith=under).values_list("pk", flat=True)),
        "notices.Notification": list(
            Notification.objects.filter(recipient__org__path__startswith=under).values_list("pk", flat=True)
        ),
        "approvals.Application": list(
            Application.objects.filter(submitter__org__path__startswith=under).values_list("pk", flat=True)
        ),
    }


@pytest.fixture
def seeded_bank(db) -> SeededBank:
    return build_seeded_bank()


# --- the routes of the application -------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One URL pattern: `template` has "{name}" per path parameter."""

    template: str
    params: tuple  # ((name, converter or "regex"), …)
    view: object
    api: bool
    name: str

    @property
    def param_names(self) -> tuple:
        return tuple(name for name, _kind in self.params)


def _piece(pattern) -> tuple[str, list]:
    import re

    raw = str(pattern)
    params = []
    if hasattr(pattern, "_route"):  # path(): <int:pk>, <str:tab>

        def converter(match):
            params.append((match.group(2), (match.group(1) or "str:").rstrip(":")))
            return "{" + match.group(2) + "}"

        return re.sub(r"<(?:(\w+:))?(\w+)>", converter, raw), params

    def group(match):  # re_path() of the API router: (?P<pk>[^/.]+)
        params.append((match.group(1), "regex"))
        return "{" + match.group(1) + "}"

    text = re.sub(r"\(\?P<(\w+)>((?:[^()]|\([^()]*\))*)\)", group, raw)
    return text.lstrip("^").rstrip("$"), params


def all_routes() -> list[Route]:
    """Every URL pattern of the project, from the URL resolver (format-suffix twins left out)."""
    from django.urls import URLResolver, get_resolver

    found = []

    def walk(patterns, prefix, prefix_params, namespace):
        for pattern in patterns:
            text, params = _piece(pattern.pattern)
            if isinstance(pattern, URLResolver):
                space = ":".join(filter(None, [namespace, pattern.namespace]))
                walk(pattern.url_patterns, prefix + text, prefix_params + params, space)
                continue
            if any(name == "format" for name, _kind in params):
                continue
            callback = pattern.callback
            view = getattr(callback, "view_class", None) or getattr(callback, "cls", None) or callback
            name = ":".join(filter(None, [namespace, pattern.name]))
            found.append(
                Route("/" + prefix + text, tuple(prefix_params + params), view, hasattr(callback, "cls"), name)
            )

    walk(get_resolver().url_patterns, "", [], "")
    return found


# Path prefixes whose {pk} is not the view's own model (checked in this order).
PK_MODELS = [
    ("/segments/", "segments.Segment"),
    ("/tags/categories/", "tags.TagCategory"),
    ("/tags/customers/", "customers.Customer"),
    ("/tags/", "tags.Tag"),
    ("/groups/", "tags.CustomerGroup"),
    ("/jobs/runs/", "jobs.JobRun"),
    ("/jobs/", "jobs.Job"),
    ("/notices/notifications/", "notices.Notification"),
    ("/notices/", "notices.Notice"),
    ("/approvals/attachments/", "approvals.Attachment"),
    ("/approvals/", "approvals.Application"),
    ("/holdings/intake/", "holdings.IntakeBatch"),
    ("/holdings/customer/", "customers.Customer"),
    ("/customers/notes/", "customers.CustomerNote"),
    ("/customers/households/", "customers.Household"),
    ("/customers/", "customers.Customer"),
    ("/privacy/reveal/", None),  # by model_label
    ("/account/second-factors/", "org.Employee"),
    ("/audit/", "audit.AuditEntry"),
    ("/org/orgs/", "org.Org"),
    ("/org/employees/", "org.Employee"),
    ("/access/roles/", "access.Role"),
    ("/basedata/code-tables/", "basedata.CodeTable"),
    ("/basedata/parameters/", "basedata.SystemParameter"),
]


def model_of(route: Route):
    """The model whose ids fill the route's {pk}, or None."""
    from django.apps import apps

    for prefix, label in PK_MODELS:
        if route.template.startswith(prefix):
            return apps.get_model(label) if label else None
    queryset = getattr(route.view, "queryset", None)
    if queryset is not None:
        return queryset.model
    return getattr(route.view, "model", None)
