"""The call centre's feed (CTI) — SVC-05, part of INT-05.

Calls reach Steward two ways, both stored as `CallRecord` rows keyed by the CTI's own call id:

* **events** — the telephone system posts each call to ``POST /api/v1/calls/events/`` (an API
  token holding ``interactions.call_feed:post``), one event or a batch;
* **the daily call-detail file** — ``calls.csv`` of a day, dropped in the intake drop folder
  (``<drop folder>/YYYY-MM-DD/calls.csv`` beside the ``_READY`` marker) or uploaded to
  ``POST /api/v1/calls/file/``. It is loaded like the other T+1 files: keyed by (source, "calls",
  data date) in the intake's batches (`IntakeBatch`), a wrong header refuses it, a bad line is
  quarantined with its line number and reason (`IntakeRejectedRow`) while the rest loads.

A call id already stored is skipped, so an event re-posted, a file re-delivered, or the file's row
of a call already posted as an event adds nothing. The number is never stored: only its keyed
blind index (`steward.privacy.crypto.blind_index("mobile", …)`, the index `Customer.mobile_index`
holds) and a masked form ("*******1234").

The end-of-day job ``interactions.match_calls`` (`match_calls`) then matches the calls still
waiting (and those not matched before, for a week) set-based: the customer by the number's blind
index (active and dormant customers; a merged customer's number finds the survivor; several
customers on one number leave the call unmatched with that reason), the employee by employee number
or extension; it writes one interaction per matched call (channel "call"; answered = reached, a
contact) and moves the customers' last contact forward. What it could not match is listed on the
calls page and in the API with the reason.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from steward.access.services import require_permission
from steward.audit.services import log_bulk, log_event
from steward.core.errors import DomainError
from steward.customers.models import Customer, LastContact
from steward.holdings.models import IntakeBatch, IntakeRejectedRow
from steward.holdings.reasons import english_reason, stored_reason
from steward.interactions.models import (
    CALL_ID_MAX,
    EXTENSION_MAX,
    MAX_DURATION_SECONDS,
    CallRecord,
    Interaction,
)
from steward.interactions.permissions import CALL_FEED
from steward.privacy.crypto import blind_index

logger = logging.getLogger(__name__)

CALL_SOURCE = "cti"  # the intake source the call-detail files are keyed by
CALL_ENTITY = "calls"
CALL_FILE = "calls.csv"
LAYOUT = ["call_id", "direction", "started_at", "duration_seconds", "outcome", "number", "extension", "employee_no"]
EVENT_FIELDS = frozenset(LAYOUT)
MAX_EVENTS = 1000  # events in one POST
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
RETRY_DAYS = 7  # calls not matched are tried again by the job for this many days
DIRECTIONS = {"inbound": "inbound", "in": "inbound", "outbound": "outbound", "out": "outbound"}
# The interaction outcome of each call outcome; only an answered call reached the customer.
OUTCOMES = {
    CallRecord.Outcome.ANSWERED: Interaction.Outcome.REACHED,
    CallRecord.Outcome.NO_ANSWER: Interaction.Outcome.NO_ANSWER,
    CallRecord.Outcome.BUSY: Interaction.Outcome.BUSY,
    CallRecord.Outcome.VOICEMAIL: Interaction.Outcome.LEFT_MESSAGE,
    CallRecord.Outcome.FAILED: Interaction.Outcome.FAILED,
}
STAGE_COLUMNS = [
    ("call_id", "text"),
    ("source", "text"),
    ("data_date", "date"),
    ("direction", "text"),
    ("started_at", "ts"),
    ("duration_seconds", "int"),
    ("outcome", "text"),
    ("number_index", "text"),
    ("number_masked", "text"),
    ("extension", "text"),
    ("employee_no", "text"),
]


class CallRowError(Exception):
    """A call that cannot be taken: the field and the (gettext_noop) message with its parameters."""

    def __init__(self, field: str, message: str, **params):
        super().__init__(message)
        self.field, self.message, self.params = field, message, params

    def text(self) -> str:
        return _(self.message) % self.params if self.params else _(self.message)


# ---------------------------------------------------------------- numbers


def normalise_number(value: str) -> str:
    """The digits of a telephone number as customers' mobiles are stored: without a leading
    +86 / 0086 country code (an 11-digit mobile stays as it is)."""
    digits = re.sub(r"\D", "", value or "")
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    elif len(digits) == 15 and digits.startswith("0086"):
        digits = digits[4:]
    return digits


def number_index(value: str) -> str:
    """The blind index a number is matched by (the one `Customer.mobile_index` holds); "" if none."""
    digits = normalise_number(value)
    return blind_index("mobile", digits) if digits else ""


def mask_number(digits: str) -> str:
    """The form shown: every digit but the last four hidden ("*******1234")."""
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


# ---------------------------------------------------------------- checking one call


def _parse_time(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        moment = value
    else:
        text = str(value or "").strip()
        if not text:
            raise CallRowError("started_at", gettext_noop("started_at is required"))
        try:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise CallRowError(
                "started_at",
                gettext_noop("started_at must be a date and time such as 2026-12-07T10:15:00+08:00, not %(value)s"),
                value=text[:40],
            ) from None
    if timezone.is_naive(moment):  # the bank's time zone
        moment = timezone.make_aware(moment)
    return moment


def _text(values: Mapping, name: str, limit: int) -> str:
    value = values.get(name)
    text = "" if value is None else str(value).strip()
    if len(text) > limit:
        raise CallRowError(name, gettext_noop("%(field)s is longer than %(max)s characters"), field=name, max=limit)
    return text


def check_call(values: Mapping, *, source: str, now: dt.datetime, data_date: dt.date | None = None) -> tuple:
    """One call as the staged tuple (STAGE_COLUMNS), checked; raises CallRowError naming the field.
    The number leaves this function only as its blind index and masked form."""
    call_id = _text(values, "call_id", CALL_ID_MAX)
    if not call_id:
        raise CallRowError("call_id", gettext_noop("call_id is required"))
    direction = DIRECTIONS.get(str(values.get("direction") or "").strip().lower())
    if direction is None:
        raise CallRowError("direction", gettext_noop("direction must be inbound or outbound"))
    started_at = _parse_time(values.get("started_at"))
    if started_at > now + FUTURE_TOLERANCE:
        raise CallRowError("started_at", gettext_noop("started_at lies in the future"))
    duration = values.get("duration_seconds")
    if isinstance(duration, str):
        duration = duration.strip()
        if duration == "":
            duration = None
        elif duration.isascii() and duration.isdigit() and len(duration) <= 6:
            duration = int(duration)
    if duration is not None and (
        isinstance(duration, bool) or not isinstance(duration, int) or not 0 <= duration <= MAX_DURATION_SECONDS
    ):
        raise CallRowError(
            "duration_seconds",
            gettext_noop("duration_seconds must be a whole number of seconds from 0 to %(max)s"),
            max=MAX_DURATION_SECONDS,
        )
    outcome = str(values.get("outcome") or "").strip().lower()
    if outcome not in CallRecord.Outcome.values:
        raise CallRowError(
            "outcome", gettext_noop("outcome must be one of %(choices)s"), choices=", ".join(CallRecord.Outcome.values)
        )
    raw_number = values.get("number")
    digits = normalise_number("" if raw_number is None else str(raw_number))
    if raw_number not in (None, "") and not 3 <= len(digits) <= 20:
        raise CallRowError("number", gettext_noop("number must be a telephone number of 3 to 20 digits"))
    extension = _text(values, "extension", EXTENSION_MAX)
    employee_no = _text(values, "employee_no", 20)
    day = data_date or timezone.localdate(started_at)
    return (
        call_id,
        source,
        day,
        direction,
        started_at,
        duration,
        outcome,
        blind_index("mobile", digits) if digits else "",
        mask_number(digits),
        extension,
        employee_no,
    )


# ---------------------------------------------------------------- writing calls


def _insert_calls(rows: list[tuple], now: dt.datetime) -> int:
    """Stage the checked calls (COPY on PostgreSQL, executemany on SQLite) and add the new ones in
    one INSERT … SELECT; a call id already stored is skipped. Returns how many were added."""
    from steward.holdings.intake import _drop, _stage
    from steward.imports.pipeline import insert_from_stage

    if not rows:
        return 0
    with connection.cursor() as cursor:
        _stage(cursor, "stage_calls", STAGE_COLUMNS, rows)
        # Status, reason and the time received get their defaults (pending, none, now).
        added = insert_from_stage(
            cursor,
            CallRecord,
            "stage_calls",
            {c: f"s.{c}" for c, _k in STAGE_COLUMNS},
            now,
            order_by="",
            returning="id",
        )
        _drop(cursor, "stage_calls")
    return len(added)


@dataclass
class EventResult:
    received: int
    added: int

    @property
    def already_known(self) -> int:
        return self.received - self.added


def record_call_events(actor, events: Iterable[Mapping], *, now: dt.datetime | None = None) -> EventResult:
    """Take the call events the telephone system posts (one or a batch of at most MAX_EVENTS).
    Every event is checked first: a bad one names its position and field and nothing is written.
    Idempotent on the call id: an event posted again (or a call the file brought) adds nothing."""
    now = now or timezone.now()
    require_permission(actor, CALL_FEED)
    events = list(events)
    if not events:
        raise DomainError(_("Send at least one call event."), field="events")
    if len(events) > MAX_EVENTS:
        raise DomainError(_("Send at most %(count)s call events at once.") % {"count": MAX_EVENTS}, field="events")
    rows, seen = [], set()
    for position, event in enumerate(events, start=1):
        if not isinstance(event, Mapping):
            raise DomainError(_("Event %(n)s: expected an object of call fields.") % {"n": position}, field="events")
        unknown = sorted(set(event) - EVENT_FIELDS)
        if unknown:
            raise DomainError(
                _("Event %(n)s: unknown fields %(fields)s.") % {"n": position, "fields": ", ".join(unknown)},
                field=unknown[0],
            )
        try:
            row = check_call(event, source=Interaction.Source.CTI_EVENT, now=now)
        except CallRowError as error:
            raise DomainError(
                _("Event %(n)s: %(reason)s.") % {"n": position, "reason": error.text()}, field=error.field
            ) from None
        if row[0] in seen:
            continue
        seen.add(row[0])
        rows.append(row)
    with transaction.atomic():
        added = _insert_calls(rows, now)
    return EventResult(received=len(events), added=added)


# ---------------------------------------------------------------- the daily call-detail file


def load_call_file(actor, path, data_date: dt.date, *, source: str = CALL_SOURCE, now=None) -> IntakeBatch:
    """Load the call-detail file of `data_date` (columns LAYOUT, docs/interactions.md). Keyed by
    (source, "calls", data date) like the intake's files: a re-run reports the file again and adds
    only calls not stored yet (a re-delivered file adds nothing). A wrong header refuses the file
    with nothing loaded; a bad line is quarantined with its line number and reason."""
    from steward.holdings.intake import _claim, _open_text, _parse, _printable, _raw_lines, check_source, this_runner

    now = now or timezone.now()
    path = Path(path)
    check_source(source)
    batch = _claim(source, CALL_ENTITY, data_date, "", now)
    batch.file_name = path.name[:255]
    batch.file_path = str(path.resolve())[:500]
    batch.started_at, batch.finished_at = now, None
    batch.runs += 1
    batch.loaded_by = actor
    batch.runner = this_runner()
    parsed = None
    try:
        with _open_text(path) as handle:
            reader = csv.reader(handle)
            header = [h.strip().lower() for h in next(reader, [])]
            if header != LAYOUT:
                batch.error = stored_reason(
                    gettext_noop(
                        "Wrong header in %(file)s: expected %(expected)s, found %(found)s. Nothing was loaded."
                    ),
                    file=path.name,
                    expected=",".join(LAYOUT),
                    found=_printable(",".join(header))[:500],
                )
            else:
                parsed = _parse(reader, CALL_ENTITY, _file_row(data_date, now), None, 0, len(LAYOUT))
    except (OSError, csv.Error, UnicodeError) as exc:
        parsed = None
        batch.error = stored_reason(gettext_noop("The file cannot be read: %(error)s"), error=exc)
    if parsed is None:
        batch.status = IntakeBatch.Status.REFUSED
        batch.finished_at = timezone.now()
        batch.save()
        log_event("holdings.intake_refused", batch, actor=actor, message=english_reason(batch.error)[:500])
        return batch
    # The same call twice in one file is one call: the later line is quarantined.
    seen: dict[str, int] = {}
    rows = []
    for line, row in parsed.rows:
        if row[0] in seen:
            parsed.rejected.append(
                (
                    line,
                    stored_reason(gettext_noop("call %(id)s repeats line %(line)s"), id=row[0], line=seen[row[0]]),
                    [],
                )
            )
            continue
        seen[row[0]] = line
        rows.append(row)
    batch.status, batch.error = IntakeBatch.Status.RUNNING, ""
    batch.save()
    try:
        with transaction.atomic():
            added = _insert_calls(rows, now)
            IntakeRejectedRow.objects.filter(batch=batch).delete()
            raws = _raw_lines(path, {line for line, _reason, values in parsed.rejected if not values})
            IntakeRejectedRow.objects.bulk_create(
                [
                    IntakeRejectedRow(
                        batch=batch, line=line, reason=reason, raw=_printable(",".join(values or raws.get(line, [])))
                    )
                    for line, reason, values in sorted(parsed.rejected, key=lambda item: item[0])
                ],
                batch_size=1000,
            )
            batch.rows_read = parsed.read
            batch.rows_loaded = len(rows)
            batch.rows_rejected = len(parsed.rejected)
            batch.status = IntakeBatch.Status.LOADED
            batch.finished_at = timezone.now()
            batch.last_loaded_at = batch.finished_at
            batch.save()
            log_event(
                "holdings.intake_loaded",
                batch,
                actor=actor,
                message=f"{CALL_ENTITY} {data_date} ({source}): {len(rows)} read, {added} new calls, "
                f"{len(parsed.rejected)} rejected",
            )
    except Exception as exc:
        logger.exception("call file load of %s failed", batch)
        from steward.holdings.intake import fail_batch

        return fail_batch(batch, exc, actor=actor)
    batch.calls_added = added
    return batch


def _file_row(data_date: dt.date, now) -> Callable:
    from steward.holdings.intake import RowError

    def parse(line, values):
        try:
            row = check_call(
                dict(zip(LAYOUT, values, strict=True)), source=Interaction.Source.CTI_FILE, now=now, data_date=data_date
            )
        except CallRowError as error:
            raise RowError(stored_reason(error.message, **error.params)) from None
        return (line, row)

    return parse


def pending_call_files(folder: Path, source: str = CALL_SOURCE) -> list[tuple[dt.date, Path]]:
    """Days of the drop folder holding a call file not loaded yet (a refused one is tried again)."""
    from steward.holdings.services import pending_single_files

    return pending_single_files(folder, source=source, entity=CALL_ENTITY, filename=CALL_FILE)


def load_call_files_from_drop_folder(actor=None, *, now) -> list[IntakeBatch]:
    from steward.holdings.services import drop_folder

    folder = drop_folder()
    batches = []
    for day, path in pending_call_files(folder) if folder is not None else []:
        try:
            batches.append(load_call_file(actor, path, day, now=now))
        except DomainError:  # (being loaded by another process right now)
            continue
    return batches


def upload_call_file(actor, *, data_date: dt.date, upload, source: str = CALL_SOURCE, now=None) -> IntakeBatch:
    """Store an uploaded call-detail file (multipart) in the intake's upload area and load it as
    the drop folder's would be (the telephone system's account: CALL_FEED)."""
    import shutil

    from django.conf import settings

    from steward.holdings.intake import check_source
    from steward.holdings.services import UPLOAD_LIMIT

    require_permission(actor, CALL_FEED)
    now = now or timezone.now()
    check_source(source)
    if upload.size > UPLOAD_LIMIT:
        raise DomainError(_("The file is too large."), "file")
    base = Path(getattr(settings, "STEWARD_INTAKE_UPLOAD_DIR", "") or Path(settings.VAR_DIR) / "intake")
    directory = base / source / data_date.isoformat() / CALL_ENTITY / "day"
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    with open(directory / CALL_FILE, "wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return load_call_file(actor, directory / CALL_FILE, data_date, source=source, now=now)


# ---------------------------------------------------------------- end-of-day matching


@dataclass
class MatchResult:
    processed: int = 0
    matched: int = 0
    unmatched: int = 0
    interactions: int = 0
    files: int = 0

    def counts(self) -> dict:
        return {
            "processed": self.processed,
            "created": self.interactions,
            "updated": self.matched,
            "failed": self.unmatched,
        }


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def match_calls(*, now: dt.datetime | None = None, days: Iterable[dt.date] | None = None, progress=None) -> MatchResult:
    """Match the calls still waiting — of `days`, or of the last RETRY_DAYS days up to now's — and
    the ones not matched before (a customer's mobile may have been recorded since). Set-based, one
    read of the calls: everything later steps need is carried in temporary tables.

    1. the calls to match, with the columns their interactions need (call_batch);
    2. the numbers' customers: one GROUP BY over the customers whose mobile_index is a number of
       these calls (active or dormant; a merged one counts as its survivor);
    3. the employees: by employee number, else by an extension only one current employee has —
       the outcome of every call in call_result;
    4. one UPDATE of the calls (customer, employee, status, reason);
    5. one INSERT … SELECT of the interactions from call_result (their reference is the call id,
       unique per source, so a re-run adds nothing) with one summary audit entry per 1,000, and
       the last contact moved forward in the narrow last-contact table (one row per customer).
    """
    from steward.org.models import Employee

    now = now or timezone.now()
    if days is None:
        today = timezone.localdate(now)
        day_list = [today - dt.timedelta(days=k) for k in range(RETRY_DAYS, -1, -1)]
    else:
        day_list = sorted(set(days))
    result = MatchResult()
    if not day_list:
        return result
    calls_t, customer_t = CallRecord._meta.db_table, Customer._meta.db_table
    employee_t = Employee._meta.db_table
    sqlite = connection.vendor == "sqlite"
    now_db = connection.ops.adapt_datetimefield_value(now) if sqlite else now
    day_params = [connection.ops.adapt_datefield_value(d) for d in day_list] if sqlite else day_list
    in_days = ", ".join(["%s"] * len(day_list))
    waiting = [CallRecord.Status.PENDING, CallRecord.Status.UNMATCHED]
    temps = ("call_batch", "call_phone", "call_ext", "call_result")
    with transaction.atomic(), connection.cursor() as cursor:
        for name in temps:
            cursor.execute(f"DROP TABLE IF EXISTS {name}")
        if not sqlite:
            # The joins and GROUP BYs over a day's calls hash in memory instead of spilling to disk
            # (for this transaction only).
            cursor.execute("SET LOCAL work_mem = '128MB'")
        # 1. The calls, read once.
        cursor.execute(
            f"CREATE TEMP TABLE call_batch AS SELECT id, call_id, source, direction, started_at, duration_seconds, "
            f"outcome, number_index, extension, employee_no FROM {calls_t} "
            f"WHERE data_date IN ({in_days}) AND status IN (%s, %s)",
            [*day_params, *waiting],
        )
        cursor.execute("SELECT COUNT(*) FROM call_batch")
        result.processed = cursor.fetchone()[0]
        if not result.processed:
            cursor.execute("DROP TABLE call_batch")
            return result
        if progress:
            progress(0, result.processed)
        # 2. The customers of the numbers (a number of several customers is ambiguous).
        survivor = "COALESCE(c.merged_into_id, c.id)"
        cursor.execute(
            f"CREATE TEMP TABLE call_phone AS SELECT c.mobile_index AS number_index, MIN({survivor}) AS customer_id, "
            f"COUNT(DISTINCT {survivor}) AS n FROM {customer_t} c "
            f"WHERE c.mobile_index IN (SELECT DISTINCT number_index FROM call_batch WHERE number_index <> '') "
            f"AND (c.status IN (%s, %s) OR (c.status = %s AND c.merged_into_id IS NOT NULL)) "
            f"GROUP BY c.mobile_index",
            [Customer.Status.ACTIVE, Customer.Status.DORMANT, Customer.Status.MERGED],
        )
        # 3. Extensions one current employee has; then every call's outcome.
        cursor.execute(
            f"CREATE TEMP TABLE call_ext AS SELECT extension, MIN(id) AS employee_id, COUNT(*) AS n "
            f"FROM {employee_t} WHERE extension <> '' AND status <> %s GROUP BY extension",
            [Employee.Status.LEFT],
        )
        if sqlite:  # (PostgreSQL hashes these small tables)
            cursor.execute("CREATE INDEX call_phone_number ON call_phone (number_index)")
            cursor.execute("CREATE INDEX call_ext_extension ON call_ext (extension)")
        employee = "COALESCE(en.id, CASE WHEN x.n = 1 THEN x.employee_id END)"
        cursor.execute(
            f"CREATE TEMP TABLE call_result AS SELECT b.id AS id, b.call_id AS call_id, b.source AS source, "
            f"b.direction AS direction, b.started_at AS started_at, b.duration_seconds AS duration_seconds, "
            f"b.outcome AS outcome, "
            f"CASE WHEN p.n = 1 THEN p.customer_id END AS customer_id, {employee} AS employee_id, "
            f"CASE WHEN p.n = 1 THEN %s ELSE %s END AS status, "
            f"CASE WHEN b.number_index = '' THEN %s WHEN p.n IS NULL THEN %s WHEN p.n > 1 THEN %s "
            f"WHEN {employee} IS NULL THEN %s ELSE '' END AS reason "
            f"FROM call_batch b LEFT JOIN call_phone p ON p.number_index = b.number_index "
            f"LEFT JOIN {employee_t} en ON b.employee_no <> '' AND en.employee_no = b.employee_no "
            f"LEFT JOIN call_ext x ON b.extension <> '' AND x.extension = b.extension",
            [
                CallRecord.Status.MATCHED,
                CallRecord.Status.UNMATCHED,
                CallRecord.Reason.NO_NUMBER,
                CallRecord.Reason.NO_CUSTOMER,
                CallRecord.Reason.SEVERAL_CUSTOMERS,
                CallRecord.Reason.UNKNOWN_EMPLOYEE,
            ],
        )
        cursor.execute("DROP TABLE call_batch")
        if not sqlite:
            cursor.execute("ANALYZE call_result")
        # 4. The calls.
        cursor.execute(
            f"UPDATE {calls_t} SET customer_id = r.customer_id, employee_id = r.employee_id, status = r.status, "
            f"reason = r.reason, matched_at = %s FROM call_result r WHERE {calls_t}.id = r.id",
            [now_db],
        )
        cursor.execute(
            "SELECT SUM(CASE WHEN customer_id IS NOT NULL THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN customer_id IS NULL THEN 1 ELSE 0 END) FROM call_result"
        )
        matched, unmatched = cursor.fetchone()
        result.matched, result.unmatched = int(matched or 0), int(unmatched or 0)
        # 5. The interactions, straight from call_result (a call already recorded under its source
        # and id is skipped) …
        from steward.imports.pipeline import insert_from_stage

        outcome = "CASE s.outcome " + " ".join(f"WHEN '{c}' THEN '{o}'" for c, o in OUTCOMES.items()) + " END"
        ids = [
            pk
            for (pk,) in insert_from_stage(
                cursor,
                Interaction,
                "call_result",
                {
                    "customer_id": "s.customer_id",
                    "employee_id": "s.employee_id",
                    "channel": f"'{Interaction.Channel.CALL}'",
                    "direction": "s.direction",
                    "occurred_at": "s.started_at",
                    "duration_seconds": "s.duration_seconds",
                    "outcome": outcome,
                    "source": "s.source",
                    "external_ref": "s.call_id",
                    "is_contact": f"s.outcome = '{CallRecord.Outcome.ANSWERED}'",
                },
                now,
                where="s.customer_id IS NOT NULL",
                # In customer order: the customer index and the foreign-key checks at commit walk
                # the customers in order instead of at random.
                order_by="s.customer_id, s.started_at",
                returning="id",
            )
        ]
        result.interactions = len(ids)
        # … and the last contact of the customers whose answered calls move it forward (never
        # back): one row per customer into the narrow last-contact table (an update in place where
        # the customer has one), not a rewrite of the wide customer row.
        LastContact.objects.move_forward(
            "SELECT customer_id, MAX(started_at) AS at FROM call_result "
            "WHERE customer_id IS NOT NULL AND outcome = %s GROUP BY customer_id",
            [CallRecord.Outcome.ANSWERED],
        )
        for name in temps:
            cursor.execute(f"DROP TABLE IF EXISTS {name}")
        if ids:
            log_bulk("create", Interaction, ids, message="automatic feed cti (end-of-day call matching)")
    if progress:
        progress(result.processed, result.processed)
    return result


def run_end_of_day(*, now: dt.datetime, progress=None) -> MatchResult:
    """The job: the call files waiting in the drop folder, then the matching."""
    batches = load_call_files_from_drop_folder(now=now)
    result = match_calls(now=now, progress=progress)
    result.files = len(batches)
    return result


# ---------------------------------------------------------------- reading


def unmatched_summary(user, permission: str, day: dt.date) -> dict[str, int]:
    """{reason: calls} of `day` the user may see that were not matched to a customer or employee."""
    from django.db.models import Count

    rows = (
        CallRecord.objects.visible_to(user, permission)
        .filter(data_date=day)
        .exclude(reason="")
        .order_by()
        .values("reason")
        .annotate(n=Count("pk"))
    )
    return {row["reason"]: row["n"] for row in rows}
