"""PLT-12: Excel exports a spreadsheet can compute with (issue 13, point 3b).

Amounts are numeric cells with a money format (separators, two decimals), so a SUM of the AUM
column equals the customers' total; dates and times are date cells; the file is named after the
list in the reader's language (RFC 5987 ``filename*``).
"""

import datetime as dt
from decimal import Decimal
from io import BytesIO
from urllib.parse import unquote

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from steward.customers.tests.factories import CustomerFactory
from steward.testing import grant

AUMS = [Decimal("9551455.42"), Decimal("1200.05"), Decimal("0.50"), Decimal("-75.10")]


@pytest.fixture
def exporter(bank):
    grant(
        bank.north_manager,
        "customers.customer:view",
        "customers.orglist:view",
        "customers.customer:export",
        "audit.entry:view",
        "audit.entry:export",
        scope="subtree",
    )
    for index, aum in enumerate(AUMS):
        CustomerFactory(org=bank.north_team, owner=bank.north_rm, cif=f"E{index:03d}", aum=aum)
    return bank.north_manager


def _sheet(response):
    assert response.status_code == 200, response.status_code
    return load_workbook(BytesIO(response.content)).active


def _column(sheet, header):
    """The cells under `header` (the row after the watermark holds the headers)."""
    rows = list(sheet.iter_rows())
    headers = [cell.value for cell in rows[1]]
    index = headers.index(header)
    return [row[index] for row in rows[2:] if len(row) > index and row[index].value not in (None, "")]


def test_an_exported_aum_column_sums_to_the_customers_total(exporter):
    """PLT-12: every AUM cell is a number formatted #,##0.00, and their sum is the total AUM."""
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(exporter)
    cells = _column(_sheet(browser.get("/customers/org/", {"export": "xlsx"})), "AUM")

    assert len(cells) == len(AUMS)
    assert all(cell.data_type == "n" for cell in cells)
    assert all(cell.number_format == "#,##0.00" for cell in cells)
    assert sum(Decimal(str(cell.value)) for cell in cells) == sum(AUMS)


def test_an_exported_time_is_a_date_cell(exporter):
    """PLT-12: the audit trail's times are date cells (in the business time zone), not text."""
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(exporter)
    browser.get("/customers/org/", {"export": "xlsx"})  # writes an audit entry
    cells = _column(_sheet(browser.get("/audit/", {"export": "xlsx"})), "time")

    assert cells
    assert all(cell.is_date and isinstance(cell.value, dt.datetime) for cell in cells)
    assert all(cell.number_format == "yyyy-mm-dd hh:mm:ss" for cell in cells)
    assert abs(cells[0].value - timezone.localtime().replace(tzinfo=None)) < dt.timedelta(minutes=5)


@pytest.mark.parametrize(("language", "title"), [("zh-hans", "机构客户"), ("en", "Org customers")])
def test_the_file_is_named_after_the_list_in_the_readers_language(exporter, language, title):
    """PLT-12: "机构客户-2026-12-06.xlsx" for a Chinese reader, as RFC 5987 filename* with an
    ASCII fallback; the sheet carries the list's name too."""
    browser = Client(HTTP_ACCEPT_LANGUAGE=language)
    browser.force_login(exporter)
    response = browser.get("/customers/org/", {"export": "xlsx"})

    expected = f"{title}-{timezone.localdate():%Y-%m-%d}.xlsx"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="')
    assert disposition.isascii()
    assert unquote(disposition.split("filename*=UTF-8''", 1)[1]) == expected
    assert _sheet(response).title == title
