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

Rows are staged in a temporary table — by `COPY` on PostgreSQL (psycopg 3), by batched
``executemany`` on SQLite — and applied with set-based INSERT … SELECT / upserts.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from steward.audit.context import acting_as
from steward.audit.services import log_event
from steward.core.errors import DomainError
from steward.customers.identity import mobile_place
from steward.customers.models import Customer
from steward.holdings.models import IntakeBatch, IntakeRejectedRow, Product, ProductCategory
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
    "accounts": ["account_no", "cif", "product_code", "opened_on", "closed_on", "balance"],
    "transactions": ["reference", "account_no", "booked_at", "amount", "direction", "channel", "description"],
}
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


@dataclass
class DayResult:
    data_date: dt.date
    batches: list[IntakeBatch] = field(default_factory=list)
    figures: dict = field(default_factory=dict)

    @property
    def refused(self) -> list[IntakeBatch]:
        return [b for b in self.batches if b.status == IntakeBatch.Status.REFUSED]


# --- parsing helpers ---------------------------------------------------------------------------


def _date(value: str, column: str, required: bool = False):
    value = value.strip()
    if not value:
        if required:
            raise RowError(_("%(column)s is empty") % {"column": column})
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise RowError(_("%(column)s is not a date (YYYY-MM-DD): %(value)s") % {"column": column, "value": value})


def _money(value: str, column: str) -> Decimal:
    try:
        amount = Decimal(value.strip())
    except InvalidOperation:
        raise RowError(_("%(column)s is not an amount") % {"column": column}) from None
    if not amount.is_finite() or abs(amount) >= Decimal("1e18"):
        raise RowError(_("%(column)s is not an amount") % {"column": column})
    return amount.quantize(Decimal("0.01"))


def _text(value: str, column: str, max_length: int, required: bool = False) -> str:
    value = value.strip()
    if required and not value:
        raise RowError(_("%(column)s is empty") % {"column": column})
    if len(value) > max_length:
        raise RowError(_("%(column)s is longer than %(n)s characters") % {"column": column, "n": max_length})
    return value


def _flag(value: str, column: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "y", "yes", "true"}:
        return True
    if lowered in {"", "0", "n", "no", "false"}:
        return False
    raise RowError(_("%(column)s must be Y or N") % {"column": column})


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
    types = {
        "text": "text",
        "int": "bigint",
        "date": "date",
        "money": "numeric(20,2)" if pg else "decimal",
        "ts": "timestamp with time zone" if pg else "text",
        "bool": "boolean" if pg else "bool",
    }
    cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(f"CREATE TEMP TABLE {name} ({', '.join(f'{c} {types[k]}' for c, k in columns)})")
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


def _drop(cursor, name: str) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {name}")


def _upsert(cursor, model, stage: str, key: str, provided: dict[str, str], now, special: dict | None = None) -> int:
    """INSERT INTO model SELECT … FROM stage ON CONFLICT (key) DO UPDATE — changed rows only.

    `provided` maps target columns to SQL expressions over the stage (alias s). Every other
    NOT NULL column gets its Django default, so the statement keeps up with the model."""
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
        f"INSERT INTO {table} AS t ({', '.join(columns)}) SELECT {', '.join(exprs)} FROM {stage} s WHERE 1 = 1 "
        f"ON CONFLICT ({key}) DO UPDATE SET {', '.join(sets)} WHERE {changed}"
    )
    cursor.execute(sql, params)
    return cursor.rowcount


# --- per-entity loaders ------------------------------------------------------------------------


@dataclass
class Parsed:
    rows: list[tuple] = field(default_factory=list)
    rejected: list[tuple[int, str, list[str]]] = field(default_factory=list)
    read: int = 0


