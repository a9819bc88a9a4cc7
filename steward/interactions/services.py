"""Interaction services — SVC-05 (and the intake side of INT-05).

The business rules of the interaction record, written once: manual entry by staff
(`record_interaction`), the automatic feeds of the channels and the call centre
(`record_automatic`, set-based and idempotent), the customer's last contact kept current
(`touch_last_contact`), and the reads later modules build on (`interactions_for`,
`contact_counts`). Pages, the API, the channel adapters and the CTI feed call these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from steward.access.services import require_permission
from steward.audit.services import log_bulk
from steward.core.errors import DomainError
from steward.core.services import service
from steward.customers.models import Customer, CustomerAlias, LastContact
from steward.interactions.models import (
    EXTERNAL_REF_MAX,
    MAX_DURATION_SECONDS,
    NEXT_STEP_MAX,
    SUMMARY_MAX,
    Interaction,
)
from steward.interactions.permissions import ADD, VIEW

Channel, Direction, Outcome, Source = (
    Interaction.Channel,
    Interaction.Direction,
    Interaction.Outcome,
    Interaction.Source,
)

# A contact typed in may lie a little ahead of the server's clock (a phone's clock, a slow form).
FUTURE_TOLERANCE = dt.timedelta(minutes=5)

# The outcomes that mean the customer was reached: such a row counts as a contact (last contact,
# contact statistics). A call not answered, a message that failed, a refused contact do not.
CONTACT_OUTCOMES = frozenset({Outcome.REACHED, Outcome.SENT, Outcome.DELIVERED})

# What staff may record by hand for each channel (the automatic feeds are checked only against
# the choices: what a channel reports is what happened).
MANUAL_OUTCOMES = {
    Channel.CALL: (
        Outcome.REACHED,
        Outcome.NO_ANSWER,
        Outcome.BUSY,
        Outcome.LEFT_MESSAGE,
        Outcome.DECLINED,
        Outcome.FAILED,
    ),
    Channel.SMS: (Outcome.SENT, Outcome.DELIVERED, Outcome.FAILED),
    Channel.EMAIL: (Outcome.SENT, Outcome.DELIVERED, Outcome.FAILED),
    Channel.APP_PUSH: (Outcome.SENT, Outcome.DELIVERED, Outcome.FAILED),
    Channel.WECHAT: (Outcome.REACHED, Outcome.SENT, Outcome.DELIVERED, Outcome.NO_ANSWER, Outcome.FAILED),
    Channel.VISIT: (Outcome.REACHED, Outcome.NO_ANSWER, Outcome.DECLINED),
    Channel.BRANCH_MEETING: (Outcome.REACHED, Outcome.NO_ANSWER, Outcome.DECLINED),
}

# Rows of an automatic feed are written in chunks of this many (one look-up, one INSERT each).
CHUNK = 500


def counts_as_contact(outcome: str) -> bool:
    """Whether a row with `outcome` counts as a contact (the customer was reached)."""
    return outcome in CONTACT_OUTCOMES


# ---------------------------------------------------------------- reading


def visible_interactions(user, permission: str = VIEW):
    """The interactions `user` may see under `permission`: those of the customers they may see."""
    return Interaction.objects.visible_to(user, permission)


def interactions_for(user, customer: Customer, limit: int | None = None):
    """The customer's interactions `user` may see, newest first (with the employee)."""
    rows = visible_interactions(user).filter(customer_id=customer.pk).select_related("employee")
    return rows[:limit] if limit is not None else rows


def contact_counts(employee_ids: Iterable[int], start: dt.datetime, end: dt.datetime) -> dict[int, int]:
    """{employee id: contacts they made in [start, end)} — every id asked for, 0 if none. One
    grouped query on the (employee, occurred_at) index; for "planned vs actual" statistics, whose
    callers check their own permission."""
    ids = sorted({int(pk) for pk in employee_ids})
    counts = dict.fromkeys(ids, 0)
    if not ids:
        return counts
    rows = (
        Interaction.objects.contacts()
        .between(start, end)
        .filter(employee_id__in=ids)
        .order_by()
        .values("employee_id")
        .annotate(n=Count("pk"))
    )
    counts.update({row["employee_id"]: row["n"] for row in rows})
    return counts


def unknown_customer_message() -> str:
    return _("This customer is unknown or outside your data scope.")


