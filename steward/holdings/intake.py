"""The T+1 daily intake — DAT-01. The file layout is documented in docs/data-intake.md.

A day's directory holds one CSV per entity (``products.csv``, ``customers.csv``,
``accounts.csv``, ``transactions.csv``). Each file is loaded as one `IntakeBatch`, keyed by
(source, entity, data date), in one transaction:

* the header must be exactly the documented one, otherwise the file is refused and nothing
  of it is applied;
* every row is checked (formats in Python, references set-based in SQL); a bad row is
  quarantined as an `IntakeRejectedRow` (line, reason, masked raw text) and the good rows load;
* the day's rows replace what an earlier run of the same day loaded (balances and
  transactions of that data date are deleted first, master data is upserted), so a re-run
  never duplicates, and an interrupted run (rolled back) is simply run again.

Rows are staged in a temporary table and applied with set-based INSERT … SELECT / upserts:

* customers: a row identical to the one last applied (`IntakeFingerprint`) to a customer nobody
  changed since is skipped unparsed; the others are checked in Python;
* accounts and transactions on PostgreSQL: the file is COPYed as it is and the rows in the plain
  form are checked and cast in SQL; every other row goes through the Python row checks, the one
  definition of the rules and of the reasons (see `_pg_stage`). On SQLite, and for a file COPY
  cannot read as a table, every row is checked in Python;
* only new or changed master rows are written; a new day's balances and transactions are
  inserted, a re-run of a day rewrites only the rows that differ.
"""

from __future__ import annotations

import contextvars
import csv
import datetime as dt
import hashlib
import logging
import os
import re
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import DataError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from steward.audit.context import acting_as
from steward.audit.services import log_bulk, log_event
from steward.basedata.services import parameter
from steward.core.errors import DomainError
from steward.customers import mastering
from steward.customers.identity import mobile_place
from steward.customers.models import STAGED_CUSTOMER_COLUMNS, Customer, CustomerAlias
from steward.holdings.currencies import ISO_4217
from steward.holdings.models import IntakeBatch, IntakeFingerprint, IntakeRejectedRow, Product, ProductCategory
from steward.holdings.reasons import english_reason, stored_reason
from steward.privacy import crypto
from steward.privacy.masking import mask

ENTITY_ORDER = ("products", "customers", "accounts", "transactions")
LAYOUTS: dict[str, list[str]] = {
    "products": [
        "code",
        "name",
        "category",
        "risk_level",
        "currency",
        "term_days",
        "maturity_date",
        "is_liability",
    ],
    "customers": [
        "cif",
        "name",
        "id_type",
        "id_number",
        "birth_date",
        "gender",
        "mobile",
        "address",
        "occupation",
        "education",
        "income_band",
        "risk_level",
        "risk_expires_on",
        "kyc_status",
        "source",
        "status",
        "org_code",
        "owner_employee_no",
    ],
    "accounts": ["account_no", "cif", "product_code", "opened_on", "closed_on", "balance", "expires_on"],
    "transactions": ["reference", "account_no", "booked_at", "amount", "direction", "channel", "description"],
}
# Files in an earlier layout, still accepted: without the optional trailing columns added since.
EARLIER_LAYOUTS: dict[str, list[list[str]]] = {"accounts": [LAYOUTS["accounts"][:6]]}
# Columns whose content is personal data: masked in the quarantine.
PII_COLUMNS = {
    "customers": {"name": "name", "id_number": "id_number", "mobile": "mobile", "address": "address"},
    "accounts": {"account_no": "account"},
    "transactions": {"account_no": "account"},
}
RISK_LEVELS = {"", "R1", "R2", "R3", "R4", "R5"}
BATCH_SIZE = 5000
ProgressFn = Callable[[str, int, int], None]


class RowError(ValueError):
    """A row that cannot load; it is quarantined with its line and this message."""


class SnapshotHeld(Exception):
    """The file shrank sharply against its source's previous day: nothing of it is applied."""

    def __init__(self, rows: int, reference: int):
        super().__init__(rows, reference)
        self.rows, self.reference = rows, reference


@dataclass
class DayResult:
    data_date: dt.date
    batches: list[IntakeBatch] = field(default_factory=list)
    figures: dict = field(default_factory=dict)
    # What the day's figures still wait for (empty once they are derived), see derive_ready_day.
    waiting_for: str = ""

    @property
    def refused(self) -> list[IntakeBatch]:
        return [b for b in self.batches if b.status == IntakeBatch.Status.REFUSED]

    @property
    def failed(self) -> list[IntakeBatch]:
        return [b for b in self.batches if b.status == IntakeBatch.Status.FAILED]

    @property
    def held(self) -> list[IntakeBatch]:
        return [b for b in self.batches if b.status == IntakeBatch.Status.HELD]


@dataclass(frozen=True)
class LoadScope:
    """What the loader of one file needs beyond its rows: whose rows (source) it replaces, and how."""

    source: str
    data_date: dt.date
    # True for an intra-day part (DAT-07): its rows are added to the day, nothing else is replaced.
    adds_only: bool = False
    # A newer day of this (source, entity) has been applied: existing master data is not touched.
    older_than_applied: bool = False
    # Rows of the source's previous snapshot (accounts) for the shrink check; None: no check.
    reference_rows: int | None = None
    shrink_ratio: Decimal = Decimal("0")


_scope: contextvars.ContextVar[LoadScope] = contextvars.ContextVar("intake_load_scope")


def _date_sql(day: dt.date) -> str:
    """A date literal for set-based SQL (SQLite stores dates as ISO text)."""
    return f"DATE '{day.isoformat()}'" if _is_pg() else f"'{day.isoformat()}'"


# --- parsing helpers ---------------------------------------------------------------------------


# Exactly the documented forms: date.fromisoformat alone would also take 20260331 or 2026-W14-2,
# and Decimal would take 1e5 or round 1.005.
DATE_FORM = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
DATETIME_FORM = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}", re.ASCII)
AMOUNT_FORM = re.compile(r"[+-]?\d{1,18}(\.\d{1,2})?", re.ASCII)


def _date(value: str, column: str, required: bool = False):
    value = value.strip()
    if not value:
        if required:
            raise RowError(stored_reason(gettext_noop("%(column)s is empty"), column=column))
        return None
    try:
        if not DATE_FORM.fullmatch(value):
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise RowError(
            stored_reason(
                gettext_noop("%(column)s is not a date (YYYY-MM-DD): %(value)s"), column=column, value=value[:40]
            )
        ) from None


def _money(value: str, column: str) -> Decimal:
    """An amount exactly as written: digits, an optional sign, at most two decimals. Nothing is
    rounded and no other notation (1e5, 1,000.00) is read."""
    value = value.strip()
    if not AMOUNT_FORM.fullmatch(value):
        if re.fullmatch(r"[+-]?\d+\.\d{3,}", value, re.ASCII):
            raise RowError(stored_reason(gettext_noop("%(column)s has more than two decimals"), column=column))
        raise RowError(stored_reason(gettext_noop("%(column)s is not an amount"), column=column))
    try:
        amount = Decimal(value)
    except InvalidOperation:  # (cannot happen after the form check; kept as the last guard)
        raise RowError(stored_reason(gettext_noop("%(column)s is not an amount"), column=column)) from None
    if abs(amount) >= Decimal("1e18"):
        raise RowError(stored_reason(gettext_noop("%(column)s is not an amount"), column=column))
    return amount.quantize(Decimal("0.01"))  # (exact: at most two decimals were written)


def _text(value: str, column: str, max_length: int, required: bool = False) -> str:
    value = value.strip()
    if required and not value:
        raise RowError(stored_reason(gettext_noop("%(column)s is empty"), column=column))
    if len(value) > max_length:
        raise RowError(
            stored_reason(gettext_noop("%(column)s is longer than %(n)s characters"), column=column, n=max_length)
        )
    return value


def _flag(value: str, column: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "y", "yes", "true"}:
        return True
    if lowered in {"", "0", "n", "no", "false"}:
        return False
    raise RowError(stored_reason(gettext_noop("%(column)s must be Y or N"), column=column))


ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
ID_RE = re.compile(r"^\d{17}[\dX]$")


def resident_id_valid(number: str) -> bool:
    """An 18-digit PRC resident ID with a valid ISO 7064 check character and birth date."""
    if not ID_RE.match(number):
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], ID_WEIGHTS, strict=False))
    if ID_CHECK[total % 11] != number[17]:
        return False
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return True


def resident_id_check(first17: str) -> str:
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=False)) % 11]


# --- staging -----------------------------------------------------------------------------------


def _is_pg() -> bool:
    return connection.vendor == "postgresql"


