"""The reminder centre — SVC-03, DAT-05: acting on reminders, customers' important dates, and the
T+1 market-events file (IPO subscriptions, dividends). See docs/reminders-calendar.md.

* Reminders follow the customer: whose a reminder is is the customer's owner *now*
  (`reminders_of`), so a transfer hands the open reminders to the new owner with no rewrite.
* Acting: done, dismissed, or snoozed until a date on which it comes back by itself (read-time:
  a snoozed reminder whose date has come is open again, with no job to wake it). One reminder
  (`act_on_reminder`, audited by the automatic change capture) or many at once
  (`act_on_reminders`, one UPDATE and one audit summary per batch).
* The market-events file is keyed by (source, "market_events", data date) like the day's files:
  a re-run replaces that day's events and adds no reminder twice.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from steward.access.services import require_permission, require_visible
from steward.audit.services import log_bulk, log_event
from steward.basedata.services import parameter
from steward.core.errors import DomainError
from steward.core.services import service
from steward.customers.models import Customer
from steward.holdings.models import (
    Account,
    DailyBalance,
    ImportantDate,
    IntakeBatch,
    IntakeRejectedRow,
    MarketEvent,
    Product,
    Reminder,
)
from steward.holdings.reasons import english_reason, stored_reason

VIEW = "holdings.reminder:view"
ACT = "holdings.reminder:act"
DATE_VIEW = "holdings.important_date:view"
DATE_CHANGE = "holdings.important_date:change"

State = Reminder.State

# What a user may do with a reminder, as the page, the calendar and the API name it.
ACTIONS = ("done", "dismiss", "snooze", "reopen")
# Snooze choices of the buttons: one day, one week (or a date of the user's choosing).
SNOOZE_DAYS = {"1d": 1, "1w": 7}
MAX_SNOOZE_DAYS = 366


def local_today(now=None) -> dt.date:
    return timezone.localdate(now or timezone.now())


# ---------------------------------------------------------------- reading


def reminders_of(user, *, whose: str = "mine", permission: str = VIEW):
    """The reminders `user` may see under `permission`; "mine" (the default): only those on the
    customers the user owns now — the reminder follows its customer through a transfer.

    The customers are the data scope's (`Customer.visible_to`), narrowed to the user's own inside
    that one sub-select: PostgreSQL then reads them through the owner index (2,000 of 1,000,000),
    where a scope sub-select next to a separate owner filter was a scan of every customer (~450 ms)."""
    customers = Customer.objects.visible_to(user, permission)
    if whose != "all":
        customers = customers.filter(owner=user)
    return Reminder.objects.filter(customer_id__in=customers.values("pk"))


# ---------------------------------------------------------------- acting


def close_reminder_handled(actor, reminder_id: int) -> bool:
    """A contact planned or recorded from a reminder handles it: the reminder is marked done when
    the actor may act on it (it follows the customer, so any reminder on a customer of the
    actor's scope); otherwise, or when it was already handled, it stays as it is."""
    from steward.access.services import has_permission

    if not has_permission(actor, ACT):
        return False
    reminder = reminders_of(actor, whose="all", permission=ACT).filter(pk=reminder_id).first()
    if reminder is None or reminder.state in (State.DONE, State.DISMISSED):
        return False
    act_on_reminder(actor, reminder, "done")
    return True


def snooze_until(choice: str, today: dt.date, date: dt.date | None = None) -> dt.date:
    """The date a snooze choice means: "1d", "1w", or "date" with `date` (after today, within a year)."""
    if choice in SNOOZE_DAYS:
        return today + dt.timedelta(days=SNOOZE_DAYS[choice])
    if choice != "date" or date is None:
        raise DomainError(_("Choose how long to snooze: one day, one week or a date."), "until")
    return date


def _new_values(action: str, *, until: dt.date | None, today: dt.date) -> dict:
    if action not in ACTIONS:
        raise DomainError(
            _("Unknown action %(action)s; expected one of %(names)s.")
            % {"action": str(action)[:20], "names": ", ".join(ACTIONS)},
            "action",
        )
    if action == "snooze":
        if until is None:
            raise DomainError(_("Give the date the reminder comes back."), "until")
        if until <= today:
            raise DomainError(_("A reminder is snoozed until a day after today."), "until")
        if until > today + dt.timedelta(days=MAX_SNOOZE_DAYS):
            raise DomainError(_("A reminder is snoozed for at most a year."), "until")
        return {"state": State.SNOOZED, "snoozed_until": until, "is_done": False}
    state = {"done": State.DONE, "dismiss": State.DISMISSED, "reopen": State.OPEN}[action]
    return {"state": state, "snoozed_until": None, "is_done": state != State.OPEN}


@service
def act_on_reminder(actor, reminder: Reminder, action: str, *, until: dt.date | None = None, now=None) -> Reminder:
    """Mark one reminder done, dismiss it, snooze it until `until`, or open it again (SVC-03).
    Records who acted and when; the automatic change capture audits the change."""
    require_visible(actor, ACT, reminder)
    now = now or timezone.now()
    values = _new_values(action, until=until, today=local_today(now))
    for name, value in values.items():
        setattr(reminder, name, value)
    reminder.acted_by = actor
    reminder.acted_at = now
    reminder.save(update_fields=[*values, "acted_by", "acted_at"])
    return reminder


@service
def act_on_reminders(actor, reminders, action: str, *, until: dt.date | None = None, now=None) -> int:
    """The same on many reminders at once (a list's selection): one UPDATE of those the actor may
    act on, and one audit summary per batch of ids. Returns how many changed."""
    require_permission(actor, ACT)
    now = now or timezone.now()
    values = _new_values(action, until=until, today=local_today(now))
    allowed = Reminder.objects.visible_to(actor, ACT).values("pk")
    ids = list(reminders.filter(pk__in=allowed).values_list("pk", flat=True))
    if not ids:
        return 0
    changed = Reminder.objects.filter(pk__in=ids).update(**values, acted_by=actor, acted_at=now)
    log_bulk(
        "holdings.reminders_handled",
        Reminder,
        ids,
        actor=actor,
        message=f"{action}{' until ' + until.isoformat() if until else ''}",
        changes={"state": [None, values["state"]]},
    )
    return changed


# ---------------------------------------------------------------- important dates


def _raise_important_date(important: ImportantDate, today: dt.date, now) -> None:
    """Its reminder at once when its next occurrence is already within the lead time (the daily
    intake raises the later ones); open, untouched reminders of an earlier version are dropped."""
    Reminder.objects.filter(
        kind=Reminder.Kind.IMPORTANT_DATE,
        subject=important.reminder_subject,
        state=State.OPEN,
        acted_at__isnull=True,
        due_on__gte=today,
    ).delete()
    lead = int(parameter("holdings.important_date_reminder_days"))
    occurrence = important.next_on_or_after(today)
    if occurrence is None or occurrence > today + dt.timedelta(days=lead):
        return
    Reminder.objects.bulk_create(
        [
            Reminder(
                kind=Reminder.Kind.IMPORTANT_DATE,
                customer_id=important.customer_id,
                owner_id=important.customer.owner_id,
                subject=important.reminder_subject,
                due_on=occurrence,
                data_date=today,
                text=important.label,
            )
        ],
        ignore_conflicts=True,
    )


@service
def save_important_date(actor, important: ImportantDate, *, now=None) -> ImportantDate:
    """Enter or change a customer's important date (SVC-03); the customer must be in the actor's
    scope. Its reminder follows the new date."""
    require_permission(actor, DATE_CHANGE)
    customer = Customer.objects.visible_to(actor, DATE_CHANGE).filter(pk=important.customer_id).first()
    if customer is None:
        raise DomainError(_("No customer with this number in your data scope."), "customer")
    if important.pk is not None:
        require_visible(actor, DATE_CHANGE, important)
    now = now or timezone.now()
    if important.pk is None:
        important.created_by = actor
    important.full_clean(exclude=["created_by"])
    important.save()
    important.customer = customer
    _raise_important_date(important, local_today(now), now)
    return important


@service
def delete_important_date(actor, important: ImportantDate) -> None:
    """Remove a customer's important date with its reminders not acted on yet."""
    require_visible(actor, DATE_CHANGE, important)
    Reminder.objects.filter(
        kind=Reminder.Kind.IMPORTANT_DATE, subject=important.reminder_subject, acted_at__isnull=True
    ).delete()
    important.delete()


# ---------------------------------------------------------------- the market-events file

logger = logging.getLogger(__name__)

MARKET_ENTITY = "market_events"
MARKET_FILE = "market_events.csv"
MARKET_LAYOUT = ["product_code", "event_type", "date", "note"]
EVENT_TYPES = {kind.value for kind in MarketEvent.Kind}


def _market_row(products: dict[str, int]):
    from steward.holdings.intake import RowError, _date, _text

    def parse(line: int, values: list[str]) -> tuple:
        code = _text(values[0], "product_code", 40, required=True)
        if code not in products:
            raise RowError(stored_reason(gettext_noop("unknown product code %(code)s"), code=code))
        kind = values[1].strip().lower()
        if kind not in EVENT_TYPES:
            raise RowError(
                stored_reason(
                    gettext_noop("event_type must be ipo or dividend, not %(value)s"), value=values[1].strip()[:20]
                )
            )
        date = _date(values[2], "date", required=True)
        note = _text(values[3], "note", 200)
        return (line, products[code], kind, date, note)

    return parse


def load_market_events(actor, path, data_date: dt.date, *, source: str = "core", now=None) -> IntakeBatch:
    """Load one market-events file of `data_date` (docs/reminders-calendar.md) and raise the IPO and
    dividend reminders for the products' holders. Keyed by (source, market_events, data date): a
    re-run replaces the day's events of the source, and adds no reminder twice. A wrong header
    refuses the file with nothing applied; a bad row is quarantined with its line and reason."""
    from steward.holdings.intake import _claim, _open_text, _parse, _printable, check_source, this_runner

    now = now or timezone.now()
    path = Path(path)
    check_source(source)
    batch = _claim(source, MARKET_ENTITY, data_date, "", now)
    batch.file_name = path.name[:255]
    batch.file_path = str(path.resolve())[:500]
    batch.started_at = now
    batch.finished_at = None
    batch.runs += 1
    batch.loaded_by = actor
    batch.runner = this_runner()
    try:
        with _open_text(path) as handle:
            reader = csv.reader(handle)
            header = [h.strip() for h in next(reader, [])]
            if header != MARKET_LAYOUT:
                batch.error = stored_reason(
                    gettext_noop(
                        "Wrong header in %(file)s: expected %(expected)s, found %(found)s. Nothing was loaded."
                    ),
                    file=path.name,
                    expected=",".join(MARKET_LAYOUT),
                    found=_printable(",".join(header))[:500],
                )
                parsed = None
            else:
                products = dict(Product.objects.values_list("code", "pk"))
                parsed = _parse(reader, MARKET_ENTITY, _market_row(products), None, 0, len(MARKET_LAYOUT))
    except (OSError, csv.Error) as exc:
        parsed = None
        batch.error = stored_reason(gettext_noop("The file cannot be read: %(error)s"), error=exc)
    if parsed is None:
        batch.status = IntakeBatch.Status.REFUSED
        batch.finished_at = timezone.now()
        batch.save()
        log_event("holdings.intake_refused", batch, actor=actor, message=english_reason(batch.error)[:500])
        return batch
    # The same event twice in one file is one event: the later line is quarantined.
    seen: dict[tuple, int] = {}
    rows = []
    for row in parsed.rows:
        key = row[1:4]
        if key in seen:
            reason = stored_reason(gettext_noop("repeats line %(line)s"), line=seen[key])
            parsed.rejected.append((row[0], reason, []))
            continue
        seen[key] = row[0]
        rows.append(row)
    batch.status = IntakeBatch.Status.RUNNING
    batch.error = ""
    batch.save()
    try:
        raised = _apply_market_events(batch, path, parsed, rows, source, data_date, actor, now)
    except Exception as exc:
        # Whatever stopped the load, nothing of it was applied and the batch never stays "running".
        logger.exception("market events load of %s failed", batch)
        from steward.holdings.intake import fail_batch

        return fail_batch(batch, exc, actor=actor)
    batch.reminders_raised = raised
    return batch


def _apply_market_events(batch, path, parsed, rows, source, data_date, actor, now) -> int:
    """In one transaction: the day's events of the source replaced, the quarantine, the reminders."""
    from steward.holdings.intake import _printable

    with transaction.atomic():
        MarketEvent.objects.filter(source=source, data_date=data_date).delete()
        MarketEvent.objects.bulk_create(
            [
                MarketEvent(
                    source=source,
                    data_date=data_date,
                    line=line,
                    product_id=product_id,
                    kind=kind,
                    event_date=date,
                    note=note,
                )
                for line, product_id, kind, date, note in rows
            ],
            batch_size=1000,
        )
        IntakeRejectedRow.objects.filter(batch=batch).delete()
        raws = _raw_market_lines(path, {line for line, _reason, values in parsed.rejected if not values})
        IntakeRejectedRow.objects.bulk_create(
            [
                IntakeRejectedRow(
                    batch=batch, line=line, reason=reason, raw=_printable(",".join(values or raws.get(line, [])))
                )
                for line, reason, values in sorted(parsed.rejected, key=lambda item: item[0])
            ],
            batch_size=1000,
        )
        with connection.cursor() as cursor:
            raised = raise_market_event_reminders(cursor, data_date, now)
        batch.rows_read = parsed.read
        batch.rows_loaded = len(rows)
        batch.rows_rejected = len(parsed.rejected)
        batch.status = IntakeBatch.Status.LOADED
        batch.error = ""
        batch.finished_at = timezone.now()
        batch.last_loaded_at = batch.finished_at
        batch.save()
        log_event(
            "holdings.intake_loaded",
            batch,
            actor=actor,
            message=f"{MARKET_ENTITY} {data_date} ({source}): {len(rows)} loaded, "
            f"{len(parsed.rejected)} rejected, {raised} reminders raised",
        )
    return raised


def _raw_market_lines(path: Path, lines: set[int]) -> dict[int, list[str]]:
    if not lines:
        return {}
    from steward.holdings.intake import _raw_lines

    return _raw_lines(path, lines)


def raise_market_event_reminders(cursor, day: dt.date, now) -> int:
    """IPO-subscription and dividend reminders for the events in the next N days after `day`
    (parameter holdings.market_event_reminder_days), for the holders of the event's product: the
    customers with an open account of it and a positive balance on the latest data date. One
    set-based INSERT … SELECT; a reminder that exists already is kept (a re-run adds nothing)."""
    reminder_t, customer_t = Reminder._meta.db_table, Customer._meta.db_table
    account_t, product_t, balance_t = Account._meta.db_table, Product._meta.db_table, DailyBalance._meta.db_table
    event_t = MarketEvent._meta.db_table
    cursor.execute(f"SELECT MAX(data_date) FROM {balance_t}")
    latest = cursor.fetchone()[0]
    if latest is None:
        return 0
    if isinstance(latest, str):
        latest = dt.date.fromisoformat(latest)
    lead = int(parameter("holdings.market_event_reminder_days"))
    now_db = connection.ops.adapt_datetimefield_value(now) if connection.vendor == "sqlite" else now
    cursor.execute(
        f"INSERT INTO {reminder_t} (kind, customer_id, owner_id, subject, due_on, data_date, amount, text, is_done, "
        f"state, created_at) SELECT e.kind, a.customer_id, c.owner_id, p.code, e.event_date, %s, b.balance, e.note, "
        f"%s, 'open', %s FROM {event_t} e JOIN {product_t} p ON p.id = e.product_id "
        f"JOIN {account_t} a ON a.product_id = e.product_id "
        f"JOIN {balance_t} b ON b.account_id = a.id AND b.data_date = %s "
        f"JOIN {customer_t} c ON c.id = a.customer_id "
        f"WHERE e.event_date > %s AND e.event_date <= %s AND a.closed_on IS NULL AND b.balance > 0 "
        f"ON CONFLICT (kind, customer_id, subject, due_on) DO NOTHING",
        [day, False, now_db, latest, day, day + dt.timedelta(days=lead)],
    )
    return max(cursor.rowcount, 0)


def pending_market_event_days(folder: Path, source: str = "core") -> list[tuple[dt.date, Path]]:
    """Days of the drop folder holding a market-events file not loaded yet."""
    from steward.holdings.services import pending_single_files

    return pending_single_files(folder, source=source, entity=MARKET_ENTITY, filename=MARKET_FILE)


def load_market_events_from_drop_folder(actor=None, *, now) -> list[IntakeBatch]:
    """The job: every market-events file of the drop folder not loaded yet, oldest day first.
    A refused file is tried again on the next run (it may have been delivered again)."""
    from steward.holdings.services import drop_folder

    folder = drop_folder()
    batches = []
    for day, path in pending_market_event_days(folder) if folder is not None else []:
        try:
            batches.append(load_market_events(actor, path, day, now=now))
        except DomainError:  # (being loaded by another process right now)
            continue
    return batches