def customer_by_number(actor, number: str, permission: str = ADD) -> Customer:
    """The customer with number (CIF) `number` inside the actor's scope for `permission`; a number
    merged into another customer (an alias, CUS-12) finds the survivor. Unknown and out of scope
    read alike, so the answer tells nothing about customers the actor may not see."""
    number = (number or "").strip()
    if not number:
        raise DomainError(_("Enter the customer number."), field="customer")
    visible = Customer.objects.visible_to(actor, permission)
    survivor = CustomerAlias.objects.filter(cif=number).values_list("customer_id", flat=True).first()
    customer = visible.filter(pk=survivor).first() if survivor else visible.filter(cif=number).first()
    if customer is None:
        raise DomainError(
            _("No customer with the number %(number)s in your data scope.") % {"number": number[:40]},
            field="customer",
        )
    return customer


# ---------------------------------------------------------------- last contact


def touch_last_contact(customer_ids: Iterable[int]) -> int:
    """Set the last contact (`LastContact`) of the given customers to the latest time they were
    contacted (their rows that count as a contact), never moving it backwards. One statement per
    CHUNK customers; returns how many customers moved."""
    ids = sorted({pk for pk in customer_ids if pk is not None})
    moved = 0
    table = Interaction._meta.db_table
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        moved += LastContact.objects.move_forward(
            f"SELECT customer_id, MAX(occurred_at) AS at FROM {table} "
            f"WHERE is_contact AND customer_id IN ({', '.join(['%s'] * len(chunk))}) GROUP BY customer_id",
            chunk,
        )
    return moved


# ---------------------------------------------------------------- manual entry


def _check_common(values: Mapping, now: dt.datetime, where: str = "") -> None:
    """The checks manual and automatic rows share; `where` prefixes the message ("Row 3: ")."""

    def fail(message, field):
        raise DomainError(f"{where}{message}", field=field)

    if values.get("channel") not in Channel.values:
        fail(_("choose one of the channels."), "channel")
    if values.get("direction") not in Direction.values:
        fail(_("choose inbound or outbound."), "direction")
    if values.get("outcome") not in Outcome.values:
        fail(_("choose one of the outcomes."), "outcome")
    occurred_at = values.get("occurred_at")
    if not isinstance(occurred_at, dt.datetime):
        fail(_("give the date and time of the contact."), "occurred_at")
    if timezone.is_naive(occurred_at):
        fail(_("the time of the contact needs a time zone."), "occurred_at")
    if occurred_at > now + FUTURE_TOLERANCE:
        fail(_("the contact cannot lie in the future."), "occurred_at")
    duration = values.get("duration_seconds")
    if duration is not None and (
        isinstance(duration, bool) or not isinstance(duration, int) or not 0 <= duration <= MAX_DURATION_SECONDS
    ):
        fail(
            _("the duration is a whole number of seconds from 0 to %(max)s.") % {"max": MAX_DURATION_SECONDS},
            "duration_seconds",
        )
    if len(values.get("summary") or "") > SUMMARY_MAX:
        fail(_("the summary is longer than %(max)s characters.") % {"max": SUMMARY_MAX}, "summary")
    if len(values.get("next_step") or "") > NEXT_STEP_MAX:
        fail(_("the next step is longer than %(max)s characters.") % {"max": NEXT_STEP_MAX}, "next_step")


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


def checked_manual_values(
    *, channel, direction, occurred_at, duration_seconds, outcome, summary, next_step, now
) -> dict:
    """The fields of a contact entered by hand, checked (shared by customers' contacts and leads'
    follow-ups, LEAD-10): the time not in the future, the outcome one the channel has."""
    summary, next_step = (summary or "").strip(), (next_step or "").strip()
    values = {
        "channel": channel,
        "direction": direction,
        "outcome": outcome,
        "occurred_at": occurred_at,
        "duration_seconds": duration_seconds,
        "summary": summary,
        "next_step": next_step,
    }
    try:
        _check_common(values, now)
    except DomainError as error:
        raise DomainError(_sentence(str(error.message)), field=error.field) from None
    if outcome not in MANUAL_OUTCOMES[channel]:
        raise DomainError(
            _("“%(outcome)s” is no outcome for the channel %(channel)s; choose one of: %(choices)s.")
            % {
                "outcome": Outcome(outcome).label,
                "channel": Channel(channel).label,
                "choices": ", ".join(str(Outcome(o).label) for o in MANUAL_OUTCOMES[channel]),
            },
            field="outcome",
        )
    return values


