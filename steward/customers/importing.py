"""Importing customers from the Excel template or a CSV file (CUS-13), on the shared import pipeline.

`CustomerImporter` applies every rule of `create_customer` — the same messages, on the same
columns, in the same order — but set-based: orgs, employees, the importer's scope and the code
tables are read once per file, customer numbers and ID numbers (by blind index) are looked up once
per batch of rows, and the good rows are written with one INSERT … SELECT per table and batch
(steward/imports/pipeline.py), their figures rows included (what the post_save signal does for a
customer saved one by one). Files of any size up to STEWARD_IMPORT_MAX_BYTES; no row cap.
See docs/customers.md ("Importing customers").
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from steward.audit.services import log_bulk, log_event
from steward.basedata.services import code_choices, parameter
from steward.core.statistics import refresh_statistics
from steward.core.validators import clean_name
from steward.customers.models import STAGED_CUSTOMER_COLUMNS
from steward.imports.pipeline import insert_from_stage
from steward.imports.registry import Importer, Rejection, RowRejected, importers

IMPORT = "customers.customer:import"
# (service argument, column header) in template order; the header is what users see.
COLUMNS = (
    ("cif", gettext_lazy("customer number")),
    ("name", gettext_lazy("name")),
    ("id_type", gettext_lazy("ID type")),
    ("id_number", gettext_lazy("ID number")),
    ("mobile", gettext_lazy("mobile")),
    ("address", gettext_lazy("address")),
    ("org", gettext_lazy("org code")),
    ("owner", gettext_lazy("RM employee number")),
    ("occupation", gettext_lazy("occupation")),
    ("education", gettext_lazy("education")),
    ("income_band", gettext_lazy("income band")),
    ("risk_level", gettext_lazy("risk rating")),
    ("source", gettext_lazy("customer source")),
)


def template_workbook() -> bytes:
    """The downloadable .xlsx template: one header row, the ID number and numbers kept as text."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "customers"
    sheet.append([str(label) for _name, label in COLUMNS])
    for index in range(1, len(COLUMNS) + 1):
        sheet.cell(row=2, column=index).number_format = "@"
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = 20
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _label(name: str) -> str:
    return str(dict(COLUMNS).get(name, name or "—"))


class _State:
    """What one file's check needs, read once: orgs and employees by code, the importer's scope,
    the code tables, the duplicate-ID limit; and what the file has claimed so far."""

    def __init__(self, actor):
        from steward.customers import services
        from steward.customers.models import Customer
        from steward.org.models import Employee, Org

        self.actor = actor
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.orgs = dict(Org.objects.values_list("code", "pk"))
        self.employees = {
            no: (pk, active) for no, pk, active in Employee.objects.values_list("employee_no", "pk", "is_active")
        }
        self.reachable_orgs = set(Org.objects.visible_to(actor, services.ADD).values_list("pk", flat=True))
        if getattr(actor, "org_id", None):
            self.reachable_orgs.add(actor.org_id)
        self.owner_candidates = set(services.owner_candidates(actor, services.ADD).values_list("pk", flat=True))
        self.codes = {name: set(dict(code_choices(table, blank=False))) for name, table in services.CODE_FIELDS.items()}
        self.limit = int(parameter(services.DUPLICATE_ID_PARAMETER) or 0)
        self.attempts_key = services._attempts_key(actor)
        self.file_cifs: dict[str, int] = {}  # customer number → the line that took it
        self.file_indexes: dict[str, int] = {}  # ID number blind index → the line that took it
        self.employee_names: dict[int, str] = {}
        self._attempts: int | None = None
        fields = {f.name: f for f in Customer._meta.concrete_fields}
        self.max_length = {name: fields[name].max_length for name in ("cif", "name", "address")}
        self.default_id_type = fields["id_type"].default
        self.verbose_names = {name: fields[name].verbose_name for name in services.CODE_FIELDS}

    def attempts_so_far(self) -> int:
        """Hidden ID numbers tried this hour: read from the shared cache once per batch (`check`
        forgets it), not once per row, and again after each attempt this file adds."""
        if self._attempts is None:
            self._attempts = cache.get(self.attempts_key) or 0
        return self._attempts

    def forget_attempts(self) -> None:
        self._attempts = None

    def employee_name(self, pk: int) -> str:
        from steward.org.models import Employee

        if pk not in self.employee_names:
            self.employee_names[pk] = str(Employee.objects.get(pk=pk))
        return self.employee_names[pk]


_CN_MOBILE_DIGITS = re.compile(r"^1\d{10}$")