def _stage(cursor, name: str, columns: list[tuple[str, str]], rows: Iterable[tuple]) -> None:
    """Create temp table `name` and fill it: COPY on PostgreSQL, executemany on SQLite."""
    pg = _is_pg()
    cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(f"CREATE TEMP TABLE {name} ({', '.join(f'{c} {_sql_type(k)}' for c, k in columns)})")
    names = ", ".join(c for c, _k in columns)
    if pg:
        with cursor.cursor.copy(f"COPY {name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(f"ANALYZE {name}")  # temp tables are never analysed automatically
        return
    kinds = [k for _c, k in columns]
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {name} ({names}) VALUES ({placeholders})"
    batch = []
    for row in rows:
        batch.append(tuple(_sqlite_value(v, k) for v, k in zip(row, kinds, strict=False)))
        if len(batch) >= BATCH_SIZE:
            cursor.executemany(sql, batch)
            batch = []
    if batch:
        cursor.executemany(sql, batch)


def _sql_type(kind: str) -> str:
    pg = _is_pg()
    return {
        "text": "text",
        "int": "bigint",
        "date": "date",
        "money": "numeric(20,2)" if pg else "decimal",
        "ts": "timestamp with time zone" if pg else "text",
        "bool": "boolean" if pg else "bool",
    }[kind]


def _sqlite_value(value, kind):
    if value is None:
        return None
    if kind == "date":
        return value.isoformat()
    if kind == "ts":
        return connection.ops.adapt_datetimefield_value(value)
    if kind == "money":
        return str(value)
    if kind == "bool":
        return int(value)
    return value


def _drop(cursor, *names: str) -> None:
    for name in names:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")


def _upsert(
    cursor, model, stage: str, key: str, provided: dict[str, str], now, special: dict | None = None, where: str = ""
) -> int:
    """INSERT INTO model SELECT … FROM stage ON CONFLICT (key) DO UPDATE — changed rows only.

    `provided` maps target columns to SQL expressions over the stage (alias s). Every other
    NOT NULL column gets its Django default, so the statement keeps up with the model. `where`
    narrows the stage rows offered (e.g. to those a join found new or changed)."""
    table = model._meta.db_table
    columns, exprs, params = [], [], []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        column = f.column
        if column in provided:
            columns.append(column)
            exprs.append(provided[column])
        elif column in ("created_at", "updated_at"):
            columns.append(column)
            exprs.append("%s")
            params.append(f.get_db_prep_save(now, connection))
        elif not f.null:
            columns.append(column)
            exprs.append("%s")
            params.append(f.get_db_prep_save(f.get_default(), connection))
    special = special or {}
    updated = [c for c in provided if c != key]
    sets = [f"{c} = {special.get(c, f'excluded.{c}')}" for c in updated] + ["updated_at = excluded.updated_at"]
    changed = " OR ".join(f"t.{c} IS DISTINCT FROM excluded.{c}" for c in updated if c not in special)
    sql = (
        f"INSERT INTO {table} AS t ({', '.join(columns)}) SELECT {', '.join(exprs)} FROM {stage} s "
        f"WHERE {where or '1 = 1'} ON CONFLICT ({key}) DO UPDATE SET {', '.join(sets)} WHERE {changed}"
    )
    cursor.execute(sql, params)
    return cursor.rowcount


# --- PostgreSQL: the file itself is COPYed and checked set-based ---------------------------------
#
# The raw file goes into a text table by COPY (CSV, as fast as a bare COPY). A row whose every field
# has the plain, canonical form (checked by the regular expressions below) is cast in SQL; that form
# is a strict subset of what the Python row parser accepts and gives the same values. Every other
# row — an odd format, a bad value, a repeated key — goes through the Python row parser, the one
# definition of the rules and of the reasons a row is rejected. A file COPY cannot read as a table
# (a blank line, a row with the wrong number of columns, bad UTF-8) is parsed in Python throughout.

# What str.strip() and re's \s take for white space (29 characters, up to U+3000).
WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())
_WS = f"[{WHITESPACE}]"
NO_SPACE_RE = f"^[^{WHITESPACE}]+$"
BLANK_RE = f"^{_WS}*$"
# (Bounded repeats such as {1,15} make PostgreSQL's regular expressions several times slower.)
# (Alternatives such as (0[1-9]|1[0-2]) too: months and days are compared as text afterwards.)
DATE_RE = r"^[1-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]"
TIME_RE = r" [0-2][0-9]:[0-5][0-9]:[0-5][0-9]$"
AMOUNT_RE = r"^[0-9]+(\.[0-9][0-9]?)?$"
SIGNED_AMOUNT_RE = r"^-?[0-9]+(\.[0-9][0-9]?)?$"


def _lit(text: str) -> str:
    assert "%" not in text  # (standard_conforming_strings: a backslash is itself)
    return "'" + text.replace("'", "''") + "'"


def _pg_date_ok(col: str, with_time: bool = False) -> str:
    """`col` is a real calendar date as YYYY-MM-DD (+ HH:MM:SS)."""
    pattern = DATE_RE + (TIME_RE if with_time else "$")
    last_day = f"extract(day from make_date(substr({col}, 1, 4)::int, substr({col}, 6, 2)::int, 1) + interval '1 month - 1 day')"
    month, day, hour = (f'substr({col}, {start}, 2) COLLATE "C"' for start in (6, 9, 12))
    in_range = f"{month} BETWEEN '01' AND '12' AND {day} >= '01'" + (f" AND {hour} <= '23'" if with_time else "")
    return (
        f"CASE WHEN {col} ~ {_lit(pattern)} THEN {in_range} "
        f"AND ({day} <= '28' OR substr({col}, 9, 2)::int <= {last_day}) ELSE false END"
    )


def _pg_amount_ok(col: str, signed: bool = False) -> str:
    """A plain amount: at most 15 digits before the point, at most 2 after it."""
    pattern, longest = (SIGNED_AMOUNT_RE, 16) if signed else (AMOUNT_RE, 15)
    return f"({col} ~ {_lit(pattern)} AND char_length(split_part({col}, '.', 1)) <= {longest})"


def _pg_optional_date_ok(col: str) -> str:
    return f"({col} IS NULL OR {col} = '' OR {_pg_date_ok(col)})"


def _pg_text_ok(col: str, max_length: int, required: bool) -> str:
    """Text the Python parser keeps as it is: no white space at either end, not too long."""
    ws = _lit(WHITESPACE)
    ok = f"(char_length({col}) <= {max_length} AND strpos({ws}, left({col}, 1)) = 0 AND strpos({ws}, right({col}, 1)) = 0)"
    return f"({col} <> '' AND {ok})" if required else f"({col} IS NULL OR {col} = '' OR {ok})"


def _pg_copy_raw(cursor, path: Path, name: str, width: int) -> None:
    """COPY the file (after its header) into text table `name` (line, c0 … c{width-1})."""
    columns = [f"c{i}" for i in range(width)]
    cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(
        f"CREATE TEMP TABLE {name} (line bigint GENERATED ALWAYS AS IDENTITY (START 2), "
        f"{', '.join(f'{c} text' for c in columns)})"
    )
    newlines, last = 0, b"\n"
    with (
        open(path, "rb") as handle,
        cursor.cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
    ):
        while chunk := handle.read(1 << 20):
            copy.write(chunk)
            newlines, last = newlines + chunk.count(b"\n"), chunk[-1:]
    records = cursor.cursor.rowcount  # (what COPY reports: no count of the table)
    physical_lines = newlines + (0 if last == b"\n" else 1)
    if records + 1 != physical_lines:  # (the header is a line)
        _number_by_physical_line(cursor, path, name)


def _number_by_physical_line(cursor, path: Path, name: str) -> None:
    """COPY numbers records; a record whose quoted field spans lines (an address written over two)
    makes every later record's number smaller than its line in the file. A reader looks a rejected
    row up by its physical line, so the records are numbered as the Python parser numbers them
    (the line a record starts on). Counting the file's newlines while it is copied tells when."""
    starts = []
    with open(path, newline="", encoding="utf-8", errors="replace") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        end_of_previous = reader.line_num
        for _values in reader:
            starts.append(end_of_previous + 1)
            end_of_previous = reader.line_num
    cursor.execute(f"ALTER TABLE {name} ALTER COLUMN line DROP IDENTITY")
    cursor.execute(
        f"UPDATE {name} r SET line = m.physical FROM unnest(%s::bigint[], %s::bigint[]) AS m(record, physical) "
        f"WHERE r.line = m.record",
        [list(range(2, len(starts) + 2)), starts],
    )