@service
def record_interaction(
    actor,
    customer: Customer,
    *,
    channel: str,
    direction: str,
    occurred_at: dt.datetime,
    duration_seconds: int | None = None,
    outcome: str,
    summary: str = "",
    next_step: str = "",
    now: dt.datetime | None = None,
) -> Interaction:
    """Record a contact the actor made with `customer` (SVC-05): a call, visit, meeting or message
    entered by hand. The customer must lie in the actor's scope; the contact may not lie in the
    future (beyond a few minutes); the outcome must fit the channel. A contact that reached the
    customer moves their last contact forward."""
    now = now or timezone.now()
    require_permission(actor, ADD)
    if customer is None or not Customer.objects.visible_to(actor, ADD).filter(pk=customer.pk).exists():
        raise DomainError(unknown_customer_message(), field="customer")
    if customer.status == Customer.Status.MERGED:
        raise DomainError(
            _("This customer was merged into another one; record the contact on the surviving customer."),
            field="customer",
        )
    values = checked_manual_values(
        channel=channel,
        direction=direction,
        occurred_at=occurred_at,
        duration_seconds=duration_seconds,
        outcome=outcome,
        summary=summary,
        next_step=next_step,
        now=now,
    )
    interaction = Interaction.objects.create(
        customer=customer,
        employee=actor,
        source=Source.MANUAL,
        is_contact=counts_as_contact(outcome),
        created_by=actor,
        created_at=now,
        **values,
    )
    touch_last_contact([customer.pk])
    return interaction


# ---------------------------------------------------------------- automatic feeds

AUTOMATIC_SOURCES = frozenset(Source.values) - {Source.MANUAL}
ROW_FIELDS = (
    "customer",
    "customer_id",
    "cif",
    "employee",
    "employee_id",
    "channel",
    "direction",
    "occurred_at",
    "duration_seconds",
    "outcome",
    "summary",
    "next_step",
    "external_ref",
)


def _resolve_customers(rows: list[dict]) -> None:
    """Fill `customer_id` of every row from `customer`, `customer_id` or `cif` (a merged number
    finds its survivor, a merged customer's id too) and check the employees exist: set-based, a
    few queries per chunk."""
    cifs = {row["cif"] for row in rows if row.get("cif") and not row.get("customer_id")}
    by_cif = dict(Customer.objects.filter(cif__in=cifs).values_list("cif", "pk")) if cifs else {}
    missing = cifs - set(by_cif)
    if missing:
        by_cif.update(CustomerAlias.objects.filter(cif__in=missing).values_list("cif", "customer_id"))
    for row in rows:
        if not row.get("customer_id") and row.get("cif"):
            row["customer_id"] = by_cif.get(row["cif"])
            if row["customer_id"] is None:
                raise DomainError(
                    _("Row %(row)s: no customer has the number %(number)s.")
                    % {"row": row["_row"], "number": row["cif"]},
                    field="cif",
                )
    employees = {row["employee_id"] for row in rows if row.get("employee_id")}
    if employees:
        from steward.org.models import Employee

        existing = set(Employee.objects.filter(pk__in=employees).values_list("pk", flat=True))
        for row in rows:
            if row.get("employee_id") and row["employee_id"] not in existing:
                raise DomainError(
                    _("Row %(row)s: no employee has the id %(id)s.") % {"row": row["_row"], "id": row["employee_id"]},
                    field="employee",
                )
    ids = {row["customer_id"] for row in rows if row.get("customer_id")}
    known = {
        pk: survivor or pk for pk, survivor in Customer.objects.filter(pk__in=ids).values_list("pk", "merged_into_id")
    }
    for row in rows:
        pk = row.get("customer_id")
        if pk is None:
            continue
        if pk not in known:
            raise DomainError(
                _("Row %(row)s: no customer has the id %(id)s.") % {"row": row["_row"], "id": pk}, field="customer"
            )
        row["customer_id"] = known[pk]


def _normalise(raw: Mapping, index: int, source: str, now: dt.datetime) -> dict:
    """One feed row as the model's values, checked; errors name the row (1-based) and field."""
    if not isinstance(raw, Mapping):
        raise DomainError(_("Row %(row)s: expected a mapping of field names to values.") % {"row": index})
    unknown = sorted(set(raw) - set(ROW_FIELDS))
    if unknown:
        raise DomainError(
            _("Row %(row)s: unknown fields %(fields)s.") % {"row": index, "fields": ", ".join(unknown)},
            field=unknown[0],
        )
    where = _("Row %(row)s: ") % {"row": index}
    row = {name: raw.get(name) for name in ROW_FIELDS}
    row["_row"] = index
    customer = row.pop("customer")
    if customer is not None:
        row["customer_id"] = customer.pk
    employee = row.pop("employee")
    if employee is not None:
        row["employee_id"] = employee.pk
    for name in ("customer_id", "employee_id"):
        value = row.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63):
            raise DomainError(where + _("%(field)s must be an id.") % {"field": name}, field=name)
    row["cif"] = str(row["cif"]).strip() if row.get("cif") else ""
    if row.get("customer_id") is None and not row["cif"]:
        raise DomainError(where + _("name the customer (customer, customer_id or cif)."), field="customer")
    ref = str(row.get("external_ref") or "").strip()
    if not ref:
        raise DomainError(
            where + _("an automatic row needs the channel's reference (external_ref)."), field="external_ref"
        )
    if len(ref) > EXTERNAL_REF_MAX:
        raise DomainError(
            where + _("the channel's reference is longer than %(max)s characters.") % {"max": EXTERNAL_REF_MAX},
            field="external_ref",
        )
    row["external_ref"] = ref
    row["summary"] = str(row.get("summary") or "").strip()
    row["next_step"] = str(row.get("next_step") or "").strip()
    _check_common(row, now, where)
    return row


