"""Reading an uploaded file as a stream of rows: .xlsx or .csv (CUS-13).

Rows are yielded one by one. An .xlsx up to STEWARD_IMPORT_FAST_XLSX_BYTES is read by calamine
(Rust, some 10× faster than openpyxl's Python cell parser, which was 60 % of an import's time);
calamine holds the sheet's cells in memory, so a larger workbook is streamed by openpyxl in
read-only mode instead, keeping memory flat whatever the file's size. CSV is always streamed.
A file that cannot be read as either answers a `DomainError` on the field "file" saying why.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from steward.core.errors import DomainError

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls (and other Office 97 files)
UNDECODABLE = "\ufffd"
# A sheet unpacks to some 10–20× its packed size; far beyond that it is built to exhaust the server.
MAX_UNPACK_RATIO = 100


def max_bytes() -> int:
    """The largest upload accepted (setting STEWARD_IMPORT_MAX_BYTES, docs/configuration.md)."""
    return int(settings.STEWARD_IMPORT_MAX_BYTES)


def check_size(size: int) -> None:
    limit = max_bytes()
    if size > limit:
        raise DomainError(
            _("The file is %(size)s MB; files up to %(limit)s MB can be imported. Split it, or ask an administrator.")
            % {"size": f"{size / 1_048_576:,.1f}", "limit": f"{limit / 1_048_576:,.1f}"},
            field="file",
        )


def text(value) -> str:
    """A cell as text: numbers without a trailing .0, dates in ISO form (YYYY-MM-DD for a date cell), surrounding blanks removed."""
    if type(value) is str:  # nearly every cell: the quick way first
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        value = value.date()  # a date cell: openpyxl reads it as midnight, calamine as a date
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def header_names(columns) -> dict[str, str]:
    """Every header a column may carry — its label in each language of the site, and its field
    name — mapped to the field. A template downloaded in Chinese imports for an English reader."""
    names = {name: name for name, _label in columns}
    for code, _language in settings.LANGUAGES:
        with translation.override(code):
            names |= {str(label).strip().lower(): name for name, label in columns}
    return names


def _map_header(raw, columns, required) -> list[str | None]:
    known = header_names(columns)
    fields = [known.get(text(h).lower()) for h in raw]
    needed = [name for name, _label in columns] if required is None else list(required)
    missing = [str(label) for name, label in columns if name in needed and name not in fields]
    if not any(text(h) for h in raw):
        raise DomainError(_("The first row must be the header row of the template; it is empty."), field="file")
    if missing:
        raise DomainError(
            _("The header row lacks these columns: %(list)s. Use the template.") % {"list": ", ".join(missing)},
            field="file",
        )
    return fields


def _check_unpacked_size(handle) -> None:
    archive = zipfile.ZipFile(handle)
    packed = sum(i.compress_size for i in archive.infolist())
    unpacked = sum(i.file_size for i in archive.infolist())
    if packed and unpacked > MAX_UNPACK_RATIO * max(packed, 1_048_576):
        raise DomainError(_("This Excel file unpacks to an unreasonable size; it cannot be imported."), field="file")
    handle.seek(0)


def _file_size(handle) -> int:
    position = handle.tell()
    handle.seek(0, io.SEEK_END)
    size = handle.tell()
    handle.seek(position)
    return size


def _xlsx_rows(handle) -> Iterator[tuple[int, tuple]]:
    try:
        _check_unpacked_size(handle)
    except DomainError:
        raise
    except Exception as error:  # zipfile raises many kinds for a file that is not a workbook
        raise DomainError(_("This is not an Excel (.xlsx) file, or it is damaged."), field="file") from error
    if _file_size(handle) <= int(settings.STEWARD_IMPORT_FAST_XLSX_BYTES):
        yield from _calamine_rows(handle)
    else:
        yield from _openpyxl_rows(handle)


def _calamine_rows(handle) -> Iterator[tuple[int, list]]:
    from python_calamine import CalamineWorkbook

    try:
        sheet = CalamineWorkbook.from_filelike(handle).get_sheet_by_index(0)
        first_row, first_column = sheet.start or (0, 0)
    except Exception as error:  # calamine raises its own kinds for a damaged workbook
        raise DomainError(_("This is not an Excel (.xlsx) file, or it is damaged."), field="file") from error
    # calamine gives the used range only: rows and columns before it are put back so that the
    # line numbers in the report are the sheet's own and the header lines up with its columns.
    padding = [""] * first_column
    for index, values in enumerate(sheet.iter_rows(), start=first_row + 1):
        yield index, padding + values if padding else values


def _openpyxl_rows(handle) -> Iterator[tuple[int, tuple]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise DomainError(_("This is not an Excel (.xlsx) file, or it is damaged."), field="file") from error
    try:
        # Read-only mode yields an empty row for each row the sheet leaves out: the count is the line.
        yield from enumerate(sheet.iter_rows(values_only=True), start=1)
    finally:
        workbook.close()


def _csv_rows(handle) -> Iterator[tuple[int, list[str]]]:
    head = handle.read(65536)
    handle.seek(0)
    if b"\x00" in head:
        raise DomainError(_("This is neither an Excel (.xlsx) nor a CSV file."), field="file")
    # UTF-8 (with or without the BOM Excel writes) unless the start is not UTF-8: then GB 18030,
    # what Chinese Excel saves "CSV" in. A byte that does not decode becomes U+FFFD, and its row is
    # rejected with the line number (see `rows`) instead of the whole file failing.
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        encoding = "utf-8-sig"
    except UnicodeDecodeError:
        encoding = "gb18030"
    wrapper = io.TextIOWrapper(handle, encoding=encoding, errors="replace", newline="")
    reader = csv.reader(wrapper)
    try:
        for values in reader:
            yield reader.line_num, values  # the physical line (a quoted field may span lines)
    except csv.Error as error:
        raise DomainError(_("The CSV file cannot be read: %(error)s") % {"error": error}, field="file") from error
    finally:
        wrapper.detach()  # the upload stays open for whoever opened it


DIMENSION_RE = re.compile(rb'<(?:\w+:)?dimension ref="[A-Z]+\d+(?::[A-Z]+(\d+))?"')
SHEET_SAMPLE_BYTES = 65536
SHEET_TARGET_RE = re.compile(rb'<(?:\w+:)?sheet\b[^>]*\br:id="([^"]+)"')


def rows_estimate(handle, file_name: str) -> int | None:
    """How many rows below the header the file holds, for the progress bar of the check (never a
    limit): a workbook's first sheet says so in its dimension (Excel and openpyxl write it), a CSV
    file is counted by its line breaks (a quoted field over two lines counts twice: an estimate).
    None when the file does not say. Reads a few kilobytes of a workbook, never its cells."""
    position = handle.tell()
    try:
        handle.seek(0)
        head = handle.read(8)
        handle.seek(0)
        if head.startswith(XLSX_MAGIC):
            return _sheet_dimension_rows(handle)
        if head.startswith(OLE_MAGIC) or file_name.lower().endswith((".xlsx", ".xlsm")):
            return None
        breaks, last = 0, b"\n"
        while chunk := handle.read(1 << 20):
            breaks, last = breaks + chunk.count(b"\n"), chunk[-1:]
        lines = breaks + (0 if last == b"\n" else 1)
        return max(lines - 1, 0) or None
    except Exception:  # a damaged file: reading it says why, the estimate only stays silent
        return None
    finally:
        handle.seek(position)


def _sheet_dimension_rows(handle) -> int | None:
    with zipfile.ZipFile(handle) as workbook:
        names = set(workbook.namelist())
        target = "xl/worksheets/sheet1.xml"
        if "xl/workbook.xml" in names and "xl/_rels/workbook.xml.rels" in names:
            first = SHEET_TARGET_RE.search(workbook.read("xl/workbook.xml"))
            if first:
                relations = workbook.read("xl/_rels/workbook.xml.rels")
                found = re.search(rb'Id="' + re.escape(first.group(1)) + rb'"[^>]*Target="([^"]+)"', relations)
                found = found or re.search(rb'Target="([^"]+)"[^>]*Id="' + re.escape(first.group(1)) + rb'"', relations)
                if found:
                    name = found.group(1).decode().lstrip("/")
                    target = name if name.startswith("xl/") else f"xl/{name}"
        if target not in names:
            return None
        with workbook.open(target) as sheet:
            start = sheet.read(SHEET_SAMPLE_BYTES)
        size = workbook.getinfo(target).file_size
    match = DIMENSION_RE.search(start[:4096])
    if match and match.group(1):
        return max(int(match.group(1)) - 1, 0) or None
    # No dimension (a workbook written row by row, e.g. openpyxl's write-only mode): the rows of
    # the sheet's first 64 KB, scaled to the sheet's unpacked size — exact when the sheet is smaller.
    sampled = start.count(b"<row ") + start.count(b"<row>")
    if sampled < 2:
        return None
    estimate = sampled if len(start) >= size else round(size * sampled / len(start))
    return max(estimate - 1, 0) or None


def rows(handle, file_name: str, columns, required=None) -> Iterator[tuple[int, dict]]:
    """(line, {field: text}) for every non-empty row after the header; the header is line 1.

    Raises DomainError for a file that is empty, of another kind, or without the columns. A row with
    bytes that are not text comes as (line, None): the caller rejects it."""
    head = handle.read(8)
    handle.seek(0)
    if not head:
        raise DomainError(_("The file is empty."), field="file")
    if head.startswith(OLE_MAGIC):
        raise DomainError(_("This is an old Excel (.xls) file: save it as .xlsx and upload it again."), field="file")
    if head.startswith(XLSX_MAGIC):
        source = _xlsx_rows(handle)
    elif file_name.lower().endswith((".xlsx", ".xlsm")):
        raise DomainError(_("This is not an Excel (.xlsx) file, or it is damaged."), field="file")
    else:
        source = _csv_rows(handle)
    first = next(source, None)
    if first is None:
        raise DomainError(_("The file is empty."), field="file")
    fields = _map_header(first[1], columns, required)
    for line, values in source:
        if not values:
            continue
        data = {f: text(v) for f, v in zip(fields, values, strict=False) if f}
        if not any(data.values()):
            continue
        if any(UNDECODABLE in v for v in data.values()):
            yield line, None
            continue
        yield line, data