def _pg_stage(cursor, path, entity, width, spec, row_parser, py_columns, resolve, progress, total):
    """Stage a file on PostgreSQL (see above): returns the Parsed summary (rejected rows with their
    raw values, rows read) and leaves the checked, resolved rows in temp table `stage_<entity>`.

    `spec(fields)` gives, over the raw columns' SQL names, "columns": per output column (name, fast
    check or None, SQL value) — a row whose fast checks all hold is cast in SQL — and "dup_key":
    the SQL form of the key the Python parser refuses twice. `resolve(source)` returns the SELECT that joins a source
    of typed rows to the database's keys (the stage's final form)."""
    raw, stage, py = f"raw_{entity}", f"stage_{entity}", f"stage_{entity}_py"
    _pg_copy_raw(cursor, path, raw, width)

    def fields(alias):
        return [f"{alias}.c{i}" if i < width else "NULL::text" for i in range(len(LAYOUTS[entity]))]

    inner, outer = spec(fields("r")), spec(fields("q"))
    checks = " AND ".join(f"({check})" for _name, check, _value in inner["columns"] if check)
    # A cast would fail on a row not in the plain form: only the plain rows are cast.
    values = ", ".join(
        f"CASE WHEN q.ok THEN {value} END AS {name}" if "::" in value else f"{value} AS {name}"
        for name, _c, value in outer["columns"]
    )
    # A plain row is neither blank nor keyed otherwise than by its first field as it is: the
    # costlier forms are only worked out for the other rows.
    all_text = " || ".join(f"coalesce(q.c{i}, '')" for i in range(width))
    dup_key = f"CASE WHEN q.ok THEN q.c0 ELSE {outer['dup_key']} END"
    source = (
        f"SELECT q.line, q.ok, {dup_key} AS dup_key, {values} FROM ("
        f"SELECT r.*, coalesce({checks}, false) AS ok FROM {raw} r OFFSET 0) q "
        f"WHERE q.ok OR ({all_text}) !~ {_lit(BLANK_RE)}"
    )
    cursor.execute(f"CREATE TEMP TABLE {stage} AS {resolve(source)}")
    parsed = Parsed(read=cursor.rowcount)
    if progress:
        progress(entity, parsed.read, total)
    # Rows for the Python parser: not in the plain form, or sharing their key with another row.
    # Keys are nearly always unique: building a unique index proves it faster than counting them.
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    try:
        with transaction.atomic():
            cursor.execute(f'CREATE UNIQUE INDEX ON {stage} (dup_key COLLATE "C")')
        repeated = ""
    except IntegrityError:
        repeated = f" OR dup_key IN (SELECT dup_key FROM {stage} GROUP BY dup_key HAVING count(*) > 1)"
    cursor.execute(f"SELECT line FROM {stage} WHERE NOT ok{repeated}")
    odd = [line for (line,) in cursor.fetchall()]
    if odd:
        cursor.execute(f"DELETE FROM {stage} WHERE line = ANY(%s)", [odd])
        cursor.execute(
            f"SELECT line, {_raw_fields(width)} FROM {raw} WHERE line = ANY(%s) ORDER BY line",
            [odd],
        )
        rows = [(line, list(values)) for line, *values in cursor.fetchall()]
        checked = Parsed()
        for line, values in rows:
            try:
                checked.rows.append(row_parser(line, values))
            except RowError as exc:
                checked.rejected.append((line, str(exc), values))
        parsed.rejected.extend(checked.rejected)
        _stage(cursor, py, py_columns, checked.rows)
        cursor.execute(f"INSERT INTO {stage} {resolve(PY_SOURCE.format(py))}")
        _drop(cursor, py)
    cursor.execute("SET LOCAL default_statistics_target = 10")  # a small sample does for the joins
    cursor.execute(f"ANALYZE {stage}")
    cursor.execute("RESET default_statistics_target")
    return parsed


def _raw_fields(width: int) -> str:
    return ", ".join(f"coalesce(c{i}, '')" for i in range(width))


def _raw_values(cursor, entity: str, width: int, lines: list[int]) -> dict[int, list[str]]:
    """The raw fields of some lines of the file staged in raw_<entity> (PostgreSQL)."""
    if not lines:
        return {}
    cursor.execute(
        f"SELECT line, {_raw_fields(width)} FROM raw_{entity} WHERE line = ANY(%s)",
        [lines],
    )
    return {line: list(values) for line, *values in cursor.fetchall()}


def _fast_stage(cursor, *args) -> Parsed | None:
    """_pg_stage in a savepoint; None when the file cannot be read as a table (the caller parses it in Python)."""
    import psycopg

    try:
        with transaction.atomic():
            return _pg_stage(cursor, *args)
    except (psycopg.DataError, DataError):  # COPY: a blank line, a wrong number of columns, bad UTF-8
        return None


# --- per-entity loaders ------------------------------------------------------------------------


@dataclass
class Parsed:
    rows: list[tuple] = field(default_factory=list)
    rejected: list[tuple[int, str, list[str]]] = field(default_factory=list)
    read: int = 0
    skipped: int = 0  # unchanged since the last load (fingerprint), so not parsed again


def _open_text(path):
    """The file as text; a byte sequence that is not UTF-8 is kept as a lone surrogate
    (surrogateescape), so that its row is rejected with its line and the rest of the file loads."""
    return open(path, newline="", encoding="utf-8-sig", errors="surrogateescape")


UNDECODABLE = re.compile("[\udc80-\udcff]")


def _undecodable(values: list[str]) -> bool:
    text = "".join(values)
    return not text.isascii() and UNDECODABLE.search(text) is not None


def _printable(value: str) -> str:
    """Text that can be stored: an undecodable byte becomes U+FFFD (the replacement character)."""
    return UNDECODABLE.sub("\ufffd", value)


def _parse_file(path, entity, row_parser, progress: ProgressFn | None, total: int, skip=None) -> Parsed:
    """Parse a day's file after its header (which was checked before anything was applied)."""
    with _open_text(path) as handle:
        reader = csv.reader(handle)
        width = len(next(reader))
        return _parse(reader, entity, row_parser, progress, total, width, skip)


def _parse(reader, entity, row_parser, progress: ProgressFn | None, total: int, width: int, skip=None) -> Parsed:
    parsed = Parsed()
    # Rows are numbered by the physical line they start on (a quoted field may span lines).
    end_of_previous = reader.line_num
    for values in reader:
        line_no, end_of_previous = end_of_previous + 1, reader.line_num
        parsed.read += 1
        if _undecodable(values):
            parsed.rejected.append((line_no, stored_reason(gettext_noop("the line is not valid UTF-8 text")), values))
            continue
        if skip is not None and len(values) == width and skip(values):
            parsed.skipped += 1
            continue
        if not any(v.strip() for v in values):
            parsed.read -= 1
            continue
        try:
            if len(values) != width:
                raise RowError(
                    stored_reason(
                        gettext_noop("%(found)s columns instead of %(expected)s"), found=len(values), expected=width
                    )
                )
            parsed.rows.append(row_parser(line_no, values))
        except RowError as exc:
            parsed.rejected.append((line_no, str(exc), values))
        if progress and parsed.read % 10000 == 0:
            progress(entity, parsed.read, total)
    return parsed


def _products(cursor, path, data_date, now, progress, total, columns) -> tuple[Parsed, int]:
    categories = dict(ProductCategory.objects.values_list("code", "pk"))
    seen: set[str] = set()

    def row(line, v):
        code = _text(v[0], "code", 40, True)
        if code in seen:
            raise RowError(stored_reason(gettext_noop("product %(code)s appears twice"), code=code))
        category = categories.get(v[2].strip())
        if category is None:
            raise RowError(stored_reason(gettext_noop("unknown product category %(code)s"), code=v[2].strip()))
        risk = v[3].strip().upper()
        if risk not in RISK_LEVELS:
            raise RowError(stored_reason(gettext_noop("risk level must be R1 to R5")))
        currency = (v[4].strip() or "CNY").upper()
        if currency not in ISO_4217:
            raise RowError(
                stored_reason(gettext_noop("currency %(code)s is not an ISO 4217 currency code"), code=currency[:10])
            )
        term = v[5].strip()
        if term and not term.isdigit():
            raise RowError(stored_reason(gettext_noop("term_days is not a whole number")))
        seen.add(code)
        return (
            code,
            _text(v[1], "name", 200, True),
            category,
            risk,
            currency,
            int(term) if term else None,
            _date(v[6], "maturity_date"),
            _flag(v[7], "is_liability"),
        )

    parsed = _parse_file(path, "products", row, progress, total)
    cols = [
        ("code", "text"),
        ("name", "text"),
        ("category_id", "int"),
        ("risk_level", "text"),
        ("currency", "text"),
        ("term_days", "int"),
        ("maturity_date", "date"),
        ("is_liability", "bool"),
    ]
    _stage(cursor, "stage_products", cols, parsed.rows)
    _upsert(cursor, Product, "stage_products", "code", {c: f"s.{c}" for c, _k in cols}, now)
    _drop(cursor, "stage_products")
    return parsed, len(parsed.rows)


# Bump when the customer row rules change, so that every row is parsed and applied again once.
FINGERPRINT_VERSION = b"customers-1"


def _digest(values: list[str]) -> str:
    return hashlib.blake2b("\x1f".join(values).encode(), digest_size=16, key=FINGERPRINT_VERSION).hexdigest()


def _fingerprints(cursor, entity: str, model) -> dict[str, str]:
    """key → digest of the row last applied, for the records not changed since (same updated_at)."""
    table = model._meta.db_table
    cursor.execute(
        f"SELECT f.key, f.digest FROM {IntakeFingerprint._meta.db_table} f JOIN {table} t ON t.cif = f.key "
        "WHERE f.entity = %s AND t.updated_at = f.stamp",
        [entity],
    )
    return dict(cursor.fetchall())