def _parse_file(path, entity, row_parser, progress: ProgressFn | None, total: int) -> Parsed:
    """Parse a day's file after its header (which was checked before anything was applied)."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        next(reader)
        return _parse(reader, entity, row_parser, progress, total)


def _parse(reader, entity, row_parser, progress: ProgressFn | None, total: int) -> Parsed:
    parsed = Parsed()
    width = len(LAYOUTS[entity])
    for line_no, values in enumerate(reader, start=2):
        parsed.read += 1
        if not any(v.strip() for v in values):
            parsed.read -= 1
            continue
        try:
            if len(values) != width:
                raise RowError(
                    _("%(found)s columns instead of %(expected)s") % {"found": len(values), "expected": width}
                )
            parsed.rows.append(row_parser(line_no, values))
        except RowError as exc:
            parsed.rejected.append((line_no, str(exc), values))
        if progress and parsed.read % 10000 == 0:
            progress(entity, parsed.read, total)
    return parsed


def _products(cursor, path, data_date, now, progress, total) -> tuple[Parsed, int]:
    categories = dict(ProductCategory.objects.values_list("code", "pk"))
    seen: set[str] = set()

    def row(line, v):
        code = _text(v[0], "code", 40, True)
        if code in seen:
            raise RowError(_("product %(code)s appears twice") % {"code": code})
        category = categories.get(v[2].strip())
        if category is None:
            raise RowError(_("unknown product category %(code)s") % {"code": v[2].strip()})
        risk = v[3].strip().upper()
        if risk not in RISK_LEVELS:
            raise RowError(_("risk level must be R1 to R5"))
        currency = (v[4].strip() or "CNY").upper()
        if not re.fullmatch(r"[A-Z]{3}", currency):
            raise RowError(_("currency must be a 3-letter code"))
        term = v[5].strip()
        if term and not term.isdigit():
            raise RowError(_("term_days is not a whole number"))
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


def _customers(cursor, path, data_date, now, progress, total) -> tuple[Parsed, int]:
    from steward.org.models import Employee, Org

    orgs = dict(Org.objects.values_list("code", "pk"))
    owners = dict(Employee.objects.values_list("employee_no", "pk"))
    seen: set[str] = set()
    kyc = {c for c, _label in Customer.Kyc.choices}
    statuses = {c for c, _label in Customer.Status.choices}

    def row(line, v):
        cif = _text(v[0], "cif", 32, True)
        if cif in seen:
            raise RowError(_("customer %(cif)s appears twice") % {"cif": cif})
        id_type = v[2].strip() or "01"
        id_number = re.sub(r"\s+", "", v[3]).upper()
        birth_date = _date(v[4], "birth_date")
        gender = v[5].strip().upper() or "U"
        if id_type == "01":
            if not resident_id_valid(id_number):
                raise RowError(_("ID number is not a valid 18-digit resident ID"))
            birth_date = birth_date or dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
            if gender == "U":
                gender = "M" if int(id_number[16]) % 2 else "F"
        if gender not in {"M", "F", "U"}:
            raise RowError(_("gender must be M, F or U"))
        mobile = re.sub(r"\D", "", v[6])
        if mobile and not re.fullmatch(r"1\d{10}", mobile):
            raise RowError(_("mobile is not an 11-digit mobile number"))
        risk = v[11].strip().upper()
        if risk not in RISK_LEVELS:
            raise RowError(_("risk level must be R1 to R5"))
        kyc_status = v[13].strip() or "pending"
        if kyc_status not in kyc:
            raise RowError(_("unknown KYC status %(value)s") % {"value": kyc_status})
        status = v[15].strip() or "active"
        if status not in statuses:
            raise RowError(_("unknown status %(value)s") % {"value": status})
        org = orgs.get(v[16].strip())
        if org is None:
            raise RowError(_("unknown org code %(code)s") % {"code": v[16].strip()})
        owner_no = v[17].strip()
        owner = owners.get(owner_no) if owner_no else None
        if owner_no and owner is None:
            raise RowError(_("unknown employee number %(no)s") % {"no": owner_no})
        seen.add(cif)
        return (
            cif,
            _text(v[1], "name", 100, True),
            _text(id_type, "id_type", 10),
            crypto.encrypt(id_number) if id_number else "",
            crypto.blind_index("id_number", id_number) if id_number else "",
            birth_date,
            gender,
            mobile,
            *(mobile_place(mobile[:7]) if mobile else ("", "", "")),
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

    parsed = _parse_file(path, "customers", row, progress, total)
    cols = [
        ("cif", "text"),
        ("name", "text"),
        ("id_type", "text"),
        ("id_number", "text"),
        ("id_number_index", "text"),
        ("birth_date", "date"),
        ("gender", "text"),
        ("mobile", "text"),
        ("mobile_province", "text"),
        ("mobile_city", "text"),
        ("mobile_carrier", "text"),
        ("address", "text"),
        ("occupation", "text"),
        ("education", "text"),
        ("income_band", "text"),
        ("risk_level", "text"),
        ("risk_expires_on", "date"),
        ("kyc_status", "text"),
        ("source", "text"),
        ("status", "text"),
        ("org_id", "int"),
        ("owner_id", "int"),
    ]
    _stage(cursor, "stage_customers", cols, parsed.rows)
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
    )
    _drop(cursor, "stage_customers")
    return parsed, len(parsed.rows)


def _reject_unmatched(cursor, stage: str, checks: list[tuple[str, str]]) -> dict[int, str]:
    """Lines of `stage` failing a join condition, with the reason of the first failing check."""
    rejected: dict[int, str] = {}
    for condition, reason in checks:
        cursor.execute(f"SELECT s.line FROM {stage} s WHERE {condition}")
        for (line,) in cursor.fetchall():
            rejected.setdefault(line, reason)
    if rejected:
        lines = list(rejected)
        for i in range(0, len(lines), 500):
            chunk = lines[i : i + 500]
            cursor.execute(f"DELETE FROM {stage} WHERE line IN ({', '.join(['%s'] * len(chunk))})", chunk)
    return rejected


def _accounts(cursor, path, data_date, now, progress, total) -> tuple[Parsed, int]:
    seen: set[str] = set()

    def row(line, v):
        number = re.sub(r"\s+", "", v[0])
        if not number or len(number) > 40:
            raise RowError(_("account_no is empty or too long"))
        if number in seen:
            raise RowError(_("account appears twice"))
        cif = _text(v[1], "cif", 32, True)
        product = _text(v[2], "product_code", 40, True)
        opened, closed = _date(v[3], "opened_on"), _date(v[4], "closed_on")
        balance = _money(v[5], "balance")
        seen.add(number)
        return (line, number, cif, product, opened, closed, balance)

    parsed = _parse_file(path, "accounts", row, progress, total)
    cols = [
        ("line", "int"),
        ("account_no", "text"),
        ("cif", "text"),
        ("product_code", "text"),
        ("opened_on", "date"),
        ("closed_on", "date"),
        ("balance", "money"),
    ]
    _stage(cursor, "stage_accounts", cols, parsed.rows)
    customer_t, product_t = Customer._meta.db_table, Product._meta.db_table
    unmatched = _reject_unmatched(
        cursor,
        "stage_accounts",
        [
            (f"NOT EXISTS (SELECT 1 FROM {customer_t} c WHERE c.cif = s.cif)", _("unknown customer number")),
            (f"NOT EXISTS (SELECT 1 FROM {product_t} p WHERE p.code = s.product_code)", _("unknown product code")),
        ],
    )
    _add_sql_rejects(parsed, unmatched)
    from steward.holdings.models import Account, DailyBalance

    resolved = {
        "number": "s.account_no",
        "customer_id": f"(SELECT c.id FROM {customer_t} c WHERE c.cif = s.cif)",
        "product_id": f"(SELECT p.id FROM {product_t} p WHERE p.code = s.product_code)",
        "opened_on": "s.opened_on",
        "closed_on": "s.closed_on",
    }
    _upsert(cursor, Account, "stage_accounts", "number", resolved, now)
    balance_t, account_t = DailyBalance._meta.db_table, Account._meta.db_table
    cursor.execute(f"DELETE FROM {balance_t} WHERE data_date = %s", [data_date])
    cursor.execute(
        f"INSERT INTO {balance_t} (account_id, customer_id, data_date, balance) "
        f"SELECT a.id, a.customer_id, %s, s.balance FROM stage_accounts s JOIN {account_t} a ON a.number = s.account_no",
        [data_date],
    )
    loaded = cursor.rowcount
    _drop(cursor, "stage_accounts")
    return parsed, loaded


def _transactions(cursor, path, data_date, now, progress, total) -> tuple[Parsed, int]:
    seen: set[str] = set()
    tz = timezone.get_current_timezone()

    def row(line, v):
        reference = _text(v[0], "reference", 40, True)
        if reference in seen:
            raise RowError(_("reference appears twice"))
        number = re.sub(r"\s+", "", v[1])
        if not number:
            raise RowError(_("account_no is empty"))
        try:
            booked = dt.datetime.fromisoformat(v[2].strip())
        except ValueError:
            raise RowError(_("booked_at is not a date and time (YYYY-MM-DD HH:MM:SS)")) from None
        if booked.tzinfo is None:
            booked = booked.replace(tzinfo=tz)
        amount = _money(v[3], "amount")
        if amount <= 0:
            raise RowError(_("amount must be positive (the direction says in or out)"))
        direction = v[4].strip().upper()
        if direction not in ("C", "D"):
            raise RowError(_("direction must be C (in) or D (out)"))
        seen.add(reference)
        return (
            line,
            reference,
            number,
            booked,
            amount,
            direction,
            _text(v[5], "channel", 20),
            _text(v[6], "description", 200),
        )

    parsed = _parse_file(path, "transactions", row, progress, total)
    cols = [
        ("line", "int"),
        ("reference", "text"),
        ("account_no", "text"),
        ("booked_at", "ts"),
        ("amount", "money"),
        ("direction", "text"),
        ("channel", "text"),
        ("description", "text"),
    ]
    _stage(cursor, "stage_transactions", cols, parsed.rows)
    from steward.holdings.models import Account, Transaction

    account_t, txn_t = Account._meta.db_table, Transaction._meta.db_table
    unmatched = _reject_unmatched(
        cursor,
        "stage_transactions",
        [(f"NOT EXISTS (SELECT 1 FROM {account_t} a WHERE a.number = s.account_no)", _("unknown account"))],
    )
    _add_sql_rejects(parsed, unmatched)
    cursor.execute(f"DELETE FROM {txn_t} WHERE data_date = %s", [data_date])
    cursor.execute(
        f"INSERT INTO {txn_t} (reference, account_id, customer_id, data_date, booked_at, amount, direction, channel, "
        f"description) SELECT s.reference, a.id, a.customer_id, %s, s.booked_at, s.amount, s.direction, s.channel, "
        f"s.description FROM stage_transactions s JOIN {account_t} a ON a.number = s.account_no",
        [data_date],
    )
    loaded = cursor.rowcount
    _drop(cursor, "stage_transactions")
    return parsed, loaded


def _add_sql_rejects(parsed: Parsed, unmatched: dict[int, str]) -> None:
    # Raw text is filled in from the file afterwards (only for these few lines).
    for line, reason in sorted(unmatched.items()):
        parsed.rejected.append((line, reason, []))


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
        kind = kinds.get(columns[i]) if i < len(columns) else None
        out.append(mask(kind, value) if kind and value else value)
    return ",".join(out)


def _raw_lines(path: Path, lines: set[int]) -> dict[int, list[str]]:
    found = {}
    with open(path, newline="", encoding="utf-8-sig") as handle:
        for line_no, values in enumerate(csv.reader(handle), start=1):
            if line_no in lines:
                found[line_no] = values
    return found


def _count_lines(path: Path) -> int:
    with open(path, "rb") as handle:
        return max(sum(1 for _line in handle) - 1, 0)


def load_file(
    actor, path: Path, entity: str, data_date: dt.date, *, source: str = "core", now=None, progress=None
) -> IntakeBatch:
    """Load one entity file of one day (see the module docstring)."""
    now = now or timezone.now()
    path = Path(path)
    batch, _created = IntakeBatch.objects.get_or_create(source=source, entity=entity, data_date=data_date)
    batch.file_name = path.name
    batch.started_at = now
    batch.runs += 1
    batch.loaded_by = actor
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            header = [h.strip() for h in next(csv.reader(handle), [])]
    except (OSError, UnicodeDecodeError) as exc:
        header, batch.error = None, _("The file cannot be read: %(error)s") % {"error": exc}
    expected = LAYOUTS[entity]
    if header is not None and header != expected:
        batch.error = _("Wrong header in %(file)s: expected %(expected)s, found %(found)s. Nothing was loaded.") % {
            "file": path.name,
            "expected": ",".join(expected),
            "found": ",".join(header),
        }
    if header is None or header != expected:
        batch.status = IntakeBatch.Status.REFUSED
        batch.finished_at = timezone.now()
        batch.save()
        log_event("holdings.intake_refused", batch, message=batch.error[:500])
        return batch
    batch.status = IntakeBatch.Status.RUNNING
    batch.error = ""
    batch.save()
    total = _count_lines(path)
    with transaction.atomic(), connection.cursor() as cursor:
        parsed, loaded = LOADERS[entity](cursor, path, data_date, now, progress, total)
        IntakeRejectedRow.objects.filter(batch=batch).delete()
        missing = {line for line, _reason, values in parsed.rejected if not values}
        raws = _raw_lines(path, missing) if missing else {}
        IntakeRejectedRow.objects.bulk_create(
            [
                IntakeRejectedRow(
                    batch=batch, line=line, reason=reason[:200], raw=_masked_raw(entity, values or raws.get(line, []))
                )
                for line, reason, values in parsed.rejected
            ],
            batch_size=1000,
        )
        batch.rows_read = parsed.read
        batch.rows_loaded = loaded
        batch.rows_rejected = len(parsed.rejected)
        batch.status = IntakeBatch.Status.LOADED
        batch.finished_at = timezone.now()
        batch.save()
        log_event(
            "holdings.intake_loaded",
            batch,
            message=f"{entity} {data_date}: {loaded} loaded, {len(parsed.rejected)} rejected",
        )
    if progress:
        progress(entity, total, total)
    return batch


def day_files(directory: Path) -> dict[str, Path]:
    directory = Path(directory)
    return {entity: directory / f"{entity}.csv" for entity in ENTITY_ORDER if (directory / f"{entity}.csv").exists()}


def load_day(
    actor, directory, data_date: dt.date, *, source: str = "core", now=None, progress: ProgressFn | None = None
) -> DayResult:
    """Load every entity file found in `directory` for `data_date`, then derive the day's figures
    and reminders. A refused file does not stop the other files; figures are derived from what loaded."""
    from steward.holdings import figures
    from steward.holdings.signals import day_loaded

    now = now or timezone.now()
    files = day_files(directory)
    if not files:
        raise DomainError(
            _("No intake files in %(dir)s (expected %(names)s).")
            % {"dir": directory, "names": ", ".join(f"{e}.csv" for e in ENTITY_ORDER)}
        )
    result = DayResult(data_date)
    with acting_as(actor, source="intake"):
        for entity, path in files.items():
            result.batches.append(load_file(actor, path, entity, data_date, source=source, now=now, progress=progress))
        if progress:
            progress("figures", 0, 1)
        result.figures = figures.derive_day(data_date, now=now)
        day_loaded.send(sender=load_day, data_date=data_date, now=now, actor=actor)
        if progress:
            progress("figures", 1, 1)
    return result
