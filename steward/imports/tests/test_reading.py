"""CUS-13: both .xlsx readers (calamine for ordinary files, streamed openpyxl above
STEWARD_IMPORT_FAST_XLSX_BYTES) give the same rows with the sheet's own line numbers, so the
rejected-rows report points at the same line whichever reader ran."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from steward.core.errors import DomainError
from steward.imports import reading

COLUMNS = [("cif", "Customer number"), ("name", "Name"), ("opened", "Opened")]


def workbook_bytes(first_column: int = 1) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    rows = [
        ["Customer number", "Name", "Opened"],
        ["C1", "钱多多", dt.date(2024, 5, 6)],
        [],  # a blank line in the middle: skipped, and the next line keeps its number
        [13800000000, "  Ann  ", None],
    ]
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=first_column):
            sheet.cell(row=r, column=c, value=value)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


EXPECTED = [
    (2, {"cif": "C1", "name": "钱多多", "opened": "2024-05-06"}),
    (4, {"cif": "13800000000", "name": "Ann", "opened": ""}),
]


@pytest.mark.parametrize("fast_limit", [32 * 1024 * 1024, 0], ids=["calamine", "openpyxl-streamed"])
@pytest.mark.parametrize("first_column", [1, 3], ids=["from-A", "from-C"])
def test_both_xlsx_readers_give_the_same_rows_and_line_numbers(settings, fast_limit, first_column):
    """CUS-13: same values, same physical lines, a sheet whose table starts in column C too."""
    settings.STEWARD_IMPORT_FAST_XLSX_BYTES = fast_limit
    found = list(reading.rows(workbook_bytes(first_column), "customers.xlsx", COLUMNS))
    assert found == EXPECTED


@pytest.mark.parametrize("fast_limit", [32 * 1024 * 1024, 0], ids=["calamine", "openpyxl-streamed"])
def test_a_damaged_workbook_is_a_clear_error_with_either_reader(settings, fast_limit):
    """CUS-13: a zip that is not a workbook is refused on the file field, not a crash."""
    settings.STEWARD_IMPORT_FAST_XLSX_BYTES = fast_limit
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    out.seek(0)
    with pytest.raises(DomainError) as error:
        list(reading.rows(out, "customers.xlsx", COLUMNS))
    assert "not an Excel" in str(error.value)


def test_the_rows_a_file_holds_are_estimated_without_reading_its_cells():
    """CUS-13: the progress of a check is a share of the file: a workbook's first sheet says how
    many rows it has (its dimension), a CSV file is counted by its line breaks; the upload is left
    where it was, and a file that says nothing gives no estimate rather than an error."""
    handle = workbook_bytes()
    handle.seek(5)
    assert reading.rows_estimate(handle, "book.xlsx") == 3  # lines 2–4 (one of them blank)
    assert handle.tell() == 5
    csv_file = io.BytesIO("客户号,姓名\nC1,甲\nC2,乙\nC3,丙".encode())
    assert reading.rows_estimate(csv_file, "list.csv") == 3
    assert reading.rows_estimate(io.BytesIO(b"PK\x03\x04 not a zip"), "bad.xlsx") is None
    assert reading.rows_estimate(io.BytesIO(b"only a header\n"), "empty.csv") is None


def test_a_workbook_written_row_by_row_is_estimated_from_a_sample_of_its_sheet():
    """CUS-13: a workbook without a dimension (written row by row) is estimated from the rows of
    its sheet's first 64 KB, scaled to the sheet's size: close, never read in full."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("customers")
    sheet.append(["Customer number", "Name", "Opened"])
    for i in range(5000):
        sheet.append([f"C{i:06d}", f"客户{i}", dt.date(2024, 1, 1 + i % 28)])
    out = io.BytesIO()
    workbook.save(out)
    estimate = reading.rows_estimate(out, "big.xlsx")
    assert estimate is not None and abs(estimate - 5000) <= 250, estimate