def _record_fingerprints(cursor, entity: str, model, digests: dict[str, str]) -> None:
    if not digests:
        return
    day = _scope.get().data_date
    _stage(cursor, "stage_fingerprints", [("key", "text"), ("digest", "text")], digests.items())
    # (A fingerprint of a newer day's row is kept: an older day's row was not applied.)
    cursor.execute(
        f"INSERT INTO {IntakeFingerprint._meta.db_table} AS f (entity, key, digest, stamp, data_date) "
        f"SELECT %s, s.key, s.digest, t.updated_at, %s FROM stage_fingerprints s JOIN {model._meta.db_table} t "
        "ON t.cif = s.key WHERE 1 = 1 "
        "ON CONFLICT (entity, key) DO UPDATE SET digest = excluded.digest, stamp = excluded.stamp, "
        "data_date = excluded.data_date WHERE f.data_date IS NULL OR f.data_date <= excluded.data_date",
        [entity, day],
    )
    _drop(cursor, "stage_fingerprints")


# --- master data: never backwards in data date, every change audited --------------------------------

# Fields whose change by a file is audited (field name → "changed" over stored t and staged s).
CUSTOMER_AUDITED = {
    "name": "t.name IS DISTINCT FROM s.name",
    "mobile": "t.mobile IS DISTINCT FROM s.mobile",
    "id_number": "t.id_number_index IS DISTINCT FROM s.id_number_index",
    "id_type": "t.id_type IS DISTINCT FROM s.id_type",
    "birth_date": "t.birth_date IS DISTINCT FROM s.birth_date",
    "gender": "t.gender IS DISTINCT FROM s.gender",
    "address": "t.address IS DISTINCT FROM s.address",
    "status": "t.status IS DISTINCT FROM s.status",
    "risk_level": "t.risk_level IS DISTINCT FROM s.risk_level",
    "kyc_status": "t.kyc_status IS DISTINCT FROM s.kyc_status",
    "org": "t.org_id IS DISTINCT FROM s.org_id",
}
ACCOUNT_AUDITED = {
    "customer": "t.customer_id IS DISTINCT FROM s.customer_id",
    "product": "t.product_id IS DISTINCT FROM s.product_id",
    "opened_on": "t.opened_on IS DISTINCT FROM s.opened_on",
    "closed_on": "t.closed_on IS DISTINCT FROM s.closed_on",
    "expires_on": "t.expires_on IS DISTINCT FROM s.expires_on",
}


def _customers_not_older(scope: LoadScope) -> str:
    """Stage rows (alias s) a file of scope.data_date may apply: none over a newer day's row of the
    customer; after a newer day of the file was applied, new customers only."""
    fingerprint_t = IntakeFingerprint._meta.db_table
    condition = (
        f"NOT EXISTS (SELECT 1 FROM {fingerprint_t} f WHERE f.entity = 'customers' AND f.key = s.cif "
        f"AND f.data_date > {_date_sql(scope.data_date)})"
    )
    if scope.older_than_applied:
        condition += f" AND NOT EXISTS (SELECT 1 FROM {Customer._meta.db_table} c0 WHERE c0.cif = s.cif)"
    return condition


def _audit_master_changes(cursor, model, stage: str, join: str, fields: dict[str, str], where: str) -> None:
    """One bulk audit entry per changed field (per 1,000 records): the ids and the field's name,
    never the values (they are personal data). Set-based: one query over the rows to be applied."""
    scope = _scope.get()
    flags = ", ".join(f"CASE WHEN {changed} THEN 1 ELSE 0 END" for changed in fields.values())
    cursor.execute(f"SELECT t.id, {flags} FROM {stage} s JOIN {model._meta.db_table} t ON {join} WHERE {where}")
    changed: dict[str, list[int]] = {name: [] for name in fields}
    names = list(fields)
    for pk, *marks in cursor.fetchall():
        for name, mark in zip(names, marks, strict=True):
            if mark:
                changed[name].append(pk)
    for name, ids in changed.items():
        if ids:
            log_bulk(
                "holdings.intake_master_changed",
                model,
                ids,
                message=f"{name} changed by the {scope.source} file of {scope.data_date}",
                changes={"fields": [name], "source": scope.source, "data_date": scope.data_date.isoformat()},
            )


def _note_new_records(cursor, stage: str, stage_key: str, new: str) -> None:
    """Before an upsert: the keys of the stage rows (alias s) it will insert — `new`, a condition
    that holds only for keys no record has yet — kept in temp table intake_new_keys so that
    `_audit_created` can name the records once they are written."""
    _drop(cursor, "intake_new_keys")
    cursor.execute(f"CREATE TEMP TABLE intake_new_keys AS SELECT s.{stage_key} AS key FROM {stage} s WHERE {new}")


def _audit_created(cursor, model, model_key: str) -> None:
    """After the upsert: bulk audit entries (per 1,000 records) listing the ids of the records the
    file created, with the source and data date — the set-based twin of a create's entry (one
    query; never the values, which are personal data)."""
    scope = _scope.get()
    cursor.execute(
        f"SELECT t.id FROM {model._meta.db_table} t JOIN intake_new_keys n ON n.key = t.{model_key} ORDER BY t.id"
    )
    ids = [pk for (pk,) in cursor.fetchall()]
    _drop(cursor, "intake_new_keys")
    if ids:
        log_bulk(
            "holdings.intake_created",
            model,
            ids,
            message=f"created by the {scope.source} file of {scope.data_date}",
            changes={"source": scope.source, "data_date": scope.data_date.isoformat()},
        )


def _customers(cursor, path, data_date, now, progress, total, columns) -> tuple[Parsed, int]:
    from steward.org.models import Employee, Org

    orgs = dict(Org.objects.values_list("code", "pk"))
    owners = dict(Employee.objects.values_list("employee_no", "pk"))
    seen: set[str] = set()
    kyc = {c for c, _label in Customer.Kyc.choices}
    statuses = {c for c, _label in Customer.Status.choices}
    # The file is a full snapshot and nearly every row is the same as yesterday's: a row whose
    # digest matches the one last applied to a customer nobody changed since is skipped unparsed.
    fingerprints = _fingerprints(cursor, "customers", Customer)
    digests: dict[str, str] = {}

    def skip(values):
        cif = values[0].strip()
        digest = fingerprints.get(cif)
        if digest is not None and cif not in seen and digest == _digest(values):
            seen.add(cif)
            return True
        return False

    def row(line, v):
        cif = _text(v[0], "cif", 32, True)
        if cif in seen:
            raise RowError(stored_reason(gettext_noop("customer %(cif)s appears twice"), cif=cif))
        id_type = v[2].strip() or "01"
        id_number = re.sub(r"\s+", "", v[3]).upper()
        birth_date = _date(v[4], "birth_date")
        gender = v[5].strip().upper() or "U"
        if id_type == "01":
            if not resident_id_valid(id_number):
                raise RowError(stored_reason(gettext_noop("ID number is not a valid 18-digit resident ID")))
            birth_date = birth_date or dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
            if gender == "U":
                gender = "M" if int(id_number[16]) % 2 else "F"
        if gender not in {"M", "F", "U"}:
            raise RowError(stored_reason(gettext_noop("gender must be M, F or U")))
        mobile = re.sub(r"\D", "", v[6])
        if mobile and not re.fullmatch(r"1\d{10}", mobile):
            raise RowError(stored_reason(gettext_noop("mobile is not an 11-digit mobile number")))
        risk = v[11].strip().upper()
        if risk not in RISK_LEVELS:
            raise RowError(stored_reason(gettext_noop("risk level must be R1 to R5")))
        kyc_status = v[13].strip() or "pending"
        if kyc_status not in kyc:
            raise RowError(stored_reason(gettext_noop("unknown KYC status %(value)s"), value=kyc_status))
        status = v[15].strip() or "active"
        if status not in statuses:
            raise RowError(stored_reason(gettext_noop("unknown status %(value)s"), value=status))
        org = orgs.get(v[16].strip())
        if org is None:
            raise RowError(stored_reason(gettext_noop("unknown org code %(code)s"), code=v[16].strip()))
        owner_no = v[17].strip()
        owner = owners.get(owner_no) if owner_no else None
        if owner_no and owner is None:
            raise RowError(stored_reason(gettext_noop("unknown employee number %(no)s"), no=owner_no))
        values = (
            cif,
            _text(v[1], "name", 100, True),
            _text(id_type, "id_type", 10),
            crypto.encrypt(id_number) if id_number else "",
            crypto.blind_index("id_number", id_number) if id_number else "",
            birth_date,
            gender,
            mobile,
            *(mobile_place(mobile[:7]) if mobile else ("", "", "")),
            crypto.blind_index("mobile", mobile) if mobile else "",  # calls find the customer by it
            _text(v[7], "address", 200),
            _text(v[8], "occupation", 10),
            _text(v[9], "education", 10),
            _text(v[10], "income_band", 10),
            risk,
            _date(v[12], "risk_expires_on"),
            kyc_status,
            _text(v[14], "source", 20),
            status,
            org,
            owner,
        )
        seen.add(cif)
        digests[cif] = _digest(v)
        return values

    parsed = _parse_file(path, "customers", row, progress, total, skip=skip)
    cols = [
        *STAGED_CUSTOMER_COLUMNS,
        ("risk_expires_on", "date"),
        ("kyc_status", "text"),
        ("source", "text"),
        ("status", "text"),
        ("org_id", "int"),
        ("owner_id", "int"),
    ]
    _stage(cursor, "stage_customers", cols, parsed.rows)
    # Master data never moves backwards in data date; what the file changes is audited (by field).
    not_older = _customers_not_older(_scope.get())
    # Steward masters merges and the owners it decided (CUS-09, CUS-12): rows of merged customer
    # numbers are skipped, and the owner column is applied only as steward/customers/mastering.py says.
    mastering.skip_aliased_rows(cursor, "stage_customers", data_date)
    mastering.master_owners(cursor, "stage_customers", data_date, now, source=_scope.get().source, applicable=not_older)
    _audit_master_changes(cursor, Customer, "stage_customers", "t.cif = s.cif", CUSTOMER_AUDITED, not_older)
    new_customer = f"NOT EXISTS (SELECT 1 FROM {Customer._meta.db_table} t WHERE t.cif = s.cif) AND {not_older}"
    _note_new_records(cursor, "stage_customers", "cif", new_customer)
    # The ciphertext differs on every run: keep the stored one while the value (its index) is unchanged.
    keep_cipher = "CASE WHEN t.id_number_index = excluded.id_number_index THEN t.id_number ELSE excluded.id_number END"
    _upsert(
        cursor,
        Customer,
        "stage_customers",
        "cif",
        {c: f"s.{c}" for c, _k in cols},
        now,
        special={"id_number": keep_cipher},
        where=not_older,
    )
    _audit_created(cursor, Customer, "cif")
    _drop(cursor, "stage_customers")
    _record_fingerprints(cursor, "customers", Customer, digests)
    return parsed, len(parsed.rows) + parsed.skipped


