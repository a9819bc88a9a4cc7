"""Demo calendar for `manage.py seed_demo` (SVC-03, SVC-04): the demo RM ("rm") finds a filled
calendar — reminders of every kind on their customers across this month and next (a few important
dates and market events behind them), and a few notes of their own. Idempotent: a second run adds
nothing. Bulk writes only."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from steward.agenda.models import CalendarNote
from steward.agenda.services import all_day_bounds

SEED = 20261207
DEMO_RM = "rm"

# (title, text, all day, day of the month from its first, hour, minutes): the demo RM's own notes.
NOTES = [
    ("周例会：本周到期产品跟进", "梳理本周到期的理财与定期，逐户确认续作意向。", False, 1, 9, 60),
    ("网点理财沙龙", "主题：2027年家庭资产配置。准备资料、邀请名单。", False, 6, 15, 120),
    ("季度业绩回顾", "与团队长回顾本季度 AUM 与新增客户。", False, 12, 16, 60),
    ("客户答谢会（全天）", "分行客户答谢会，负责接待与签到。", True, 20, 0, 0),
    ("风险评估集中更新", "集中安排风险评估即将到期的客户到网点更新。", True, 33, 0, 0),
]


def month_span(today: dt.date) -> tuple[dt.date, dt.date]:
    """The first day of this month and the last day of next month."""
    first = today.replace(day=1)
    after_next = (first.replace(day=28) + dt.timedelta(days=40)).replace(day=1)
    last = (after_next.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return first, last


def seed_demo_agenda(now=None) -> int:
    """Reminders of every kind for the demo RM's customers and a few notes; returns how many records."""
    from steward.org.models import Employee

    rm = Employee.objects.filter(employee_no=DEMO_RM).first()
    if rm is None or CalendarNote.objects.filter(owner=rm).exists():
        return 0
    now = now or timezone.now()
    today = timezone.localdate(now)
    created = _seed_reminders(rm, today)
    created += _seed_notes(rm, today)
    return created


def _seed_reminders(rm, today: dt.date) -> int:
    from steward.customers.models import Customer
    from steward.holdings.models import Account, ImportantDate, MarketEvent, Reminder, yearly_occurrence

    customers = list(Customer.objects.filter(owner=rm).order_by("pk")[:60])
    if not customers:
        return 0
    rng = random.Random(SEED)
    first, last = month_span(today)
    span = (last - first).days + 1

    def day() -> dt.date:
        return first + dt.timedelta(days=rng.randrange(span))

    accounts = {
        a.customer_id: a
        for a in Account.objects.filter(customer__in=customers, closed_on__isnull=True).select_related("product")
    }
    rows = []
    dates = []
    labels = ["结婚纪念日", "子女升学", "保单续保", "退休日", "乔迁纪念"]
    for i, customer in enumerate(customers):
        account = accounts.get(customer.pk)
        product = account.product if account else None
        code, name = (product.code, product.name) if product else ("", "")
        kind = list(Reminder.Kind)[i % len(Reminder.Kind)]
        due = day()
        subject, text, amount = "", "", None
        if kind == Reminder.Kind.LARGE_TRANSACTION:
            due = first + dt.timedelta(days=rng.randrange(max((today - first).days, 1)))
            subject, text, amount = f"DEMO{i:05d}", rng.choice("CD"), rng.choice([520000, 800000, 1200000])
        elif kind in (Reminder.Kind.MATURITY, Reminder.Kind.IPO, Reminder.Kind.DIVIDEND):
            subject, text = code or f"P{i}", name or "理财产品"
            if kind == Reminder.Kind.MATURITY:
                amount = rng.choice([50000, 200000, 1000000])
            elif kind == Reminder.Kind.IPO:
                text = "新股申购：科创板新股申购日"
            else:
                text = "分红派息登记日"
        elif kind == Reminder.Kind.CARD_EXPIRY:
            subject, text = f"{1000 + i:04d}", "信用卡"
        elif kind == Reminder.Kind.RISK_EXPIRY:
            text = customer.risk_level or "R3"
        elif kind == Reminder.Kind.IMPORTANT_DATE:
            important = ImportantDate(
                customer=customer, date=yearly_occurrence(due, due.year - 10), label=labels[i % 5]
            )
            dates.append(important)
            text = important.label
        rows.append((kind, customer, subject, due, text, amount))
    ImportantDate.objects.bulk_create(dates)
    by_customer = {d.customer_id: d for d in dates}
    reminders = []
    for kind, customer, subject, due, text, amount in rows:
        if kind == Reminder.Kind.IMPORTANT_DATE:
            subject = by_customer[customer.pk].reminder_subject
        reminders.append(
            Reminder(
                kind=kind,
                customer=customer,
                owner=rm,
                subject=subject,
                due_on=due,
                data_date=today - dt.timedelta(days=1),
                text=text,
                amount=amount,
            )
        )
    # A few handled already: the centre shows its states.
    for reminder in reminders[:3]:
        reminder.state, reminder.is_done = Reminder.State.DONE, True
        reminder.acted_by, reminder.acted_at = rm, timezone.now()
    if len(reminders) > 4:
        reminders[3].state, reminders[3].snoozed_until = Reminder.State.SNOOZED, today + dt.timedelta(days=3)
    Reminder.objects.bulk_create(reminders, ignore_conflicts=True)
    # The market events behind the IPO and dividend reminders, as the T+1 file would have brought.
    events = {}
    for reminder in reminders:
        if reminder.kind in (Reminder.Kind.IPO, Reminder.Kind.DIVIDEND) and reminder.customer.pk in accounts:
            product_id = accounts[reminder.customer.pk].product_id
            events[(product_id, reminder.kind, reminder.due_on)] = MarketEvent(
                source="core",
                data_date=today - dt.timedelta(days=1),
                product_id=product_id,
                kind=reminder.kind,
                event_date=reminder.due_on,
                note=reminder.text,
            )
    MarketEvent.objects.bulk_create(list(events.values()), ignore_conflicts=True)
    return len(reminders) + len(dates) + len(events)


def _seed_notes(rm, today: dt.date) -> int:
    from steward.customers.models import Customer

    first, _last = month_span(today)
    customer = Customer.objects.filter(owner=rm).order_by("pk").first()
    notes = []
    for i, (title, text, all_day, offset, hour, minutes) in enumerate(NOTES):
        day = first + dt.timedelta(days=offset)
        if all_day:
            starts_at, ends_at = all_day_bounds(day, day + dt.timedelta(days=1) if i == 3 else day)
        else:
            starts_at = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
            ends_at = starts_at + dt.timedelta(minutes=minutes)
        notes.append(
            CalendarNote(
                owner=rm,
                title=title,
                text=text,
                starts_at=starts_at,
                ends_at=ends_at,
                all_day=all_day,
                customer=customer if i == 1 else None,
            )
        )
    CalendarNote.objects.bulk_create(notes)
    return len(notes)