def _mobile(value: str) -> tuple[str, str, str, str]:
    """(number, province, city, carrier) as `parse_mobile` derives them; the plain 11-digit form
    is read from the prefix tables (3 µs instead of 200 µs a number), anything else is parsed."""
    from steward.customers.identity import _CN_MOBILE_RE, mobile_place, parse_mobile

    digits = re.sub(r"[\s-]", "", value)
    if digits.startswith("+86"):
        digits = digits[3:]
    if _CN_MOBILE_DIGITS.match(digits) and _CN_MOBILE_RE.fullmatch(digits):
        return (digits, *mobile_place(digits[:7]))
    facts = parse_mobile(value)
    return facts.number, facts.province, facts.city, facts.carrier


class _Row:
    """One row's values and the first refusal in each stretch of `create_customer`'s checks that
    does not depend on the other rows (before the customer-number check, between it and the ID
    claim, after the claim)."""

    __slots__ = ("line", "cif", "values", "index", "before", "middle", "after")

    def __init__(self, line):
        self.line, self.cif, self.values, self.index = line, "", None, ""
        self.before = self.middle = self.after = None


class CustomerImporter(Importer):
    kind = "customers"
    label = gettext_lazy("customers")
    permission = IMPORT
    extra_permissions = ("customers.customer:add",)
    columns = COLUMNS
    back_url_name = "customers:customer_import"
    stage_columns = [
        *STAGED_CUSTOMER_COLUMNS,
        ("source", "text"),
        ("org_id", "int"),
        ("owner_id", "int"),
    ]

    def begin(self, run, actor):
        state = _State(actor)
        state.run_id = run.pk
        return state

    # ------------------------------------------------------------ checking

    def _prepare(self, state: _State, line: int, data: dict, taken: set[str]) -> _Row:
        from steward.customers.identity import RESIDENT_ID, parse_resident_id
        from steward.customers.models import Customer
        from steward.privacy import crypto

        row = _Row(line)
        try:  # what _create and create_customer check before the customer number is claimed
            org = state.orgs.get(data.get("org", ""))
            if org is None:
                raise RowRejected(_label("org"), _("Unknown org code."))
            owner = None
            employee_no = data.get("owner", "")
            if employee_no:
                if employee_no not in state.employees:
                    raise RowRejected(_label("owner"), _("Unknown employee number."))
                owner, owner_active = state.employees[employee_no]
            row.cif = cif = data.get("cif", "")
            if not cif:
                raise RowRejected(_label("cif"), _("Enter the customer number."))
            if cif in taken:
                raise RowRejected(_label("cif"), _("The customer number %(cif)s is taken.") % {"cif": cif})
        except RowRejected as refusal:
            row.before = refusal
            return row
        try:  # ... up to the ID number's claim
            if len(cif) > state.max_length["cif"]:
                raise RowRejected(
                    _label("cif"),
                    _("A customer number has at most %(n)s characters.") % {"n": state.max_length["cif"]},
                )
            if org not in state.reachable_orgs:
                raise RowRejected(_label("org"), _("The org is outside your data scope."))
            if owner is not None and not owner_active:
                raise RowRejected(
                    _label("owner"), _("%(user)s cannot own customers any more.") % {"user": state.employee_name(owner)}
                )
            if owner is not None and owner not in state.owner_candidates:
                raise RowRejected(
                    _label("owner"),
                    _("%(user)s is outside your data scope: choose an employee of an org you manage.")
                    % {"user": state.employee_name(owner)},
                )
            try:
                name = clean_name(data.get("name", ""), max_length=state.max_length["name"])
            except ValidationError as error:
                message = (
                    _("Enter the customer's name.") if error.code == "no_visible_characters" else error.messages[0]
                )
                raise RowRejected(_label("name"), message) from None
            codes = {}
            for field, allowed in state.codes.items():
                value = data.get(field, "")
                if field == "id_type" and not value:
                    value = state.default_id_type
                if value and value not in allowed:
                    label = state.verbose_names[field]
                    raise RowRejected(
                        _label(field), _("“%(value)s” is not a valid %(field)s.") % {"value": value, "field": label}
                    )
                codes[field] = value
            number = data.get("id_number", "")
            if not number:
                raise RowRejected(_label("id_number"), _("Enter the ID number."))
            birth_date, gender = None, Customer.Gender.UNKNOWN
            if codes["id_type"] == RESIDENT_ID:
                try:
                    resident = parse_resident_id(number, today=state.today)
                except Exception as error:
                    raise RowRejected(_label("id_number"), str(getattr(error, "message", error))) from None
                number, birth_date, gender = resident.number, resident.birth_date, resident.gender
            row.index = crypto.blind_index("id_number", number)
        except RowRejected as refusal:
            row.middle = refusal
            return row
        try:  # ... after it
            mobile = province = city = carrier = ""
            if data.get("mobile"):
                try:
                    mobile, province, city, carrier = _mobile(data["mobile"])
                except Exception as error:
                    raise RowRejected(_label("mobile"), str(getattr(error, "message", error))) from None
            address = data.get("address", "")
            if len(address) > state.max_length["address"]:
                raise RowRejected(
                    _label("address"),
                    _("The address may be at most %(n)s characters long.") % {"n": state.max_length["address"]},
                )
        except RowRejected as refusal:
            row.after = refusal
            return row
        row.values = (
            line,
            cif,
            name,
            codes["id_type"],
            crypto.encrypt(number),
            row.index,
            birth_date,
            gender,
            mobile,
            province,
            city,
            carrier,
            crypto.blind_index("mobile", mobile) if mobile else "",  # calls find the customer by it
            address,
            codes["occupation"],
            codes["education"],
            codes["income_band"],
            codes["risk_level"],
            codes["source"],
            org,
            owner,
        )
        return row

    def check(self, state: _State, rows):
        from steward.customers import services
        from steward.customers.models import Customer

        state.forget_attempts()  # other uploads may have added attempts since the last batch
        cifs = [data.get("cif", "") for _line, data in rows if data.get("cif")]
        taken = set(Customer.objects.filter(cif__in=cifs).values_list("cif", flat=True))
        prepared = [self._prepare(state, line, data, taken) for line, data in rows]
        indexes = {row.index for row in prepared if row.index}
        existing: dict[str, int] = {}
        for index, pk in (
            Customer.objects.filter(id_number_index__in=indexes)
            .exclude(status=Customer.Status.MERGED)
            .order_by("-pk")
            .values_list("id_number_index", "pk")
        ):
            existing[index] = pk  # the lowest pk wins, as in _claim_id_number
        visible = set(
            Customer.objects.visible_to(state.actor, services.VIEW)
            .filter(pk__in=set(existing.values()))
            .values_list("pk", flat=True)
        )
        good, rejected = [], []
        for row in prepared:
            refusal = row.before
            if refusal is None and row.cif in state.file_cifs:
                refusal = RowRejected(
                    _label("cif"),
                    _("The customer number %(cif)s appears already on line %(line)s of this file.")
                    % {"cif": row.cif, "line": state.file_cifs[row.cif]},
                )
            refusal = refusal or row.middle or self._claim(state, row, existing, visible) or row.after
            if refusal is not None:
                rejected.append(Rejection(row.line, refusal.column, refusal.reason))
                continue
            state.file_cifs[row.cif] = row.line
            state.file_indexes[row.index] = row.line
            good.append(row.values)
        return good, rejected

    def _claim(self, state: _State, row: _Row, existing, visible) -> RowRejected | None:
        """`_claim_id_number` for one row: the hourly limit of hidden numbers, then a number taken
        earlier in the file, then one of another customer — audited, and counted when hidden."""
        from steward.customers import services
        from steward.customers.models import Customer

        if state.limit and state.attempts_so_far() >= state.limit:
            log_event(
                "customers.duplicate_id_limited",
                None,
                actor=state.actor,
                message="limit reached",
                changes={"cif": row.cif, "limit": state.limit},
            )
            return RowRejected(
                _label("id_number"),
                _(
                    "You have entered too many ID numbers that cannot be used. Try again in an hour, "
                    "or ask your supervisor."
                ),
            )
        if row.index in state.file_indexes:
            return RowRejected(
                _label("id_number"),
                _("The ID number appears already on line %(line)s of this file.")
                % {"line": state.file_indexes[row.index]},
            )
        pk = existing.get(row.index)
        if pk is None:
            return None
        shown = pk in visible
        other = Customer.objects.get(pk=pk)
        if not shown:
            cache.add(state.attempts_key, 0, services.ATTEMPT_WINDOW_SECONDS)
            try:
                cache.incr(state.attempts_key)
            except ValueError:
                cache.set(state.attempts_key, 1, services.ATTEMPT_WINDOW_SECONDS)
            state.forget_attempts()
        log_event(
            "customers.duplicate_id",
            other,
            actor=state.actor,
            message="ID number of another customer",
            changes={"cif": row.cif, "editing": None, "visible": shown},
        )
        column = _label("id_number")
        if shown:
            return RowRejected(
                column, _("A customer with this ID number already exists: %(customer)s.") % {"customer": other}
            )
        return RowRejected(
            column,
            _("This ID number cannot be used. If you believe the customer already exists, ask your supervisor."),
        )

    # ------------------------------------------------------------ writing

    def write(self, state: _State, cursor, stage, first_line, last_line):
        from steward.customers.models import Customer, CustomerFigures

        customer_table = Customer._meta.db_table
        # A customer number or ID number someone else took since the check is refused here.
        inserted = insert_from_stage(
            cursor,
            Customer,
            stage,
            {
                **{c: f"s.{c}" for c, _k in self.stage_columns},
                # An owner chosen in the import is Steward's decision: the daily file keeps it (CUS-09).
                "owner_decided_at": "CASE WHEN s.owner_id IS NULL THEN NULL ELSE %s END",
            },
            state.now,
            provided_params=[Customer._meta.get_field("owner_decided_at").get_db_prep_save(state.now, connection)],
            where=(
                "s.line BETWEEN %s AND %s AND NOT EXISTS (SELECT 1 FROM "
                f"{customer_table} c WHERE c.id_number_index = s.id_number_index AND c.status <> %s)"
            ),
            params=[first_line, last_line, Customer.Status.MERGED],
            returning="id, cif",
        )
        ids = [pk for pk, _cif in inserted]
        written = {cif for _pk, cif in inserted}
        rejected = []
        if len(inserted) < self._staged_count(cursor, stage, first_line, last_line):
            cursor.execute(f"SELECT line, cif FROM {stage} WHERE line BETWEEN %s AND %s", [first_line, last_line])
            rejected = [
                Rejection(
                    line,
                    _label("cif"),
                    _("Another customer took this customer number or ID number while the file was being imported."),
                )
                for line, cif in cursor.fetchall()
                if cif not in written
            ]
        if ids:
            # What the post_save signal does for a customer saved alone: its figures row (get_or_create).
            insert_from_stage(
                cursor,
                CustomerFigures,
                customer_table,
                {"customer_id": "s.id"},
                state.now,
                where=f"s.id IN ({', '.join(['%s'] * len(ids))})",
                params=ids,
                order_by="s.id",
            )
            log_bulk(
                "customers.imported",
                Customer,
                ids,
                actor=state.actor,
                message=f"import run {state.run_id} lines {first_line}-{last_line}",
            )
        return ids, rejected

    @staticmethod
    def _staged_count(cursor, stage, first_line, last_line) -> int:
        cursor.execute(f"SELECT COUNT(*) FROM {stage} WHERE line BETWEEN %s AND %s", [first_line, last_line])
        return cursor.fetchone()[0]

    def finish(self, state, run):
        from steward.customers.models import Customer, CustomerFigures

        if run.rows_written:
            refresh_statistics(Customer, CustomerFigures)