# Rows checked in Python, as a source for the resolving SELECTs.
PY_SOURCE = "SELECT p.*, 1 = 1 AS ok, NULL AS dup_key FROM {} p"


def _reject_unmatched(cursor, stage: str, checks: list[tuple[str, str]]) -> dict[int, str]:
    """Lines of `stage` failing a check (a condition over alias s), with the reason of the first
    failing check (one scan); they are removed from the stage."""
    which = " ".join(f"WHEN {condition} THEN {i}" for i, (condition, _reason) in enumerate(checks))
    anyone = " OR ".join(f"({condition})" for condition, _reason in checks)
    cursor.execute(f"SELECT s.line, CASE {which} END FROM {stage} s WHERE {anyone}")
    rejected = {line: checks[i][1] for line, i in cursor.fetchall()}
    if rejected:
        lines = list(rejected)
        for i in range(0, len(lines), 500):
            chunk = lines[i : i + 500]
            cursor.execute(f"DELETE FROM {stage} WHERE line IN ({', '.join(['%s'] * len(chunk))})", chunk)
    return rejected


def _account_parser():
    seen: set[str] = set()

    def row(line, v):
        number = re.sub(r"\s+", "", v[0])
        if not number or len(number) > 40:
            raise RowError(stored_reason(gettext_noop("account_no is empty or too long")))
        if number in seen:
            raise RowError(stored_reason(gettext_noop("account appears twice")))
        cif = _text(v[1], "cif", 32, True)
        product = _text(v[2], "product_code", 40, True)
        opened, closed = _date(v[3], "opened_on"), _date(v[4], "closed_on")
        balance = _money(v[5], "balance")
        expires = _date(v[6], "expires_on") if len(v) > 6 else None
        seen.add(number)
        return (line, number, cif, product, opened, closed, expires, balance)

    return row


ACCOUNT_STAGE = [
    ("line", "int"),
    ("account_no", "text"),
    ("cif", "text"),
    ("product_code", "text"),
    ("opened_on", "date"),
    ("closed_on", "date"),
    ("expires_on", "date"),
    ("balance", "money"),
]
ACCOUNT_MASTER = ["customer_id", "product_id", "opened_on", "closed_on", "expires_on"]


def _account_spec(f):
    return {
        "columns": [
            ("account_no", f"char_length({f[0]}) <= 40 AND {f[0]} ~ {_lit(NO_SPACE_RE)}", f[0]),
            ("cif", _pg_text_ok(f[1], 32, True), f[1]),
            ("product_code", _pg_text_ok(f[2], 40, True), f[2]),
            ("opened_on", _pg_optional_date_ok(f[3]), f"nullif({f[3]}, '')::date"),
            ("closed_on", _pg_optional_date_ok(f[4]), f"nullif({f[4]}, '')::date"),
            ("expires_on", _pg_optional_date_ok(f[6]), f"nullif({f[6]}, '')::date"),
            ("balance", _pg_amount_ok(f[5], signed=True), f"{f[5]}::numeric(20,2)"),
        ],
        "dup_key": f"regexp_replace({f[0]}, {_lit(_WS)}, '', 'g')",
    }


def _account_resolve(source: str) -> str:
    """Typed account rows joined to their customer, product and (existing) account."""
    from steward.holdings.models import Account

    current = ", ".join(f"a.{c} AS cur_{c}" for c in ACCOUNT_MASTER)
    return (
        f"SELECT s.line, s.ok, s.dup_key, {', '.join(f's.{c}' for c, _k in ACCOUNT_STAGE if c != 'line')}, "
        # A merged customer's number is an alias: its accounts land on the survivor (CUS-12).
        f"COALESCE(ca.customer_id, c.id) AS customer_id, p.id AS product_id, a.id AS account_id, {current} "
        f"FROM ({source}) s "
        f"LEFT JOIN {Customer._meta.db_table} c ON c.cif = s.cif "
        f"LEFT JOIN {CustomerAlias._meta.db_table} ca ON ca.cif = s.cif "
        f"LEFT JOIN {Product._meta.db_table} p ON p.code = s.product_code "
        f"LEFT JOIN {Account._meta.db_table} a ON a.number = s.account_no"
    )


