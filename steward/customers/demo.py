"""Demo customers: a few hundred realistic personal customers owned by the demo RMs (deterministic).

The 10,000-customer demo with 90 days of history comes with the daily intake (steward.holdings).
"""

from __future__ import annotations

import random

from django.utils import timezone
from faker import Faker

from steward.audit.services import log_bulk
from steward.core.errors import DomainError
from steward.customers.identity import parse_mobile, parse_resident_id
from steward.customers.models import CoManager, Customer, CustomerFigures, CustomerNote, Household, HouseholdMember
from steward.privacy.crypto import blind_index

SEED = 20261124
OCCUPATIONS = ["01", "02", "02", "03", "04", "04", "08", "09", "99"]
EDUCATION = ["01", "02", "03", "03", "04", "05"]
INCOME = ["01", "02", "02", "03", "04", "05"]
RISK = ["R1", "R2", "R2", "R3", "R3", "R4", "R5"]
SOURCES = ["branch", "branch", "mobile_app", "referral", "payroll", "event"]
NOTES = [
    "偏好稳健型理财，关注到期再投资。",
    "子女明年出国留学，有换汇需求。",
    "对基金定投感兴趣，约下周面谈。",
    "代发工资客户，可推荐信用卡。",
]


def _customer(n: int, org, owner, rng: random.Random, fake: Faker) -> Customer:
    id_number = fake.ssn()
    person = parse_resident_id(id_number)
    customer = Customer(
        cif=f"6{n:09d}",
        name=fake.name_female() if person.gender == "F" else fake.name_male(),
        id_type="01",
        id_number=id_number,
        id_number_index=blind_index("id_number", id_number),  # bulk_create skips the pre_save hook
        birth_date=person.birth_date,
        gender=person.gender,
        address=fake.address()[:200],
        occupation=rng.choice(OCCUPATIONS),
        education=rng.choice(EDUCATION),
        income_band=rng.choice(INCOME),
        risk_level=rng.choice(RISK),
        risk_expires_on=fake.date_between(start_date="-60d", end_date="+700d"),
        kyc_status=rng.choice([Customer.Kyc.VERIFIED] * 8 + [Customer.Kyc.PENDING, Customer.Kyc.EXPIRED]),
        source=rng.choice(SOURCES),
        sms_subscribed=rng.random() < 0.7,
        phone_notice_subscribed=rng.random() < 0.3,
        org=org,
        owner=owner,
    )
    try:
        facts = parse_mobile(fake.phone_number())
    except DomainError:
        return customer
    customer.mobile = facts.number
    customer.mobile_index = blind_index("mobile", facts.number)  # bulk_create skips the pre_save hook
    customer.mobile_province, customer.mobile_city, customer.mobile_carrier = facts.province, facts.city, facts.carrier
    return customer


def seed_demo_customers(count: int = 300, seed: int = SEED) -> int:
    """`count` customers: 40 for the demo login "rm", 20 unassigned at its team, the rest spread over
    every RM of the demo bank; "rm" co-manages a few of a colleague's and owns two confidential ones."""
    from steward.org.models import Employee

    if Customer.objects.filter(cif__startswith="6").exists():
        return 0
    rms = list(Employee.objects.filter(position="rm", is_active=True).select_related("org").order_by("pk"))
    if not rms:
        return 0
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    demo_rm = next((e for e in rms if e.employee_no == "rm"), rms[0])
    others = [e for e in rms if e.pk != demo_rm.pk] or rms
    customers = []
    for n in range(count):
        if n < 40:
            owner = demo_rm
        elif n < 60:
            owner = None
        else:
            owner = others[n % len(others)]
        customers.append(_customer(n + 1, owner.org if owner else demo_rm.org, owner, rng, fake))
    customers[0].is_confidential = customers[1].is_confidential = True
    Customer.objects.bulk_create(customers, batch_size=500)
    saved = list(Customer.objects.filter(cif__startswith="6").order_by("cif"))
    # bulk_create sends no post_save: give the new customers their figures rows here.
    CustomerFigures.objects.bulk_create([CustomerFigures(customer=c) for c in saved], ignore_conflicts=True)
    log_bulk("create", Customer, [c.pk for c in saved], message="demo customers")
    colleagues = [c for c in saved if c.owner_id and c.owner_id != demo_rm.pk and c.org_id == demo_rm.org_id]
    CoManager.objects.bulk_create([CoManager(customer=c, user=demo_rm) for c in colleagues[:5]])
    now = timezone.now()
    CustomerNote.objects.bulk_create(
        [
            CustomerNote(customer=c, author=demo_rm, body=rng.choice(NOTES), is_private=i % 4 == 3, created_at=now)
            for i, c in enumerate(saved[:12])
        ]
    )
    # Two demo households of the demo RM's customers (CUS-08): a couple with a child, and a couple.
    own = [c for c in saved if c.owner_id == demo_rm.pk and not c.is_confidential]
    for head, *members in (own[2:5], own[5:7]):
        household = Household.objects.create(name=f"{head.name[0]}家", head=head, org_id=head.org_id)
        roles = [HouseholdMember.Role.SPOUSE, HouseholdMember.Role.CHILD]
        HouseholdMember.objects.bulk_create(
            [HouseholdMember(household=household, customer=head, role=HouseholdMember.Role.HEAD)]
            + [HouseholdMember(household=household, customer=c, role=r) for c, r in zip(members, roles, strict=False)]
        )
    return len(saved)
