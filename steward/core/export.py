"""Export of any list to .xlsx — the same columns the user sees, the same data scope."""

import datetime as dt
import io
import re
from decimal import Decimal
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell


def watermark(user) -> str:
    return _("Exported by %(user)s at %(time)s — internal use only") % {
        "user": user,
        "time": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
    }


# A spreadsheet reads a text cell starting with one of these as a formula (or, for tab and
# carriage return, as one after the import trims it): "=HYPERLINK(…)" in a customer's name
# would be live in the export. Such text gets a leading apostrophe and stays text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def sheet_cell(value):
    """One exported cell: numbers stay numbers (money sums in the spreadsheet), dates stay dates
    (a date-time in the business time zone: a spreadsheet has none); everything else is text,
    neutralised when it could be read as a formula (CSV/formula injection)."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, dt.date | dt.time):
        return value
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


# How a spreadsheet shows a typed cell: money with separators and two decimals (PLT-12), dates
# and times as the bank writes them. Whole numbers (counts, ages, terms) keep the General format.
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
TIME_FORMAT = "hh:mm:ss"


def typed_cell(sheet, value) -> WriteOnlyCell:
    """``sheet_cell(value)`` as a cell of a write-only sheet, with the number format of its type."""
    cell = WriteOnlyCell(sheet, value=sheet_cell(value))
    if isinstance(cell.value, Decimal):
        cell.number_format = MONEY_FORMAT
    elif isinstance(cell.value, dt.datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(cell.value, dt.date):
        cell.number_format = DATE_FORMAT
    elif isinstance(cell.value, dt.time):
        cell.number_format = TIME_FORMAT
    return cell


# Characters no file system (or no spreadsheet's sheet name) accepts.
_UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|\[\]\x00-\x1f]+')


def export_filename(title, day: dt.date) -> str:
    """The file named after the list in the reader's language: "机构客户-2026-12-06.xlsx"."""
    name = _UNSAFE_IN_NAMES.sub("-", str(title)).strip(" .-") or "export"
    return f"{name}-{day:%Y-%m-%d}.xlsx"


def attachment_header(filename: str) -> str:
    """Content-Disposition for a download: an ASCII name for old clients and the real (Chinese)
    name as RFC 5987/6266 ``filename*``, which every current browser uses."""
    stem, _dot, extension = filename.rpartition(".")
    fallback = f"{slugify(stem) or 'export'}.{extension}"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def table_to_xlsx(table, title: str, user, filters=None) -> HttpResponse:
    """The table's visible columns as .xlsx, with a watermark line; the export is audited
    (one summary entry per batch of exported record ids)."""
    from steward.audit.services import log_bulk
    from steward.privacy.logging import redact

    model = getattr(getattr(table, "_meta", None), "model", None) or table.data.data.model
    ids = list(table.data.data.values_list("pk", flat=True)) if hasattr(table.data.data, "values_list") else []
    if getattr(table, "export_unmasked", False):
        # Plain personal data leaves only through the one audited gate (PLT-13).
        from steward.privacy.services import EXPORT_UNMASKED, pii_fields, unmask

        unmask(user, model, ids, fields=pii_fields(model), purpose=f"export {title}", permission=EXPORT_UNMASKED)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_UNSAFE_IN_NAMES.sub("-", str(title))[:31] or "export")
    sheet.append([sheet_cell(watermark(user))])
    # The columns the user chose to see, not every column the table defines.
    hidden = [column.name for column in table.columns.iterall() if not column.visible]
    rows = iter(table.as_values(exclude_columns=hidden))
    header = next(rows, [])
    sheet.append([sheet_cell(str(cell)) for cell in header])
    for row in rows:
        sheet.append([typed_cell(sheet, cell) for cell in row])
    sheet.append([])
    sheet.append([sheet_cell(watermark(user))])
    # Search terms can be phone or ID numbers: the audit message carries them masked.
    criteria = redact(str({k: v for k, v in (filters or {}).items() if k not in ("export", "unmasked") and v}))
    log_bulk(
        "export",
        model,
        ids,
        actor=user,
        message=f"{title}; filters={criteria}; unmasked={bool(getattr(table, 'export_unmasked', False))}",
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = attachment_header(export_filename(title, timezone.localdate()))
    return response
