"""Importing customers from the Excel template (CUS-13).

Every row goes through `create_customer`, so an imported customer obeys exactly the rules of
one entered by hand. The file is validated as a whole first; it is imported only when every row
is clean, or — on explicit confirmation — the good rows only (see docs/customers.md).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from steward.access.services import require_permission
from steward.audit.services import bulk_operation, log_bulk
from steward.core.errors import DomainError
from steward.core.services import service

IMPORT = "customers.customer:import"
MAX_ROWS = 5000
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


@dataclass
class RowError:
    row: int  # the spreadsheet's row number (the header is row 1)
    column: str
    reason: str


@dataclass
class ImportReport:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    imported: list[int] = field(default_factory=list)  # customer ids

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors})

    @property
    def clean(self) -> bool:
        return not self.errors


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


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def read_rows(upload) -> list[tuple[int, dict]]:
    """(row number, {field: text}) for every non-empty row of the first sheet."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise DomainError(_("This is not an Excel (.xlsx) file."), field="file") from error
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [_text(h) for h in next(rows, ())]
    labels = {str(label): name for name, label in COLUMNS} | {name: name for name, _label in COLUMNS}
    fields = [labels.get(h) for h in header]
    missing = [str(label) for name, label in COLUMNS if name not in fields]
    if missing:
        raise DomainError(
            _("The header row lacks these columns: %(list)s") % {"list": ", ".join(missing)}, field="file"
        )
    result = []
    for number, values in enumerate(rows, start=2):
        data = {f: _text(v) for f, v in zip(fields, values, strict=False) if f}
        if any(data.values()):
            result.append((number, data))
        if len(result) > MAX_ROWS:
            raise DomainError(_("A file may hold at most %(n)s customers.") % {"n": MAX_ROWS}, field="file")
    return result


class _Discard(Exception):
    """Raised to roll back a dry run ("Check") after every row was validated."""


def _label(name: str) -> str:
    return str(dict(COLUMNS).get(name, name or "—"))


def _create(actor, number: int, data: dict, report: ImportReport) -> None:
    from steward.customers.services import create_customer
    from steward.org.models import Employee, Org

    data = dict(data)
    org = Org.objects.filter(code=data.pop("org", "")).first()
    if org is None:
        report.errors.append(RowError(number, _label("org"), _("Unknown org code.")))
        return
    owner = None
    employee_no = data.pop("owner", "")
    if employee_no:
        owner = Employee.objects.filter(employee_no=employee_no).first()
        if owner is None:
            report.errors.append(RowError(number, _label("owner"), _("Unknown employee number.")))
            return
    data = {k: v for k, v in data.items() if v != "" or k in ("cif", "name", "id_number")}
    try:
        with transaction.atomic():
            customer = create_customer(actor, cif=data.pop("cif", ""), org=org, owner=owner, **data)
    except DomainError as error:
        report.errors.append(RowError(number, _label(error.field or ""), str(error.message)))
    except PermissionDenied as error:
        report.errors.append(RowError(number, _label("org"), str(error)))
    else:
        report.imported.append(customer.pk)


def import_customers(actor, upload, *, save: bool, good_rows_only: bool = False) -> ImportReport:
    """Validate every row of `upload` with the create_customer rules and report row by row.

    save=False: a dry run, nothing is kept. save=True: imported only when the whole file is
    clean — unless good_rows_only (the user confirmed explicitly), then the good rows are kept.
    Rows naming an ID number of another customer are audited (and count against the actor's
    limit) even when nothing is kept, exactly as when entered by hand."""
    from steward.customers.services import id_attempts_audited

    with id_attempts_audited():
        return _import_customers(actor, upload, save=save, good_rows_only=good_rows_only)


@service
def _import_customers(actor, upload, *, save: bool, good_rows_only: bool = False) -> ImportReport:
    require_permission(actor, IMPORT)
    require_permission(actor, "customers.customer:add")
    rows = read_rows(upload)
    if not rows:
        raise DomainError(_("The file holds no customers."), field="file")
    report = ImportReport(rows=len(rows))
    try:
        with transaction.atomic(), bulk_operation(message="customers.import"):
            for number, data in rows:
                _create(actor, number, data, report)
            keep = save and (report.clean or good_rows_only) and report.imported
            if not keep:
                raise _Discard
            log_bulk(
                "customers.imported",
                _customer_model(),
                report.imported,
                message=f"rows={report.rows} imported={len(report.imported)} rejected={report.bad_rows}",
            )
    except _Discard:
        report.imported = []
    return report


def _customer_model():
    from steward.customers.models import Customer

    return Customer