def _accounts(cursor, path, data_date, now, progress, total, columns) -> tuple[Parsed, int]:
    from steward.holdings.models import Account, DailyBalance

    scope = _scope.get()
    balance_t, account_t = DailyBalance._meta.db_table, Account._meta.db_table
    parsed = None
    if _is_pg():
        _set_work_mem(cursor)
        parsed = _fast_stage(
            cursor, path, "accounts", len(columns), _account_spec, _account_parser(), ACCOUNT_STAGE,
            _account_resolve, progress, total,
        )  # fmt: skip
    if parsed is None:
        parsed = _parse_file(path, "accounts", _account_parser(), progress, total)
        _stage(cursor, "stage_accounts_py", ACCOUNT_STAGE, parsed.rows)
        _drop(cursor, "stage_accounts")
        cursor.execute(f"CREATE TEMP TABLE stage_accounts AS {_account_resolve(PY_SOURCE.format('stage_accounts_py'))}")
        _drop(cursor, "stage_accounts_py")
        parsed.rows = []
    day = _date_sql(data_date)
    unmatched = _reject_unmatched(
        cursor,
        "stage_accounts",
        [
            ("s.customer_id IS NULL", stored_reason(gettext_noop("unknown customer number"))),
            ("s.product_id IS NULL", stored_reason(gettext_noop("unknown product code"))),
            # A day is the union of its sources: an account's balance comes from one of them.
            (
                f"EXISTS (SELECT 1 FROM {balance_t} o WHERE o.data_date = {day} AND o.account_id = s.account_id "
                f"AND o.source <> {_lit(scope.source)})",
                stored_reason(gettext_noop("another source delivered this account for the day")),
            ),
        ],
    )
    _add_sql_rejects(cursor, parsed, "accounts", len(columns), unmatched)
    loaded = parsed.read - len(parsed.rejected)
    if scope.reference_rows and loaded < scope.reference_rows * scope.shrink_ratio:
        raise SnapshotHeld(loaded, scope.reference_rows)  # (rolls the load back: nothing applied)
    # Master data: only accounts that are new or whose master fields differ are written, and never
    # over what a newer day applied (Account.data_date; after a newer file: new accounts only).
    changed = " OR ".join(f"s.cur_{c} IS DISTINCT FROM s.{c}" for c in ACCOUNT_MASTER)
    if scope.older_than_applied:
        apply = "s.account_id IS NULL"
    else:
        apply = (
            f"(s.account_id IS NULL OR (({changed}) AND NOT EXISTS (SELECT 1 FROM {account_t} a0 "
            f"WHERE a0.id = s.account_id AND a0.data_date > {day})))"
        )
    _audit_master_changes(cursor, Account, "stage_accounts", "t.id = s.account_id", ACCOUNT_AUDITED, apply)
    # (The resolving join left account_id empty exactly for the numbers no account has yet.)
    _note_new_records(cursor, "stage_accounts", "account_no", "s.account_id IS NULL")
    provided = {"number": "s.account_no", **{c: f"s.{c}" for c in ACCOUNT_MASTER}, "data_date": day}
    written = _upsert(
        cursor, Account, "stage_accounts", "number", provided, now, where=apply,
        special={"data_date": "excluded.data_date"},
    )  # fmt: skip
    _audit_created(cursor, Account, "number")
    if written:
        cursor.execute(
            f"UPDATE stage_accounts SET account_id = a.id FROM {account_t} a "
            "WHERE stage_accounts.account_id IS NULL AND a.number = stage_accounts.account_no"
        )
    # The source's balances of the day: inserted for a new day; a re-run rewrites only what differs
    # and removes only this source's rows the file no longer has (an intra-day part removes nothing).
    # (In account order, so that the indexes on account and customer are filled in one sweep.)
    select = "SELECT s.account_id, s.customer_id, %s, %s, s.balance FROM stage_accounts s"
    insert = f"INSERT INTO {balance_t} (account_id, customer_id, data_date, source, balance) {select}"
    order = " ORDER BY s.account_id"
    if _day_has_rows(cursor, balance_t, data_date, scope.source):
        _index_for_lookups(cursor, "stage_accounts", "account_id")
        _refresh_before_compare(cursor, balance_t)
        only_staged = " AND account_id IN (SELECT account_id FROM stage_accounts)" if scope.adds_only else ""
        cursor.execute(
            f"DELETE FROM {balance_t} WHERE data_date = %s AND source = %s{only_staged} AND NOT EXISTS "
            f"(SELECT 1 FROM stage_accounts s WHERE s.account_id = {balance_t}.account_id "
            f"AND s.customer_id = {balance_t}.customer_id AND s.balance = {balance_t}.balance)",
            [data_date, scope.source],
        )
        cursor.execute(
            f"{insert} WHERE NOT EXISTS (SELECT 1 FROM {balance_t} b WHERE b.data_date = %s AND b.account_id = s.account_id)"
            f"{order}",
            [data_date, scope.source, data_date],
        )
    else:
        cursor.execute(insert + order, [data_date, scope.source])
    _drop(cursor, "stage_accounts", "raw_accounts")
    return parsed, loaded


def _day_has_rows(cursor, table: str, data_date, source: str) -> bool:
    cursor.execute(f"SELECT 1 FROM {table} WHERE data_date = %s AND source = %s LIMIT 1", [data_date, source])
    return cursor.fetchone() is not None


def _refresh_before_compare(cursor, table: str) -> None:
    """Fresh planner statistics of `table` before a re-run compares the file with it: rows loaded
    since the last ANALYZE (a first run, a crashed run's retry) otherwise look absent, and the
    comparison takes a plan quadratic in the day's rows (771 s instead of 8 s)."""
    if _is_pg():
        cursor.execute(f"ANALYZE {table}")
    else:
        # (A sampled ANALYZE: a full one would read every day's rows.)
        cursor.execute("PRAGMA analysis_limit = 1000")
        cursor.execute(f"ANALYZE {table}")
        cursor.execute("PRAGMA analysis_limit = 0")


def _index_for_lookups(cursor, stage: str, column: str) -> None:
    # SQLite looks rows up one by one (PostgreSQL hashes the stage instead).
    if not _is_pg():
        cursor.execute(f"CREATE INDEX {stage}_{column} ON {stage} ({column})")


def _set_work_mem(cursor) -> None:
    # Hash joins and aggregates over a day's rows stay in memory (this transaction only).
    cursor.execute("SET LOCAL work_mem = '256MB'")


def _transaction_parser():
    seen: set[str] = set()
    tz = timezone.get_current_timezone()

    def row(line, v):
        reference = _text(v[0], "reference", 40, True)
        if reference in seen:
            raise RowError(stored_reason(gettext_noop("reference appears twice")))
        number = re.sub(r"\s+", "", v[1])
        if not number:
            raise RowError(stored_reason(gettext_noop("account_no is empty")))
        try:
            if not DATETIME_FORM.fullmatch(v[2].strip()):
                raise ValueError
            booked = dt.datetime.fromisoformat(v[2].strip())
        except ValueError:
            raise RowError(
                stored_reason(gettext_noop("booked_at is not a date and time (YYYY-MM-DD HH:MM:SS)"))
            ) from None
        if booked.tzinfo is None:
            booked = booked.replace(tzinfo=tz)
        amount = _money(v[3], "amount")
        if amount <= 0:
            raise RowError(stored_reason(gettext_noop("amount must be positive (the direction says in or out)")))
        direction = v[4].strip().upper()
        if direction not in ("C", "D"):
            raise RowError(stored_reason(gettext_noop("direction must be C (in) or D (out)")))
        values = (
            line,
            reference,
            number,
            booked,
            amount,
            direction,
            _text(v[5], "channel", 20),
            _text(v[6], "description", 200),
        )
        seen.add(reference)
        return values

    return row


TRANSACTION_STAGE = [
    ("line", "int"),
    ("reference", "text"),
    ("account_no", "text"),
    ("booked_at", "ts"),
    ("amount", "money"),
    ("direction", "text"),
    ("channel", "text"),
    ("description", "text"),
]
TRANSACTION_FIELDS = ["reference", "booked_at", "amount", "direction", "channel", "description"]


def _transaction_spec(f):
    tz = _lit(timezone.get_current_timezone_name())
    return {
        "columns": [
            ("reference", _pg_text_ok(f[0], 40, True), f[0]),
            ("account_no", f"{f[1]} ~ {_lit(NO_SPACE_RE)}", f[1]),
            ("booked_at", _pg_date_ok(f[2], with_time=True), f"({f[2]}::timestamp AT TIME ZONE {tz})"),
            (
                "amount",
                f"CASE WHEN {_pg_amount_ok(f[3])} THEN {f[3]}::numeric > 0 ELSE false END",
                f"{f[3]}::numeric(20,2)",
            ),
            ("direction", f"{f[4]} IN ('C', 'D', 'c', 'd')", f"upper({f[4]})"),
            ("channel", _pg_text_ok(f[5], 20, False), f"coalesce({f[5]}, '')"),
            ("description", _pg_text_ok(f[6], 200, False), f"coalesce({f[6]}, '')"),
        ],
        "dup_key": f"btrim({f[0]}, {_lit(WHITESPACE)})",
    }


def _transaction_resolve(source: str) -> str:
    from steward.holdings.models import Account

    return (
        f"SELECT s.line, s.ok, s.dup_key, {', '.join(f's.{c}' for c, _k in TRANSACTION_STAGE if c != 'line')}, "
        f"a.id AS account_id, a.customer_id AS customer_id "
        f"FROM ({source}) s LEFT JOIN {Account._meta.db_table} a ON a.number = s.account_no"
    )


def _transactions(cursor, path, data_date, now, progress, total, columns) -> tuple[Parsed, int]:
    from steward.holdings.models import Transaction

    parsed = None
    if _is_pg():
        _set_work_mem(cursor)
        parsed = _fast_stage(
            cursor, path, "transactions", len(columns), _transaction_spec, _transaction_parser(),
            TRANSACTION_STAGE, _transaction_resolve, progress, total,
        )  # fmt: skip
    if parsed is None:
        parsed = _parse_file(path, "transactions", _transaction_parser(), progress, total)
        _stage(cursor, "stage_transactions_py", TRANSACTION_STAGE, parsed.rows)
        _drop(cursor, "stage_transactions")
        cursor.execute(
            f"CREATE TEMP TABLE stage_transactions AS {_transaction_resolve(PY_SOURCE.format('stage_transactions_py'))}"
        )
        _drop(cursor, "stage_transactions_py")
        parsed.rows = []
    unmatched = _reject_unmatched(
        cursor, "stage_transactions", [("s.account_id IS NULL", stored_reason(gettext_noop("unknown account")))]
    )
    _add_sql_rejects(cursor, parsed, "transactions", len(columns), unmatched)
    loaded = parsed.read - len(parsed.rejected)
    scope = _scope.get()
    txn_t = Transaction._meta.db_table
    names = ["account_id", "customer_id", *TRANSACTION_FIELDS]
    insert = (
        f"INSERT INTO {txn_t} (data_date, source, {', '.join(names)}) "
        f"SELECT %s, %s, {', '.join(f's.{c}' for c in names)} FROM stage_transactions s"
    )
    # The source's transactions of the day: inserted for a new day; a re-run rewrites only what
    # differs and removes only this source's rows (an intra-day part: only the references it has).
    if _day_has_rows(cursor, txn_t, data_date, scope.source):
        _index_for_lookups(cursor, "stage_transactions", "reference")
        _refresh_before_compare(cursor, txn_t)
        same = " AND ".join(f"s.{c} = {txn_t}.{c}" for c in names)
        only_staged = " AND reference IN (SELECT reference FROM stage_transactions)" if scope.adds_only else ""
        cursor.execute(
            f"DELETE FROM {txn_t} WHERE data_date = %s AND source = %s{only_staged} "
            f"AND NOT EXISTS (SELECT 1 FROM stage_transactions s WHERE {same})",
            [data_date, scope.source],
        )
        cursor.execute(
            f"{insert} WHERE NOT EXISTS (SELECT 1 FROM {txn_t} t WHERE t.data_date = %s AND t.source = %s "
            "AND t.reference = s.reference) ORDER BY s.account_id",
            [data_date, scope.source, data_date, scope.source],
        )
    else:
        cursor.execute(insert + " ORDER BY s.account_id", [data_date, scope.source])
    _drop(cursor, "stage_transactions", "raw_transactions")
    return parsed, loaded


