"""Demo data of the tags app: four tag categories, manual and rule tags, a system group and a
personal group of the demo RM. Idempotent: nothing is created once the categories exist."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from steward.core.errors import DomainError
from steward.tags.models import CustomerGroup, Tag, TagCategory

CATEGORIES = [
    ("value", "客户价值", "客户对本行的价值贡献", 10),
    ("lifecycle", "生命周期", "客户所处的人生与关系阶段", 20),
    ("product", "产品偏好", "客户持有与偏好的产品", 30),
    ("risk", "风险", "服务与合规需要留意的情况", 40),
]

# (category, code, name, colour, definition or None for a manual tag, description)
TAGS = [
    ("value", "key-account", "重点维护", "red", None, "客户经理认定需要重点维护的客户"),
    (
        "value",
        "aum-6m",
        "资产600万以上",
        "orange",
        {"op": "and", "rules": [{"field": "aum", "operator": "gte", "value": "6000000"}]},
        "金融资产（AUM）不低于600万元",
    ),
    (
        "lifecycle",
        "near-retirement",
        "临近退休",
        "teal",
        {"op": "and", "rules": [{"field": "age", "operator": "between", "value": [55, 60]}]},
        "年龄55至60岁，养老规划的好时机",
    ),
    ("lifecycle", "new-customer", "新客户", "green", None, "近期新开户、仍在培育期"),
    (
        "product",
        "fund-holder",
        "持有基金",
        "purple",
        {"op": "and", "rules": [{"field": "category", "operator": "holds", "value": ["funds"]}]},
        "最新数据日持有基金产品",
    ),
    ("product", "likes-wealth", "偏好理财", "azure", None, "面谈中表示偏好理财产品"),
    ("risk", "complaint-sensitive", "投诉敏感", "pink", None, "曾有投诉，沟通需谨慎"),
]


def seed_demo_tags(now=None) -> int:
    from steward.customers.models import Customer
    from steward.org.models import Employee, Org
    from steward.tags import services

    now = now or timezone.now()
    if TagCategory.objects.exists():
        return 0
    marketing = Employee.objects.filter(employee_no="marketing").first()
    rm = Employee.objects.filter(employee_no="rm").first()
    if marketing is None:
        return 0
    created = 0
    categories = {}
    for code, name, description, order in CATEGORIES:
        categories[code] = services.create_category(
            marketing, code=code, name=name, description=description, sort_order=order
        )
        created += 1
    tags = {}
    for category, code, name, color, definition, description in TAGS:
        try:
            tags[code] = services.create_tag(
                marketing,
                category=categories[category],
                code=code,
                name=name,
                kind=Tag.Kind.RULE if definition else Tag.Kind.MANUAL,
                definition=definition,
                description=description,
                color=color,
                now=now,
            )
        except (DomainError, PermissionDenied):  # e.g. a rule naming a product category this bank lacks
            continue
        created += 1
    head = Org.objects.filter(code="HO").first() or Org.objects.order_by("path").first()
    system = services.create_group(
        marketing,
        name="2026年理财沙龙邀约名单",
        kind=CustomerGroup.Kind.SYSTEM,
        description="总行营销部组织的季度理财沙龙，各行客户经理将名下合适的客户加入本群组。",
        org=head,
    )
    created += 1
    if rm is not None:
        book = list(
            Customer.objects.visible_to(rm, "customers.customer:view")
            .filter(owner=rm)
            .order_by("cif")
            .values_list("pk", flat=True)[:40]
        )
        if book:
            services.tag_customers(rm, tags["key-account"], book[:8], now=now)
            services.tag_customers(rm, tags["likes-wealth"], book[4:14], now=now)
            services.tag_customers(rm, tags["new-customer"], book[30:36], now=now)
            services.tag_customers(rm, tags["complaint-sensitive"], book[20:22], now=now)
            personal = services.create_group(
                rm, name="本月重点回访", description="本月需要当面回访的客户", kind=CustomerGroup.Kind.PERSONAL
            )
            services.add_members(rm, personal, book[:12], now=now)
            services.add_members(rm, system, book[10:18], now=now)
            created += 1
    services.recompute_rule_tags(marketing, now=now)
    return created
