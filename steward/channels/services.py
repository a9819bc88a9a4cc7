"""Queueing, sending and settling messages — INT-05 (one channel layer), CUS-16 (subscriptions).

* `queue_messages` puts one message per recipient in the outbox with one ``INSERT … SELECT`` (any
  number of recipients, a constant number of statements): the text is rendered by the database
  from the template and the recipient's row, the address taken, and each row decided at once —
  queued, held for the SMS send window, or refused with its reason (no address, not subscribed …).
* Queued messages are handed to the workers after the commit (`dispatch`, a Celery task per chunk
  of ids); `send_message` sends one through its channel's adapter, checking the recipient's
  subscriptions again at that moment, and records the attempt. A temporary failure is tried again
  after a wait that doubles each time (``channels.retry_base_seconds``) up to
  ``channels.max_attempts`` attempts; a permanent one fails the message with the channel's words.
* The system job ``channels.release_due_messages`` (every minute) releases held messages when the
  window opens, sends the retries that are due and settles SMS whose delivery report never came.
* `record_receipts` applies the SMS gateway's delivery reports (idempotent).
* When a message's outcome is final, `message_settled` is sent (steward.channels.signals).

Purposes and subscriptions (docs/channels.md): a marketing message or a service notice by SMS or
e-mail needs the customer's subscription to that channel (``sms_subscribed``, ``email_subscribed``);
a mandatory notice (``channels.message:mandatory``) goes regardless. Push has no subscription in
Steward: the app's own notification settings decide on the device.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import operator
from dataclasses import dataclass, field
from functools import partial

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from steward.access.services import require_permission
from steward.audit.services import log_bulk
from steward.channels import adapters, templating, window
from steward.channels.defaults import MAX_ATTEMPTS, RECEIPT_WAIT_HOURS, RETRY_SECONDS
from steward.channels.models import (
    UNSENT,
    Channel,
    DeliveryAttempt,
    DeliveryReceipt,
    MessageBatch,
    OutboundMessage,
    Purpose,
    Reason,
    Status,
)
from steward.channels.permissions import MANDATORY, RECEIPT, SEND
from steward.channels.signals import message_settled
from steward.core.errors import DomainError
from steward.core.services import service

logger = logging.getLogger(__name__)

# Ids per Celery task: a mass SMS of 100,000 is 200 tasks the workers share.
CHUNK = 500
# A message a worker took ("sending") this long ago without an outcome: its worker died; it is
# queued again (the gateway receives our `client_ref` and can drop a repeat).
STALE_SENDING = dt.timedelta(minutes=15)
# A queued message handed to a worker this long ago and still queued (the task was lost, e.g. the
# broker restarted) is handed over again by the release job.
REDISPATCH_AFTER = dt.timedelta(minutes=10)
MAX_RETRY_WAIT = dt.timedelta(hours=6)
MAX_RECEIPTS = 1000


# --- queueing -----------------------------------------------------------------------------------------


@dataclass
class QueueResult:
    """What `queue_messages` did: the batch (if any), the new messages' ids, and how many were
    queued, held for the send window and refused (with their reasons)."""

    batch: MessageBatch | None
    ids: list[int]
    counts: dict[str, int] = field(default_factory=dict)
    reasons: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.ids)


def _recipient_model(recipients):
    from django.db.models import QuerySet

    from steward.customers.models import Customer
    from steward.org.models import Employee

    if isinstance(recipients, QuerySet):
        model = recipients.model
        inner = recipients.values("pk") if recipients.query.is_sliced else recipients.order_by().values("pk")
        base = model.objects.filter(pk__in=inner)
    else:
        items = list(recipients or [])
        if not items:
            raise DomainError(_("Choose at least one recipient."), field="recipients")
        kinds = {type(item) for item in items}
        if len(kinds) > 1 or (kinds and not {Customer, Employee} >= kinds):
            raise DomainError(_("Recipients are customers or employees, not both at once."), field="recipients")
        model = kinds.pop() if kinds else Customer
        base = model.objects.filter(pk__in=[item.pk for item in items])
    if model not in (Customer, Employee):
        raise DomainError(_("Recipients are customers or employees."), field="recipients")
    return model, base


def _refusals(model, channel: str, purpose: str) -> list[tuple[Q, str]]:
    """(condition over the recipient's row, reason) in the order they are checked — the same rules
    `recipient_refusal` applies to one message when it is sent."""
    from steward.customers.models import Customer

    address = {"sms": "mobile", "email": "email"}.get(channel)
    rules = []
    if model is Customer:
        rules.append((Q(status=Customer.Status.MERGED), Reason.CUSTOMER_MERGED))
        if purpose != Purpose.MANDATORY:
            rules.append((Q(status=Customer.Status.CLOSED), Reason.CUSTOMER_CLOSED))
    else:
        from steward.org.models import Employee

        rules.append((Q(status=Employee.Status.LEFT) | Q(is_active=False), Reason.EMPLOYEE_LEFT))
    if address:
        rules.append((Q(**{address: ""}) | Q(**{f"{address}__isnull": True}), Reason.NO_ADDRESS))
    if model is Customer and purpose != Purpose.MANDATORY and channel in SUBSCRIPTION_FIELDS:
        rules.append((Q(**{SUBSCRIPTION_FIELDS[channel]: False}), Reason.NOT_SUBSCRIBED))
    return rules


# The customer's subscription each channel needs (CUS-16); push has none in Steward.
SUBSCRIPTION_FIELDS = {"sms": "sms_subscribed", "email": "email_subscribed"}


def _address_expression(model, channel: str):
    from steward.customers.models import Customer

    if channel == Channel.PUSH:
        return F("cif") if model is Customer else F("employee_no")
    return Coalesce(F("mobile" if channel == Channel.SMS else "email"), Value(""), output_field=CharField())


def create_batch(actor, name: str, channel: str, purpose: str) -> MessageBatch:
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the batch a name."), field="batch")
    return MessageBatch.objects.create(
        name=name[:200],
        channel=channel,
        purpose=purpose,
        created_by=actor,
        org_id=getattr(actor, "org_id", None),
    )


@service
def queue_messages(
    actor,
    channel: str,
    recipients,
    *,
    subject: str = "",
    body: str,
    purpose: str,
    batch: MessageBatch | str | None = None,
    now: dt.datetime | None = None,
) -> QueueResult:
    """Queue one message per recipient (customers or employees: a queryset, or a list of them).

    `body` and `subject` are templates over the recipients' fields (steward.channels.templating);
    `batch` is a MessageBatch or the name of a new one. `actor` is the member of staff sending,
    who needs ``channels.message:send`` (and ``channels.message:mandatory`` for a mandatory
    notice) and must see every recipient under it; ``None`` is Steward itself (a scheduled job),
    with no permission or scope to check. Refused recipients get a refused message with its
    reason, so the outbox says why they got nothing. All or nothing, in a constant number of
    statements whatever the number of recipients."""
    explicit_now = now  # the tasks work for it (tests, a job's business moment); else the clock
    now = now or timezone.now()
    if channel not in Channel.values:
        raise DomainError(_("Choose a channel: SMS, e-mail or app push."), field="channel")
    if purpose not in Purpose.values:
        raise DomainError(_("Choose a purpose: service notice, marketing or mandatory notice."), field="purpose")
    if actor is not None:
        require_permission(actor, SEND)
        if purpose == Purpose.MANDATORY:
            require_permission(actor, MANDATORY)
    body = (body or "").strip()
    subject = (subject or "").strip()
    if not body:
        raise DomainError(_("Write the text of the message."), field="body")
    if channel == Channel.EMAIL and not subject:
        raise DomainError(_("An e-mail needs a subject."), field="subject")
    if len(subject) > 200:
        raise DomainError(_("The subject has at most 200 characters."), field="subject")

    from steward.customers.models import Customer

    model, base = _recipient_model(recipients)
    fields = templating.CUSTOMER_FIELDS if model is Customer else templating.EMPLOYEE_FIELDS
    body_template = templating.parse(body, fields, what="body")
    subject_template = templating.parse(subject, fields, what="subject")

    label = "cif" if model is Customer else "employee_no"
    if actor is not None:
        # NOT EXISTS (an anti-join), not NOT IN (…): PostgreSQL cannot turn NOT IN into an anti-join,
        # and once the scope's ids outgrow work_mem it re-reads them for every recipient — a mass
        # SMS to 100,000 of a 1,000,000-customer bank spent minutes here instead of a second.
        visible = model.objects.visible_to(actor, SEND).filter(pk=OuterRef("pk"))
        outside = base.exclude(Exists(visible))
        sample = list(outside.order_by(label).values_list(label, flat=True)[:5])
        if sample:
            raise DomainError(
                _("%(count)s recipients are outside your data scope, e.g. %(sample)s.")
                % {"count": outside.count(), "sample": ", ".join(sample)},
                field="recipients",
            )
    if isinstance(batch, str):
        batch = create_batch(actor, batch, channel, purpose)
    elif batch is not None and batch.channel != channel:
        raise DomainError(_("The batch is for another channel."), field="batch")

    rows = _insert_messages(actor, model, base, channel, purpose, body_template, subject_template, fields, batch, now)
    if not rows:
        raise DomainError(_("Choose at least one recipient."), field="recipients")
    ids = [pk for pk, _status, _reason in rows]
    counts: dict[str, int] = {}
    reasons: dict[str, int] = {}
    for _pk, status, reason in rows:
        counts[status] = counts.get(status, 0) + 1
        if reason:
            reasons[reason] = reasons.get(reason, 0) + 1
    if batch is not None:
        MessageBatch.objects.filter(pk=batch.pk).update(total=F("total") + len(ids))
        batch.refresh_from_db(fields=["total"])
    summary = ", ".join(f"{status} {count}" for status, count in sorted(counts.items()))
    log_bulk("channels.queued", OutboundMessage, ids, actor=actor, message=f"{channel} {purpose}: {summary}")
    _announce({pk: Status.REFUSED for pk, status, _r in rows if status == Status.REFUSED}, now)
    dispatch([pk for pk, status, _r in rows if status == Status.QUEUED], explicit_now)
    return QueueResult(batch, ids, counts, reasons)


def _insert_messages(actor, model, base, channel, purpose, body_template, subject_template, fields, batch, now):
    """One INSERT … SELECT over the recipients; answers (id, status, reason) of each new message."""
    from steward.customers.models import Customer

    rules = _refusals(model, channel, purpose)
    held = channel == Channel.SMS and not window.is_open(now)
    opening = window.next_opening(now) if held else None
    default_status = (Status.HELD if held else Status.QUEUED).value
    refused = functools.reduce(operator.or_, [condition for condition, _reason in rules])

    def when_refused(then, otherwise, output):
        return Case(When(refused, then=then), default=otherwise, output_field=output)

    status = Case(
        *[When(condition, then=Value(Status.REFUSED.value)) for condition, _reason in rules],
        default=Value(default_status),
        output_field=CharField(),
    )
    reason = Case(
        *[When(condition, then=Value(str(code.value))) for condition, code in rules],
        default=Value(""),
        output_field=CharField(),
    )
    moment = Value(now, output_field=DateTimeField())
    nothing = Value(None, output_field=DateTimeField())
    address = _address_expression(model, channel)
    address_field = OutboundMessage.ADDRESS_FIELDS[channel]
    columns = {
        "channel": Value(channel),
        "purpose": Value(purpose),
        "customer_id" if model is Customer else "employee_id": F("pk"),
        "mobile": address if address_field == "mobile" else Value(""),
        "email": address if address_field == "email" else Value(""),
        "app_user": address if address_field == "app_user" else Value(""),
        "subject": Substr(templating.expression(subject_template, fields), 1, 200),
        "body": templating.expression(body_template, fields),
        "status": status,
        "reason": reason,
        "reason_detail": Value(""),
        "attempts": Value(0, output_field=IntegerField()),
        "external_ref": Value(""),
        "queued_at": moment,
        "settled_at": when_refused(moment, nothing, DateTimeField()),
    }
    # Columns that would be empty on every row are left out (a bare NULL has no type in SQL).
    if held:
        columns["not_before"] = when_refused(nothing, Value(opening, output_field=DateTimeField()), DateTimeField())
    else:  # queued rows are handed to the workers when the transaction commits
        columns["dispatched_at"] = when_refused(nothing, moment, DateTimeField())
    if actor is not None:
        columns["created_by_id"] = Value(actor.pk, output_field=IntegerField())
    if batch is not None:
        columns["batch_id"] = Value(batch.pk, output_field=IntegerField())
    names = list(columns)
    aliases = {f"message_column_{i}": expression for i, expression in enumerate(columns.values())}
    select = base.order_by("pk").annotate(**aliases).values_list(*aliases)
    try:
        sql, params = select.query.sql_with_params()
    except EmptyResultSet:  # no recipients at all (an empty queryset)
        return []
    quote = connection.ops.quote_name
    statement = (
        f"INSERT INTO {quote(OutboundMessage._meta.db_table)} ({', '.join(quote(name) for name in names)}) "
        f"{sql} RETURNING {quote('id')}, {quote('status')}, {quote('reason')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


# --- handing to the workers ---------------------------------------------------------------------------


def dispatch(ids: list[int], now: dt.datetime | None = None) -> None:
    """Send the messages `ids` through the workers once the transaction commits, a task per chunk.

    `now` (tests, a job re-run for another moment) is the business moment the tasks work for,
    advanced by the time the task waited; without it they use the clock."""
    if not ids:
        return
    transaction.on_commit(partial(_hand_over, list(ids), now))


def _hand_over(ids: list[int], now: dt.datetime | None) -> None:
    from steward.channels.tasks import send_messages

    handed = timezone.now().isoformat()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        try:
            send_messages.apply_async(
                kwargs={"message_ids": chunk, "now_iso": now.isoformat() if now else None, "handed_iso": handed}
            )
        except Exception:  # the broker is down: the release job hands them over again later
            logger.exception("Could not hand %s messages to a worker", len(chunk))
            OutboundMessage.objects.filter(pk__in=chunk, status=Status.QUEUED).update(dispatched_at=None)


def business_now(now_iso: str | None, handed_iso: str | None) -> dt.datetime:
    """The moment a task works for: `now_iso` plus the time the task waited since it was handed
    over (so a backed-up queue never sends an SMS into the night), or the clock."""
    clock = timezone.now()
    if not now_iso:
        return clock
    now = dt.datetime.fromisoformat(now_iso)
    if handed_iso:
        waited = clock - dt.datetime.fromisoformat(handed_iso)
        if waited > dt.timedelta(0):
            now += waited
    return now


# --- sending ------------------------------------------------------------------------------------------


def retry_wait(attempts: int) -> dt.timedelta:
    """How long after its `attempts`-th failed attempt a message is tried again: the base wait
    (``channels.retry_base_seconds``), doubled for each attempt after the first, at most six hours."""
    from steward.basedata.services import parameter

    base = max(1, int(parameter(RETRY_SECONDS)))
    seconds = base * 2 ** max(0, min(attempts - 1, 20))
    return min(dt.timedelta(seconds=seconds), MAX_RETRY_WAIT)


def max_attempts() -> int:
    from steward.basedata.services import parameter

    return max(1, int(parameter(MAX_ATTEMPTS)))


def recipient_refusal(message: OutboundMessage) -> tuple[str, str]:
    """(reason code or "", the recipient's current address) for `message` now — the rules of
    `_refusals`, read from the recipient's current row. A customer subscribed when the message was
    queued (or it would have been refused then) who is not any more has opted out."""
    address_field = message.address_field
    recipient = message.recipient
    if message.customer_id:
        customer = message.customer
        address = customer.cif if message.channel == Channel.PUSH else (getattr(customer, address_field) or "")
        if customer.status == customer.Status.MERGED:
            return Reason.CUSTOMER_MERGED, address
        if customer.status == customer.Status.CLOSED and message.purpose != Purpose.MANDATORY:
            return Reason.CUSTOMER_CLOSED, address
        if not address:
            return Reason.NO_ADDRESS, address
        subscription = SUBSCRIPTION_FIELDS.get(message.channel)
        if subscription and message.purpose != Purpose.MANDATORY and not getattr(customer, subscription):
            return Reason.OPTED_OUT, address
        return "", address
    employee = recipient
    address = employee.employee_no if message.channel == Channel.PUSH else (getattr(employee, address_field) or "")
    if employee.status == employee.Status.LEFT or not employee.is_active:
        return Reason.EMPLOYEE_LEFT, address
    if not address:
        return Reason.NO_ADDRESS, address
    return "", address


def send_messages(message_ids, now: dt.datetime | None = None) -> dict[str, int]:
    """Send each of `message_ids` that is due (the Celery task's body); counts by outcome."""
    counts: dict[str, int] = {}
    for pk in message_ids:
        outcome = str(send_message(pk, now=now) or "skipped")
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def send_message(pk: int, now: dt.datetime | None = None) -> str | None:
    """Send one queued message through its channel's adapter, if it is due; answers its new status
    (None when there was nothing to do: already taken, sent, cancelled, or not due yet).

    Idempotent: the message is taken with a conditional UPDATE (queued → sending), so two workers
    given the same id send it once."""
    now = now or timezone.now()
    message = OutboundMessage.objects.select_related("customer", "employee").filter(pk=pk).first()
    if message is None or message.status != Status.QUEUED:
        return None
    mine = OutboundMessage.objects.filter(pk=pk, status=Status.QUEUED)
    if message.not_before and message.not_before > now:
        mine.update(dispatched_at=None)  # a retry not due yet: the release job sends it in time
        return None
    if message.channel == Channel.SMS and not window.is_open(now):
        mine.update(status=Status.HELD, not_before=window.next_opening(now), dispatched_at=None)
        return Status.HELD
    reason, address = recipient_refusal(message)
    with transaction.atomic():
        if reason:
            done = mine.update(
                status=Status.REFUSED,
                reason=reason,
                settled_at=now,
                dispatched_at=None,
                **{message.address_field: address},
            )
            if done:
                _announce({pk: Status.REFUSED}, now)
            return Status.REFUSED if done else None
        taken = mine.update(
            status=Status.SENDING, attempts=F("attempts") + 1, last_attempt_at=now, **{message.address_field: address}
        )
    if not taken:
        return None
    message.refresh_from_db(fields=["attempts", "status", message.address_field])

    adapter = None
    try:
        adapter = adapters.adapter_for(message.channel)
        result = adapter.send(message)
    except adapters.TemporaryFailure as failure:
        return _temporary_failure(message, failure.detail, now)
    except adapters.PermanentFailure as failure:
        return _finish(message, now, Status.FAILED, reason=Reason.REJECTED, detail=failure.detail, outcome="permanent")
    except Exception as error:  # an adapter's bug or its configuration: tried again, within the limit
        logger.exception("Sending message %s through %s failed", pk, message.channel)
        return _temporary_failure(message, f"{type(error).__name__}: {error}", now)

    status = Status.DELIVERED if result.status == adapters.DELIVERED else Status.SENT
    # Settled now unless a delivery report will say how it ended.
    waits_for_report = status == Status.SENT and adapter.has_receipts and bool(result.external_ref)
    outcome = _finish(
        message, now, status, external_ref=result.external_ref, outcome="sent", settle=not waits_for_report
    )
    if waits_for_report and result.external_ref:
        apply_receipts([result.external_ref], now)
    return outcome


def _temporary_failure(message: OutboundMessage, detail: str, now) -> str:
    if message.attempts >= max_attempts():
        return _finish(message, now, Status.FAILED, reason=Reason.GAVE_UP, detail=detail, outcome="temporary")
    with transaction.atomic():
        OutboundMessage.objects.filter(pk=message.pk, status=Status.SENDING).update(
            status=Status.QUEUED,
            not_before=now + retry_wait(message.attempts),
            reason_detail=detail[:500],
            dispatched_at=None,
        )
        _attempt(message, now, "temporary", detail)
    return Status.QUEUED


def _finish(message, now, status, *, reason="", detail="", external_ref="", outcome="sent", settle=True) -> str:
    with transaction.atomic():
        changes = {"status": status, "reason": reason, "reason_detail": detail[:500], "dispatched_at": None}
        if external_ref:
            changes["external_ref"] = external_ref[:100]
        if status in (Status.SENT, Status.DELIVERED):
            changes["sent_at"] = now
        if settle:
            changes["settled_at"] = now
        done = OutboundMessage.objects.filter(pk=message.pk, status=Status.SENDING).update(**changes)
        _attempt(message, now, outcome, detail or external_ref)
        if done and settle:
            _announce({message.pk: status}, now)
    return status


def _attempt(message, now, outcome: str, detail: str) -> None:
    DeliveryAttempt.objects.create(
        message_id=message.pk, number=message.attempts, at=now, outcome=outcome, detail=detail[:500]
    )


def _announce(statuses: dict[int, str], now) -> None:
    """message_settled for these messages, in a savepoint: a failing receiver is logged and undoes
    nothing of the settlement."""
    if not statuses:
        return
    statuses = {pk: str(status) for pk, status in statuses.items()}  # plain codes, never enum members
    try:
        with transaction.atomic():
            message_settled.send(sender=OutboundMessage, message_ids=list(statuses), statuses=statuses, now=now)
    except Exception:
        logger.exception("A receiver of message_settled failed for %s messages", len(statuses))


# --- cancelling ---------------------------------------------------------------------------------------


@service
def cancel_messages(actor, messages, now: dt.datetime | None = None) -> int:
    """Cancel the unsent (queued or held) messages among `messages` that `actor` may send to; the
    others are left as they are. Answers how many were cancelled."""
    now = now or timezone.now()
    require_permission(actor, SEND)
    visible = OutboundMessage.objects.visible_to(actor, SEND).values("pk")
    chosen = messages.filter(pk__in=visible).filter(status__in=UNSENT)
    ids = list(chosen.values_list("pk", flat=True))
    if not ids:
        return 0
    done_ids = []
    for start in range(0, len(ids), 1000):
        part = ids[start : start + 1000]
        OutboundMessage.objects.filter(pk__in=part, status__in=UNSENT).update(
            status=Status.CANCELLED, reason=Reason.CANCELLED, settled_at=now, dispatched_at=None
        )
        done_ids += list(
            OutboundMessage.objects.filter(pk__in=part, status=Status.CANCELLED, settled_at=now).values_list(
                "pk", flat=True
            )
        )
    log_bulk("channels.cancelled", OutboundMessage, done_ids, actor=actor)
    _announce(dict.fromkeys(done_ids, Status.CANCELLED), now)
    return len(done_ids)


def cancel_message(actor, message: OutboundMessage, now=None) -> None:
    if message.status not in UNSENT:
        raise DomainError(
            _("Only a queued or held message can be cancelled; this one is %(status)s.")
            % {"status": message.get_status_display()}
        )
    if not cancel_messages(actor, OutboundMessage.objects.filter(pk=message.pk), now=now):
        raise DomainError(_("The message could not be cancelled: it is being sent or is outside your scope."))


# --- delivery reports ---------------------------------------------------------------------------------


@dataclass
class ReceiptResult:
    received: int = 0
    applied: int = 0
    unchanged: int = 0
    waiting: int = 0


@service
def record_receipts(actor, receipts: list[dict], now: dt.datetime | None = None) -> ReceiptResult:
    """Apply the SMS gateway's delivery reports: each ``{"external_ref", "status": "delivered" |
    "failed", "detail"}``. Idempotent: a report posted again changes nothing; the first final report
    of a message wins. A report for a reference not recorded yet (it overtook the send) is kept
    and applied when the reference is recorded."""
    now = now or timezone.now()
    require_permission(actor, RECEIPT)
    if not receipts:
        raise DomainError(_("Send at least one delivery report."), field="receipts")
    if len(receipts) > MAX_RECEIPTS:
        raise DomainError(
            _("Send at most %(count)s delivery reports at once.") % {"count": MAX_RECEIPTS}, field="receipts"
        )
    rows = {}
    for index, item in enumerate(receipts):
        reference = str(item.get("external_ref") or "").strip()
        status = str(item.get("status") or "").strip().lower()
        if not reference or len(reference) > 100:
            raise DomainError(
                _("Report %(index)s: external_ref is the gateway's message id (1 to 100 characters).")
                % {"index": index + 1},
                field="external_ref",
            )
        if status not in DeliveryReceipt.Outcome.values:
            raise DomainError(
                _("Report %(index)s: status is delivered or failed, not “%(value)s”.")
                % {"index": index + 1, "value": status[:20]},
                field="status",
            )
        rows.setdefault((reference, status), str(item.get("detail") or "")[:500])
    DeliveryReceipt.objects.bulk_create(
        [
            DeliveryReceipt(external_ref=ref, status=status, detail=detail, received_at=now)
            for (ref, status), detail in rows.items()
        ],
        ignore_conflicts=True,
    )
    result = apply_receipts(sorted({ref for ref, _status in rows}), now)
    result.received = len(receipts)
    return result


def apply_receipts(references: list[str], now) -> ReceiptResult:
    """Apply the reports waiting for these references to their SMS (set-based)."""
    result = ReceiptResult()
    if not references:
        return result
    waiting = DeliveryReceipt.objects.filter(external_ref__in=references, message__isnull=True)
    reports = list(waiting.order_by("received_at", "pk").values_list("pk", "external_ref", "status", "detail"))
    if not reports:
        return result
    messages = {
        ref: (pk, status, settled_at)
        for pk, ref, status, settled_at in OutboundMessage.objects.filter(
            channel=Channel.SMS, external_ref__in=[ref for _pk, ref, _s, _d in reports]
        ).values_list("pk", "external_ref", "status", "settled_at")
    }
    outcome: dict[str, tuple] = {}
    for _pk, ref, status, detail in reports:
        if ref in messages:
            outcome.setdefault(ref, (status, detail))  # the first report received wins
        else:
            result.waiting += 1
    settled: dict[int, str] = {}
    with transaction.atomic():
        for ref, (status, detail) in outcome.items():
            pk, current, settled_at = messages[ref]
            if current != Status.SENT:
                result.unchanged += 1
                continue
            changes = {
                "status": status,
                "settled_at": Coalesce(F("settled_at"), Value(now, output_field=DateTimeField())),
            }
            if status == Status.FAILED:
                changes |= {"reason": Reason.UNDELIVERED, "reason_detail": detail}
            if OutboundMessage.objects.filter(pk=pk, status=Status.SENT).update(**changes):
                result.applied += 1
                # Announced also when the message had already settled as "sent" (no report came in
                # time): the late report corrects what its receivers recorded (the contact's outcome).
                settled[pk] = status
            else:
                result.unchanged += 1
        matched = list(outcome)
        DeliveryReceipt.objects.filter(external_ref__in=matched, message__isnull=True).update(
            message_id=Subquery(
                OutboundMessage.objects.filter(channel=Channel.SMS, external_ref=OuterRef("external_ref"))
                .order_by("pk")
                .values("pk")[:1]
            )
        )
        _announce(settled, now)
    return result


# --- the release job ------------------------------------------------------------------------------------


@dataclass
class ReleaseResult:
    recovered: int = 0
    released: int = 0
    dispatched: int = 0
    settled: int = 0

    def counts(self) -> dict[str, int]:
        return {
            "processed": self.dispatched,
            "updated": self.released,
            "recovered": self.recovered,
            "settled": self.settled,
        }


def release_due_messages(now: dt.datetime | None = None, progress=None) -> ReleaseResult:
    """The job ``channels.release_due_messages`` (every minute): held messages whose window opened
    and retries whose wait is over are handed to the workers (with the business `now`); messages a
    dead worker left "sending" are queued again; SMS without a delivery report after
    ``channels.sms_receipt_wait_hours`` count as sent and are settled. Idempotent."""
    from steward.basedata.services import parameter

    now = now or timezone.now()
    result = ReleaseResult()
    result.recovered = OutboundMessage.objects.filter(
        status=Status.SENDING, last_attempt_at__lt=now - STALE_SENDING
    ).update(status=Status.QUEUED, dispatched_at=None)
    result.released = OutboundMessage.objects.filter(status=Status.HELD, not_before__lte=now).update(
        status=Status.QUEUED, dispatched_at=None
    )
    due = (
        OutboundMessage.objects.filter(status=Status.QUEUED)
        .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
        .filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=now - REDISPATCH_AFTER))
    )
    ids = list(due.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), 1000):
        OutboundMessage.objects.filter(pk__in=ids[start : start + 1000], status=Status.QUEUED).update(dispatched_at=now)
    result.dispatched = len(ids)
    dispatch(ids, now)

    wait = dt.timedelta(hours=int(parameter(RECEIPT_WAIT_HOURS)))
    overdue = OutboundMessage.objects.filter(status=Status.SENT, settled_at__isnull=True, sent_at__lte=now - wait)
    late = list(overdue.values_list("pk", flat=True))
    with transaction.atomic():
        for start in range(0, len(late), 1000):
            OutboundMessage.objects.filter(pk__in=late[start : start + 1000], settled_at__isnull=True).update(
                settled_at=now
            )
        _announce(dict.fromkeys(late, Status.SENT), now)
    result.settled = len(late)
    if progress is not None:
        progress(1, 1)
    return result


def register_audit_labels() -> None:
    from django.utils.translation import pgettext_lazy

    from steward.audit.labels import register_actions

    register_actions(
        {
            "channels.queued": pgettext_lazy("audit action", "Messages queued"),
            "channels.cancelled": pgettext_lazy("audit action", "Messages cancelled"),
        }
    )