def _add_sql_rejects(cursor, parsed: Parsed, entity: str, width: int, unmatched: dict[int, str]) -> None:
    # On PostgreSQL the raw fields are still staged; otherwise they are read from the file afterwards.
    raws = _raw_values(cursor, entity, width, list(unmatched)) if _is_pg() and _has_raw(cursor, entity) else {}
    for line, reason in sorted(unmatched.items()):
        parsed.rejected.append((line, reason, raws.get(line, [])))


def _has_raw(cursor, entity: str) -> bool:
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [f"pg_temp.raw_{entity}"])
    return cursor.fetchone()[0]


LOADERS = {
    "products": _products,
    "customers": _customers,
    "accounts": _accounts,
    "transactions": _transactions,
}


# --- one file, one day -------------------------------------------------------------------------


def _masked_raw(entity: str, values: list[str]) -> str:
    columns = LAYOUTS[entity]
    kinds = PII_COLUMNS.get(entity, {})
    out = []
    for i, value in enumerate(values):
        value = _printable(value)
        kind = kinds.get(columns[i]) if i < len(columns) else None
        out.append(mask(kind, value) if kind and value else value)
    return ",".join(out)


def _raw_lines(path: Path, lines: set[int]) -> dict[int, list[str]]:
    """The raw fields of the rows starting on the given physical lines."""
    found = {}
    with _open_text(path) as handle:
        reader = csv.reader(handle)
        end_of_previous = 0
        for values in reader:
            line_no, end_of_previous = end_of_previous + 1, reader.line_num
            if line_no in lines:
                found[line_no] = values
    return found


def _count_lines(path: Path) -> int:
    with open(path, "rb") as handle:
        return max(sum(1 for _line in handle) - 1, 0)


# --- runs: one process at a time per file, a dead one recovered at once ---------------------------

logger = logging.getLogger(__name__)
SOURCE_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,29}", re.ASCII)


def this_runner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def run_is_dead(batch: IntakeBatch, now) -> bool:
    """A RUNNING batch whose process is gone (same machine: at once) or whose lease expired."""
    if batch.status != IntakeBatch.Status.RUNNING:
        return False
    host, _sep, pid = batch.runner.rpartition(":")
    if host == socket.gethostname() and pid.isdigit() and not _process_alive(int(pid)):
        return True
    if host == socket.gethostname() and pid.isdigit() and int(pid) == os.getpid():
        return False  # (this process: a nested call, not a crash)
    lease = dt.timedelta(minutes=int(parameter("holdings.intake_lease_minutes")))
    return batch.started_at is None or batch.started_at + lease < now


def recover_dead_runs(now=None) -> list[IntakeBatch]:
    """Mark failed every RUNNING batch whose process died (kill -9, a lost worker) or whose lease
    expired; each is then loaded again like any failed file."""
    now = now or timezone.now()
    recovered = []
    for batch in IntakeBatch.objects.filter(status=IntakeBatch.Status.RUNNING):
        if run_is_dead(batch, now):
            batch.status = IntakeBatch.Status.FAILED
            batch.error = stored_reason(
                gettext_noop(
                    "The load stopped without finishing (its process ended or its lease of %(minutes)s minutes "
                    "expired); nothing of this run was applied. Load the file again."
                ),
                minutes=parameter("holdings.intake_lease_minutes"),
            )
            batch.finished_at = now
            batch.save(update_fields=["status", "error", "finished_at"])
            log_event("holdings.intake_recovered", batch, message=f"runner {batch.runner}")
            recovered.append(batch)
    return recovered


def check_source(source: str) -> None:
    if not SOURCE_RE.fullmatch(source or ""):
        raise DomainError(_("A source is a letter followed by letters, digits and underscores (≤ 30)."), "source")


# --- the manifest and the day's figures -----------------------------------------------------------


def manifest() -> dict[str, list[str]]:
    """{source: [entity, …]} each source must deliver for a day (parameter holdings.intake_manifest)."""
    raw = parameter("holdings.intake_manifest") or {}
    if not isinstance(raw, dict):
        return {}
    return {str(k): [str(e) for e in (v if isinstance(v, list) else [v]) if str(e) in LAYOUTS] for k, v in raw.items()}


def missing_for_day(day: dt.date) -> list[str]:
    """What the manifest asks for `day` that has not been applied yet, e.g. ["cards: accounts (held)"]."""
    batches = {
        (b.source, b.entity): b
        for b in IntakeBatch.objects.filter(data_date=day, part="").only("source", "entity", "status", "last_loaded_at")
    }
    missing = []
    for source, entities in sorted(manifest().items()):
        for entity in entities:
            batch = batches.get((source, entity))
            if batch is not None and batch.last_loaded_at is not None:
                continue
            state = f" ({batch.get_status_display()})" if batch is not None else ""
            missing.append(f"{source}: {entity}{state}")
    return missing


def _mark_day_pending(day: dt.date) -> None:
    """Inside the load's transaction: the day's data changed, so its figures are to be derived."""
    from steward.holdings.models import IntakeDay

    updated = IntakeDay.objects.filter(data_date=day).update(state=IntakeDay.State.PENDING, updated_at=timezone.now())
    if not updated:
        IntakeDay.objects.get_or_create(data_date=day, defaults={"state": IntakeDay.State.PENDING})


def derive_ready_day(day: dt.date, *, now=None, actor=None) -> tuple[dict | None, str]:
    """Derive `day`'s figures when the manifest's files have all been applied, in one transaction
    with the day's state: a crash or kill during the figures leaves the day pending (never
    "derived"), and the drop-folder job derives it again. Returns (figures or None, what it waits for)."""
    from steward.holdings import figures
    from steward.holdings.models import IntakeDay
    from steward.holdings.signals import day_loaded

    now = now or timezone.now()
    missing = missing_for_day(day)
    if missing:
        waiting = "; ".join(missing)[:500]
        IntakeDay.objects.update_or_create(
            data_date=day, defaults={"state": IntakeDay.State.WAITING, "waiting_for": waiting}
        )
        return None, waiting
    with transaction.atomic():
        derived = figures.derive_day(day, now=now)
        IntakeDay.objects.update_or_create(
            data_date=day, defaults={"state": IntakeDay.State.DERIVED, "waiting_for": "", "derived_at": now}
        )
    day_loaded.send(sender=load_day, data_date=day, now=now, actor=actor)
    return derived, ""


def derive_pending_days(*, now=None, actor=None) -> list[tuple[dt.date, str]]:
    """Every day whose figures are pending or waiting (oldest first): derived when ready."""
    from steward.holdings.models import IntakeDay

    done = []
    days = IntakeDay.objects.exclude(state=IntakeDay.State.DERIVED).order_by("data_date")
    for day in days.values_list("data_date", flat=True):
        _figures, waiting = derive_ready_day(day, now=now, actor=actor)
        done.append((day, waiting))
    return done


# --- one file, one day -------------------------------------------------------------------------


def _snapshot_reference(source: str, entity: str, data_date: dt.date) -> int | None:
    """Rows of the source's previous applied snapshot of `entity` (the day before, else this day's
    earlier run): what a new snapshot is compared with."""
    if entity != "accounts":  # the only full snapshot whose shrinking zeroes figures
        return None
    loaded = IntakeBatch.objects.filter(
        source=source, entity=entity, part="", status=IntakeBatch.Status.LOADED, last_loaded_at__isnull=False
    )
    previous = loaded.filter(data_date__lt=data_date).order_by("-data_date").first()
    previous = previous or loaded.filter(data_date=data_date).first()
    return previous.rows_loaded if previous is not None else None


def _newest_applied(source: str, entity: str) -> dt.date | None:
    return (
        IntakeBatch.objects.filter(source=source, entity=entity, part="", last_loaded_at__isnull=False)
        .order_by("-data_date")
        .values_list("data_date", flat=True)
        .first()
    )


