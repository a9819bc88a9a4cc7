"""Export of any list to .xlsx — the same columns the user sees, the same data scope."""

import io
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook


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
    """One exported cell: numbers stay numbers (money sums in the spreadsheet); everything else
    is text, neutralised when it could be read as a formula (CSV/formula injection)."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


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
    sheet = workbook.create_sheet(title=str(title)[:31] or "export")
    sheet.append([sheet_cell(watermark(user))])
    # The columns the user chose to see, not every column the table defines.
    hidden = [column.name for column in table.columns.iterall() if not column.visible]
    rows = iter(table.as_values(exclude_columns=hidden))
    header = next(rows, [])
    sheet.append([sheet_cell(str(cell)) for cell in header])
    for row in rows:
        sheet.append([sheet_cell(cell) for cell in row])
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
    filename = f"{slugify(str(title), allow_unicode=False) or 'export'}-{timezone.localdate():%Y%m%d}.xlsx"
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