importers.register(CustomerImporter())


# ---------------------------------------------------------------- synchronous use (tests, shell)


@dataclass
class RowError:
    row: int  # the line in the file (the header is line 1)
    column: str
    reason: str


@dataclass
class ImportReport:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    imported: list[int] = field(default_factory=list)  # customer ids
    run: object = None

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors})

    @property
    def clean(self) -> bool:
        return not self.errors


def import_customers(actor, upload, *, save: bool, good_rows_only: bool = False) -> ImportReport:
    """Check (save=False) or import `upload` right here, on the same pipeline the page's background
    run uses, and report row by row. save=True imports only a clean file unless good_rows_only."""
    from steward.customers.models import Customer
    from steward.imports import services
    from steward.imports.models import ImportRun

    mode = (
        ImportRun.Mode.CHECK if not save else (ImportRun.Mode.IMPORT_GOOD if good_rows_only else ImportRun.Mode.IMPORT)
    )
    run = services.start_import(actor, CustomerImporter.kind, upload, mode=mode, confirmed=True)
    services.execute_import(run.pk)
    run.refresh_from_db()
    if run.status == ImportRun.Status.FAILED:
        from steward.core.errors import DomainError

        raise DomainError(run.error, field="file")
    errors = [RowError(r.line, r.column, r.reason) for r in run.rejections.all()]
    imported = []
    if run.rows_written:
        imported = list(Customer.objects.filter(pk__in=_imported_ids(run)).order_by("pk").values_list("pk", flat=True))
    return ImportReport(rows=run.rows_checked, errors=errors, imported=imported, run=run)


def _imported_ids(run) -> list[int]:
    from steward.audit.models import AuditEntry

    ids: list[int] = []
    entries = AuditEntry.objects.filter(action="customers.imported", message__startswith=f"import run {run.pk} lines ")
    for entry_ids in entries.values_list("ids", flat=True):
        ids.extend(entry_ids or [])
    return ids
