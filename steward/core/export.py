"""Export of any list to .xlsx — the same columns the user sees, the same data scope."""

import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook


def table_to_xlsx(table, title: str, user) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(title)[:31] or "export")
    # The columns the user chose to see, not every column the table defines.
    hidden = [column.name for column in table.columns.iterall() if not column.visible]
    rows = iter(table.as_values(exclude_columns=hidden))
    header = next(rows, [])
    sheet.append([str(cell) for cell in header])
    for row in rows:
        sheet.append(["" if cell is None else str(cell) for cell in row])
    sheet.append([])
    # Who exported what, when: the file carries it (PLT-13 adds the watermark rules).
    sheet.append(
        [
            _("Exported by %(user)s at %(time)s")
            % {
                "user": user,
                "time": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
            }
        ]
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