def _claim(source: str, entity: str, data_date: dt.date, part: str, now) -> IntakeBatch:
    """The batch of this file, to be run by this process: a run still alive elsewhere is refused,
    a dead one is marked failed and taken over at once."""
    with transaction.atomic():
        batch, _created = IntakeBatch.objects.select_for_update().get_or_create(
            source=source, entity=entity, data_date=data_date, part=part
        )
        if batch.status == IntakeBatch.Status.RUNNING and batch.runs:
            if not run_is_dead(batch, now):
                raise DomainError(
                    _("%(file)s of %(date)s (%(source)s) is being loaded since %(started)s; try again when it ends.")
                    % {"file": entity, "date": data_date, "source": source, "started": batch.started_at}
                )
            recover_dead_runs(now)
            batch.refresh_from_db()
    return batch


def load_file(
    actor,
    path: Path,
    entity: str,
    data_date: dt.date,
    *,
    source: str = "core",
    part: str = "",
    now=None,
    progress=None,
    confirm_shrink: bool = False,
) -> IntakeBatch:
    """Load one entity file of one day (see the module docstring). `part` names an intra-day
    upload whose rows are added to the day; `confirm_shrink` applies a snapshot that would be held."""
    now = now or timezone.now()
    path = Path(path)
    check_source(source)
    batch = _claim(source, entity, data_date, part, now)
    batch.file_name = path.name[:255]
    batch.file_path = str(path.resolve())[:500]
    batch.started_at = now
    batch.finished_at = None
    batch.runs += 1
    batch.loaded_by = actor
    batch.runner = this_runner()
    try:
        with _open_text(path) as handle:
            header = [h.strip() for h in next(csv.reader(handle), [])]
    except (OSError, csv.Error) as exc:
        header, batch.error = None, stored_reason(gettext_noop("The file cannot be read: %(error)s"), error=exc)
    expected = LAYOUTS[entity]
    accepted = header == expected or header in EARLIER_LAYOUTS.get(entity, [])
    if header is not None and not accepted:
        batch.error = stored_reason(
            gettext_noop("Wrong header in %(file)s: expected %(expected)s, found %(found)s. Nothing was loaded."),
            file=path.name,
            expected=",".join(expected),
            found=_printable(",".join(header))[:500],
        )
    if header is None or not accepted:
        batch.status = IntakeBatch.Status.REFUSED
        batch.finished_at = timezone.now()
        batch.save()
        log_event("holdings.intake_refused", batch, message=english_reason(batch.error)[:500])
        return batch
    newest = _newest_applied(source, entity)
    scope = LoadScope(
        source=source,
        data_date=data_date,
        adds_only=bool(part),
        older_than_applied=newest is not None and data_date < newest,
        reference_rows=None if part or confirm_shrink else _snapshot_reference(source, entity, data_date),
        shrink_ratio=Decimal(str(parameter("holdings.intake_hold_shrink_ratio"))),
    )
    batch.status = IntakeBatch.Status.RUNNING
    batch.error = ""
    batch.save()
    total = _count_lines(path)
    token = _scope.set(scope)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            parsed, loaded = LOADERS[entity](cursor, path, data_date, now, progress, total, header)
            _store_rejected(batch, entity, path, parsed)
            batch.rows_read = parsed.read
            batch.rows_loaded = loaded
            batch.rows_rejected = len(parsed.rejected)
            batch.status = IntakeBatch.Status.LOADED
            batch.finished_at = timezone.now()
            batch.last_loaded_at = batch.finished_at
            batch.save()
            _mark_day_pending(data_date)
            log_event(
                "holdings.intake_loaded",
                batch,
                message=f"{entity} {data_date} ({source}{'/' + part if part else ''}): "
                f"{loaded} loaded, {len(parsed.rejected)} rejected",
            )
    except SnapshotHeld as held:
        batch.status = IntakeBatch.Status.HELD
        batch.rows_loaded = held.rows
        batch.finished_at = timezone.now()
        batch.error = stored_reason(
            gettext_noop(
                "Held for confirmation: %(rows)s rows against %(reference)s in the previous snapshot of %(source)s "
                "(below %(share)s%%). Nothing of it was applied; confirm it to load it, or deliver the file again."
            ),
            rows=held.rows,
            reference=held.reference,
            source=source,
            share=int(scope.shrink_ratio * 100),
        )
        batch.save()
        log_event("holdings.intake_held", batch, message=english_reason(batch.error)[:500])
    except Exception as exc:
        # Whatever stopped the load (a database error, a bug), the batch never stays "running".
        logger.exception("intake load of %s failed", batch)
        fail_batch(batch, exc)
    finally:
        _scope.reset(token)
    if progress:
        progress(entity, total, total)
    return batch


def fail_batch(batch: IntakeBatch, exc: Exception, *, actor=None) -> IntakeBatch:
    """Mark a load that raised as failed, with the error in the reader's language, and audit it:
    whatever stopped a load (of any feed: the day's files, market events, calls), nothing of it
    was applied and the batch never stays "running"."""
    batch.status = IntakeBatch.Status.FAILED
    batch.finished_at = timezone.now()
    batch.error = stored_reason(
        gettext_noop("The load failed and nothing of this run was applied: %(error)s"),
        error=f"{type(exc).__name__}: {_printable(str(exc))}"[:400],
    )
    batch.save()
    log_event("holdings.intake_failed", batch, actor=actor, message=english_reason(batch.error)[:500])
    return batch


def _store_rejected(batch: IntakeBatch, entity: str, path: Path, parsed: Parsed) -> None:
    IntakeRejectedRow.objects.filter(batch=batch).delete()
    missing = {line for line, _reason, values in parsed.rejected if not values}
    raws = _raw_lines(path, missing) if missing else {}
    IntakeRejectedRow.objects.bulk_create(
        [
            IntakeRejectedRow(
                batch=batch, line=line, reason=reason, raw=_masked_raw(entity, values or raws.get(line, []))
            )
            for line, reason, values in parsed.rejected
        ],
        batch_size=1000,
    )


def day_files(directory: Path) -> dict[str, Path]:
    directory = Path(directory)
    return {entity: directory / f"{entity}.csv" for entity in ENTITY_ORDER if (directory / f"{entity}.csv").exists()}


STATISTICS_TABLES = ("holdings_dailybalance", "holdings_transaction", "holdings_account", "customers_customer")


def load_day(
    actor,
    directory,
    data_date: dt.date,
    *,
    source: str = "core",
    part: str = "",
    now=None,
    progress: ProgressFn | None = None,
) -> DayResult:
    """Load every entity file found in `directory` for `data_date`, then derive the day's figures
    and reminders once the manifest's files have all been applied (see derive_ready_day). A
    refused, held or failed file does not stop the other files."""
    from steward.core.statistics import refresh_statistics

    now = now or timezone.now()
    check_source(source)
    files = day_files(directory)
    if not files:
        raise DomainError(
            _("No intake files in %(dir)s (expected %(names)s).")
            % {"dir": directory, "names": ", ".join(f"{e}.csv" for e in ENTITY_ORDER)}
        )
    result = DayResult(data_date)
    with acting_as(actor, source="intake"):
        for entity, path in files.items():
            batch = load_file(actor, path, entity, data_date, source=source, part=part, now=now, progress=progress)
            result.batches.append(batch)
            if batch.status == IntakeBatch.Status.LOADED:
                from steward.holdings.signals import file_loaded

                file_loaded.send(sender=load_day, entity=entity, data_date=data_date, now=now, actor=actor)
        applied = any(b.status == IntakeBatch.Status.LOADED for b in result.batches)
        if applied:
            # What was just written is what the figures and the next loads compare against.
            refresh_statistics(*STATISTICS_TABLES)
            if progress:
                progress("figures", 0, 1)
            try:
                figures, result.waiting_for = derive_ready_day(data_date, now=now, actor=actor)
            except Exception as exc:  # the day stays pending: the drop-folder job derives it again
                logger.exception("figures of %s failed", data_date)
                figures, result.waiting_for = (
                    None,
                    _("the figures failed (%(error)s); they are derived again") % {"error": type(exc).__name__},
                )
            result.figures = figures or {}
            if progress:
                progress("figures", 1, 1)
        else:
            result.waiting_for = "; ".join(missing_for_day(data_date))[:500]
            _record_waiting(data_date, result.waiting_for)
    return result


def _record_waiting(day: dt.date, waiting_for: str) -> None:
    """Nothing was applied (refused, held, failed): a day not derived yet says what it waits for;
    a derived day keeps its figures (what an earlier run applied still stands)."""
    from steward.holdings.models import IntakeDay

    if not waiting_for:
        return
    record, created = IntakeDay.objects.get_or_create(
        data_date=day, defaults={"state": IntakeDay.State.WAITING, "waiting_for": waiting_for}
    )
    if not created and record.state == IntakeDay.State.WAITING and record.waiting_for != waiting_for:
        record.waiting_for = waiting_for
        record.save(update_fields=["waiting_for", "updated_at"])
