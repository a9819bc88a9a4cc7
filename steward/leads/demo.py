"""Demo potential customers for `manage.py seed_demo` (issue 15 point 10): the demo RM ("rm") finds
leads in every stage and pool — waiting in their org's public pool (some still cooling), in a
department pool and their personal pool, held by them with a month of follow-ups (valid and not),
opportunities, appointments this week and protection ending tomorrow, converted into their
customers, invalid with a reason, and a pair of duplicates — with the bank-wide and a branch
protection rule, two institutions and a few region routes. Idempotent; bulk writes only."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

SEED = 20261207
DEMO_RM = "rm"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英", "华", "平"]
# Mainland mobile prefixes whose region the prefix data knows (Beijing, Shanghai, Guangzhou, Shenzhen…).
PREFIXES = ["1390100", "1380013", "1391000", "1372100", "1380200", "1392000", "1360755", "1371000"]
CAMPAIGNS = ["2026 开门红", "代发工资专项", "手机银行拉新", "理财沙龙"]


def seed_demo_leads(now=None) -> int:
    from steward.leads.models import Lead
    from steward.org.models import Employee

    rm = Employee.objects.filter(employee_no=DEMO_RM).select_related("org").first()
    if rm is None or Lead.objects.exists():
        return 0
    now = now or timezone.now()
    rng = random.Random(SEED)
    created = _rules_and_institutions(rm)
    created += _leads(rm, rng, now)
    return created


def _rules_and_institutions(rm) -> int:
    from steward.leads.models import Institution, Lead, ProtectionRule, RegionRoute
    from steward.org.models import Org

    branch = rm.org.parent.parent if rm.org.parent_id and rm.org.parent.parent_id else rm.org
    ProtectionRule.objects.bulk_create(
        [
            ProtectionRule(org=None, level="", first_contact_days=7, min_valid_followups=1, valid_window_days=30),
            ProtectionRule(
                org=branch, level=Lead.Level.HIGH, first_contact_days=3, max_followups_without_intent=5,
                min_valid_followups=2, valid_window_days=14,
            ),
        ]
    )  # fmt: skip
    Institution.objects.bulk_create(
        [
            Institution(code="payroll-acme", name="华兴科技有限公司（代发工资）", kind="payroll", org=branch),
            Institution(code="partner-insure", name="安和保险（合作机构）", kind="partner", org=branch),
        ]
    )
    branches = list(Org.objects.filter(kind=Org.Kind.BRANCH).order_by("code")[:3]) or [branch]
    routes = [("北京市", ""), ("上海市", ""), ("广东省", "")]
    RegionRoute.objects.bulk_create(
        [RegionRoute(province=p, city=c, org=branches[i % len(branches)]) for i, (p, c) in enumerate(routes)]
    )
    return 2 + 2 + len(routes)


def _person(rng, n):
    from steward.leads.services import mobile_region

    name = rng.choice(SURNAMES) + rng.choice(GIVEN)
    region = mobile_region(f"{rng.choice(PREFIXES)}{n:04d}")
    return name, region


def _leads(rm, rng, now) -> int:
    from steward.audit.services import log_bulk
    from steward.customers.models import Customer
    from steward.interactions.models import Interaction
    from steward.leads.models import Institution, Lead, LeadMove, LeadPool, Opportunity
    from steward.leads.services import public_pool
    from steward.privacy.crypto import blind_index

    org = rm.org
    public = public_pool(org.pk)
    department = LeadPool.objects.create(kind=LeadPool.Kind.DEPARTMENT, name=f"{org.name}部门池", org=org)
    personal = LeadPool.objects.create(kind=LeadPool.Kind.PERSONAL, name=f"{rm.name}的个人池", org=org, holder=rm)
    invalid = LeadPool.objects.create(kind=LeadPool.Kind.INVALID, name=f"{org.name}无效池", org=org)
    public.daily_claim_cap, public.max_held, public.new_lead_cooling_hours = 20, 80, 2
    public.save()
    institutions = list(Institution.objects.all())
    leads, plan = [], []
    n = 0

    def lead(**fields):
        nonlocal n
        n += 1
        name, region = _person(rng, n)
        fields.setdefault("source", rng.choice(["channel", "manual", "import", "institution"]))
        item = Lead(
            name=name, mobile=region.number, mobile_index=blind_index("mobile", region.number),
            mobile_province=region.province, mobile_city=region.city, mobile_carrier=region.carrier,
            org=org,
            campaign=rng.choice(CAMPAIGNS), created_by=rm,
            created_at=now - dt.timedelta(days=rng.randint(20, 40)),
            level=rng.choice(["normal", "normal", "high", "low"]), **fields,
        )  # fmt: skip
        if item.source == "institution" and institutions:
            item.institution = rng.choice(institutions)
        if item.source == "channel":
            item.channel, item.channel_ref = "mobile_banking", f"MB{SEED}{n}"
        leads.append(item)
        return item

    for i in range(40):  # waiting to be claimed; the newest few still cooling
        lead(pool=public, pooled_at=now - (dt.timedelta(minutes=30) if i < 4 else dt.timedelta(days=rng.randint(1, 9))))
    for _i in range(8):
        lead(pool=department, pooled_at=now - dt.timedelta(days=rng.randint(1, 5)))
    for _i in range(5):
        lead(pool=personal, pooled_at=now - dt.timedelta(days=rng.randint(1, 5)))
    for stage in ["new"] * 6 + ["contacted"] * 10 + ["intent"] * 8 + ["valid"] * 6:
        held = lead(holder=rm, stage=stage, assigned_at=now - dt.timedelta(days=rng.randint(3, 28)))
        plan.append(held)
    for _i in range(4):
        lead(
            pool=invalid,
            pooled_at=now - dt.timedelta(days=3),
            stage="invalid",
            invalid_reason=rng.choice(["空号", "无意向，明确拒绝", "重复登记"]),
        )
    customers = list(Customer.objects.filter(owner=rm).order_by("cif")[:5])
    for customer in customers:  # converted into the RM's customers
        lead(
            customer=customer,
            stage="converted",
            converted_at=now - dt.timedelta(days=rng.randint(1, 20)),
            converted_by=rm,
        )
    twin = lead(pool=public, pooled_at=now - dt.timedelta(days=2))
    duplicate = lead(pool=public, pooled_at=now - dt.timedelta(days=1), source="manual")
    duplicate.name, duplicate.mobile, duplicate.mobile_index = twin.name, twin.mobile, twin.mobile_index
    created = Lead.objects.bulk_create(leads)
    log_bulk("create", Lead, [item.pk for item in created], message="demo leads")

    touches, moves, opportunities = [], [], []
    channels = [
        ("call", "reached", 180),
        ("call", "no_answer", None),
        ("wechat", "reached", None),
        ("visit", "reached", 1800),
    ]
    for item in plan:
        moves.append(LeadMove(lead=item, kind=rng.choice(["claim", "assign"]), to_holder=rm, at=item.assigned_at))
        count = {"new": 0, "contacted": rng.randint(1, 3), "intent": rng.randint(2, 4), "valid": rng.randint(3, 6)}[
            item.stage
        ]
        last_valid = None
        for k in range(count):
            at = item.assigned_at + dt.timedelta(days=1 + k * 2, hours=rng.randint(1, 8))
            at = min(at, now - dt.timedelta(hours=1))
            channel, outcome, seconds = rng.choice(channels)
            valid = outcome == "reached"
            touches.append(
                Interaction(
                    lead=item, employee=rm, channel=channel, direction="outbound", occurred_at=at, outcome=outcome,
                    duration_seconds=seconds, summary=rng.choice(["介绍代发工资卡权益", "了解理财需求", "约见网点面谈"]),
                    is_contact=valid, is_valid_followup=valid, created_by=rm, created_at=at,
                )
            )  # fmt: skip
            item.followups += 1
            if valid:
                item.valid_followups += 1
                last_valid = at
            item.last_followup_at = at
        deadline = (last_valid + dt.timedelta(days=30)) if last_valid else item.assigned_at + dt.timedelta(days=7)
        item.protected_until = max(deadline, now + dt.timedelta(hours=rng.randint(6, 20)))
        if item.stage in ("intent", "valid"):
            item.intent_at = item.assigned_at + dt.timedelta(days=3)
            opportunities.append(
                Opportunity(lead=item, title=rng.choice(["稳健理财", "大额存单", "代发工资卡"]), amount=rng.choice([50000, 200000, 1000000]),
                            stage=rng.choice(["identified", "proposed", "negotiating"]), owner=rm, created_at=item.intent_at)
            )  # fmt: skip
        if item.stage == "valid":
            item.valid_at = item.intent_at + dt.timedelta(days=2)
    for item in plan[:5]:  # five appointments this week
        item.appointment_at = (now + dt.timedelta(days=rng.randint(0, 5))).replace(
            hour=rng.choice([10, 14, 16]), minute=0
        )
        item.appointment_note = "网点面谈"
    for item in plan[5:8]:  # three whose protection ends tomorrow
        item.protected_until = now + dt.timedelta(hours=rng.randint(12, 22))
    Lead.objects.bulk_update(
        plan,
        [
            "followups",
            "valid_followups",
            "last_followup_at",
            "protected_until",
            "intent_at",
            "valid_at",
            "appointment_at",
            "appointment_note",
        ],
    )
    Interaction.objects.bulk_create(touches)
    LeadMove.objects.bulk_create(moves)
    Opportunity.objects.bulk_create(opportunities)
    return len(created) + len(touches) + len(moves) + len(opportunities) + 4