def record_automatic(rows: Iterable[Mapping], *, source: str, now: dt.datetime | None = None) -> int:
    """Write the rows an automatic feed reports (SVC-05, INT-05) and return how many were new.

    Each row is a mapping with the customer (`customer`, `customer_id`, or `cif` — a merged
    number or customer lands on the survivor), optionally the `employee`/`employee_id` the contact
    was made for, `channel`, `direction`, `occurred_at` (aware), `outcome`, optionally
    `duration_seconds`, `summary`, `next_step`, and the channel's own reference `external_ref`
    (required). A row whose (source, external_ref) is already recorded is skipped, so a feed
    re-delivered or re-run adds nothing. Whether a row counts as a contact follows its outcome.

    Set-based: every row is checked first (a bad one names its row and field, and nothing is
    written), then per chunk of rows one look-up of the known references, one INSERT (conflicts
    ignored, for a feed running twice at once) and one UPDATE of the customers' last contact.
    """
    from django.db import transaction

    now = now or timezone.now()
    if source not in AUTOMATIC_SOURCES:
        raise DomainError(
            _("Unknown automatic source %(source)s; one of: %(choices)s.")
            % {"source": source, "choices": ", ".join(sorted(AUTOMATIC_SOURCES))},
            field="source",
        )
    checked: list[dict] = []
    seen: set[str] = set()
    for index, raw in enumerate(rows, start=1):
        row = _normalise(raw, index, source, now)
        if row["external_ref"] in seen:  # the same reference twice in one delivery: the first counts
            continue
        seen.add(row["external_ref"])
        checked.append(row)
    created = 0
    with transaction.atomic():
        for start in range(0, len(checked), CHUNK):
            chunk = checked[start : start + CHUNK]
            _resolve_customers(chunk)
            refs = [row["external_ref"] for row in chunk]
            known = set(
                Interaction.objects.filter(source=source, external_ref__in=refs).values_list("external_ref", flat=True)
            )
            new = [row for row in chunk if row["external_ref"] not in known]
            if not new:
                continue
            Interaction.objects.bulk_create(
                [
                    Interaction(
                        customer_id=row["customer_id"],
                        employee_id=row.get("employee_id"),
                        channel=row["channel"],
                        direction=row["direction"],
                        occurred_at=row["occurred_at"],
                        duration_seconds=row.get("duration_seconds"),
                        outcome=row["outcome"],
                        summary=row["summary"],
                        next_step=row["next_step"],
                        source=source,
                        external_ref=row["external_ref"],
                        is_contact=counts_as_contact(row["outcome"]),
                        created_at=now,
                    )
                    for row in new
                ],
                ignore_conflicts=True,
            )
            new_refs = [row["external_ref"] for row in new]
            ids = list(
                Interaction.objects.filter(source=source, external_ref__in=new_refs, created_at=now).values_list(
                    "pk", flat=True
                )
            )
            created += len(ids)
            if ids:
                log_bulk("create", Interaction, ids, message=f"automatic feed {source}")
            touch_last_contact(row["customer_id"] for row in new if counts_as_contact(row["outcome"]))
    return created


def record_lead_touch(actor, lead, values: Mapping, *, is_valid_followup: bool, now: dt.datetime) -> Interaction:
    """A follow-up on a potential customer (LEAD-10) as an interaction: the same record as a
    customer's contact, carrying the lead (and its customer once it has one). `values` come from
    `checked_manual_values`; the leads module decides validity and moves the lead."""
    return Interaction.objects.create(
        lead=lead,
        customer_id=lead.customer_id,
        employee=actor,
        source=Source.MANUAL,
        is_contact=counts_as_contact(values["outcome"]),
        is_valid_followup=is_valid_followup,
        created_by=actor,
        created_at=now,
        **values,
    )
