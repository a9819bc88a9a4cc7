"""Demo contacts for `manage.py seed_demo` (SVC-05): about a month of calls, visits, branch
meetings and WeChat chats of the demo RM ("rm") and a few colleagues with their customers, and
the SMS, e-mail, app and call-centre rows the automatic feeds would have written. Set-based;
the customers' last contact follows."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from steward.audit.services import log_bulk
from steward.customers.models import Customer
from steward.interactions import services
from steward.interactions.models import Interaction

SEED = 20261207
DAYS = 30
Channel, Direction, Outcome, Source = (
    Interaction.Channel,
    Interaction.Direction,
    Interaction.Outcome,
    Interaction.Source,
)

# (channel, direction, outcome, minutes or None, summary, next step), drawn with repetition.
MANUAL = [
    (
        Channel.CALL,
        Direction.OUTBOUND,
        Outcome.REACHED,
        6,
        "电话回访，客户对上月到期理财的再投资方案表示认可。",
        "下周发送产品说明书",
    ),
    (
        Channel.CALL,
        Direction.OUTBOUND,
        Outcome.REACHED,
        12,
        "介绍新发行的稳健型理财产品，客户需与家人商量。",
        "三天后再次电话跟进",
    ),
    (Channel.CALL, Direction.OUTBOUND, Outcome.NO_ANSWER, None, "电话无人接听。", "明天上午再拨"),
    (Channel.CALL, Direction.OUTBOUND, Outcome.BUSY, None, "占线。", ""),
    (Channel.CALL, Direction.OUTBOUND, Outcome.LEFT_MESSAGE, 1, "留言提醒客户风险评估即将到期。", "到期前一周再提醒"),
    (Channel.CALL, Direction.INBOUND, Outcome.REACHED, 8, "客户来电咨询大额存单利率。", "发送本周大额存单额度"),
    (
        Channel.CALL,
        Direction.OUTBOUND,
        Outcome.DECLINED,
        None,
        "客户表示近期不方便接听营销电话。",
        "一个月内不再电话营销",
    ),
    (
        Channel.VISIT,
        Direction.OUTBOUND,
        Outcome.REACHED,
        45,
        "上门拜访，了解家庭资产配置，客户关注子女教育金。",
        "准备教育金规划方案",
    ),
    (
        Channel.BRANCH_MEETING,
        Direction.INBOUND,
        Outcome.REACHED,
        30,
        "客户到网点办理业务，面谈基金定投。",
        "协助开通定投",
    ),
    (Channel.BRANCH_MEETING, Direction.INBOUND, Outcome.REACHED, 20, "客户到网点更新身份证件信息。", ""),
    (Channel.WECHAT, Direction.OUTBOUND, Outcome.REACHED, None, "企业微信沟通养老金账户开立事宜。", "约周五面签"),
    (Channel.WECHAT, Direction.OUTBOUND, Outcome.SENT, None, "企业微信发送本月理财早报。", ""),
]
# (source, channel, direction, outcome, summary)
AUTOMATIC = [
    (Source.SMS, Channel.SMS, Direction.OUTBOUND, Outcome.DELIVERED, "理财产品到期提醒短信"),
    (Source.SMS, Channel.SMS, Direction.OUTBOUND, Outcome.DELIVERED, "生日祝福短信"),
    (Source.SMS, Channel.SMS, Direction.OUTBOUND, Outcome.FAILED, "活动邀请短信（号码停机）"),
    (Source.EMAIL, Channel.EMAIL, Direction.OUTBOUND, Outcome.SENT, "月度对账单邮件"),
    (Source.PUSH, Channel.APP_PUSH, Direction.OUTBOUND, Outcome.DELIVERED, "手机银行推送：新发理财产品"),
]


def _at(rng: random.Random, today: dt.date, days_ago: int) -> dt.datetime:
    """A business-hours time `days_ago` days before today, local."""
    day = today - dt.timedelta(days=days_ago)
    moment = dt.datetime.combine(day, dt.time(rng.randint(9, 17), rng.choice((0, 10, 15, 20, 30, 40, 45, 50))))
    return timezone.make_aware(moment)


def seed_demo_interactions(now=None, seed: int = SEED) -> int:
    """About a month of contacts for the demo RM's customers and a few colleagues'; safe to re-run."""
    from steward.org.models import Employee

    now = now or timezone.now()
    if Interaction.objects.exists():
        return 0
    rms = list(Employee.objects.filter(position="rm", is_active=True).order_by("employee_no"))
    demo_rm = next((e for e in rms if e.employee_no == "rm"), None)
    if demo_rm is None:
        return 0
    colleagues = [e for e in rms if e.pk != demo_rm.pk][:3]
    books = [(demo_rm, list(Customer.objects.filter(owner=demo_rm).order_by("cif")[:40]))]
    books += [(rm, list(Customer.objects.filter(owner=rm).order_by("cif")[:8])) for rm in colleagues]
    rng = random.Random(seed)
    today = timezone.localdate(now)
    manual: list[Interaction] = []
    automatic: dict[str, list[dict]] = {}
    for employee, customers in books:
        for customer in customers:
            for _n in range(rng.randint(1, 4) if employee is demo_rm else rng.randint(1, 2)):
                channel, direction, outcome, minutes, summary, next_step = rng.choice(MANUAL)
                manual.append(
                    Interaction(
                        customer=customer,
                        employee=employee,
                        channel=channel,
                        direction=direction,
                        occurred_at=_at(rng, today, rng.randint(1, DAYS)),
                        duration_seconds=minutes * 60 + rng.randint(0, 59) if minutes else None,
                        outcome=outcome,
                        summary=summary,
                        next_step=next_step,
                        source=Source.MANUAL,
                        is_contact=services.counts_as_contact(outcome),
                        created_by=employee,
                        created_at=now,
                    )
                )
            if rng.random() < 0.6:
                source, channel, direction, outcome, summary = rng.choice(AUTOMATIC)
                rows = automatic.setdefault(source, [])
                rows.append(
                    {
                        "customer_id": customer.pk,
                        "channel": channel,
                        "direction": direction,
                        "outcome": outcome,
                        "occurred_at": _at(rng, today, rng.randint(1, DAYS)),
                        "summary": summary,
                        "external_ref": f"DEMO-{source.upper()}-{len(rows) + 1:06d}",
                    }
                )
    Interaction.objects.bulk_create(manual, batch_size=500)
    ids = list(Interaction.objects.filter(source=Source.MANUAL).values_list("pk", flat=True))
    log_bulk("create", Interaction, ids, message="demo contacts")
    services.touch_last_contact({row.customer_id for row in manual if row.is_contact})
    created = len(ids)
    for source, rows in automatic.items():
        created += services.record_automatic(rows, source=source, now=now)
    created += seed_demo_calls(demo_rm, books[0][1], now=now, rng=rng)
    return created


def seed_demo_calls(rm, customers, *, now, rng: random.Random) -> int:
    """Yesterday's call-centre calls as the telephone system posts them, matched by the end-of-day
    job (SVC-05, INT-05): most find the demo RM's customers by their number's blind index; a few
    numbers no customer has and an unknown extension show the unmatched report."""
    from django.db import transaction

    from steward.interactions.calls import _insert_calls, check_call, match_calls

    yesterday = timezone.localdate(now) - dt.timedelta(days=1)
    events = []
    for n, customer in enumerate(c for c in customers if c.mobile):
        if n >= 24:
            break
        answered = rng.random() < 0.75
        events.append(
            {
                "call_id": f"DEMO-CALL-{n + 1:04d}",
                "direction": "outbound" if n % 3 else "inbound",
                "started_at": _at(rng, timezone.localdate(now), 1).isoformat(),
                "duration_seconds": rng.randint(40, 600) if answered else 0,
                "outcome": "answered" if answered else "no_answer",
                "number": customer.mobile,
                "employee_no": rm.employee_no,
            }
        )
    for n, (number, extension) in enumerate((("13900001111", ""), ("02166668888", ""), ("", "8999"))):
        events.append(
            {
                "call_id": f"DEMO-CALL-X{n + 1}",
                "direction": "inbound",
                "started_at": _at(rng, timezone.localdate(now), 1).isoformat(),
                "duration_seconds": 60,
                "outcome": "answered",
                "number": number,
                "extension": extension,
            }
        )
    rows = [check_call(event, source=Source.CTI_EVENT, now=now) for event in events]
    with transaction.atomic():
        _insert_calls(rows, now)  # what record_call_events stores, without a feed account
    return match_calls(now=now, days=[yesterday]).interactions
