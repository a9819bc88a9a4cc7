"""CUS-13 import from the Excel template: validated by the create_customer rules, row-level report,
nothing saved unless the file is clean or the good rows are explicitly confirmed."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from steward.audit.models import AuditEntry
from steward.core.errors import DomainError
from steward.customers.importing import COLUMNS, import_customers
from steward.customers.models import Customer
from steward.customers.tests.factories import resident_id
from steward.testing import grant

IMPORT = "customers.customer:import"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def importer(book):
    grant(book.bank.north_manager, IMPORT, scope="subtree")
    return book.bank.north_manager


def workbook(book, rows):
    wb = Workbook()
    sheet = wb.active
    sheet.append([str(label) for _name, label in COLUMNS])
    for row in rows:
        values = {"org": book.bank.north_team.code, "owner": book.bank.north_rm.employee_no, "id_type": "01", **row}
        sheet.append([values.get(name, "") for name, _label in COLUMNS])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "customers.xlsx"
    return out


GOOD = [
    {"cif": "N001", "name": "钱一", "id_number": resident_id(9001), "mobile": "13912345678"},
    {"cif": "N002", "name": "孙二", "id_number": resident_id(9002)},
]
BAD = [
    {"cif": "C100", "name": "重复号", "id_number": resident_id(9003)},  # row 4: taken number
    {"cif": "N004", "name": "", "id_number": resident_id(9004)},  # row 5: no name
    {"cif": "N005", "name": "周五", "id_number": resident_id(9005), "org": "NOPE"},  # row 6: unknown org
]


def test_a_clean_file_is_imported_and_audited(book, importer):
    report = import_customers(importer, workbook(book, GOOD), save=True)
    assert report.clean and len(report.imported) == 2
    created = Customer.objects.get(cif="N001")
    assert created.owner == book.bank.north_rm and created.mobile_city  # derived like a hand-entered customer
    assert AuditEntry.objects.filter(action="customers.imported").count() == 1


def test_a_file_with_errors_is_reported_row_by_row_and_nothing_is_saved(book, importer):
    report = import_customers(importer, workbook(book, GOOD + BAD), save=True)
    assert report.imported == [] and not Customer.objects.filter(cif__startswith="N").exists()
    assert [(e.row, e.column) for e in report.errors] == [(4, "customer number"), (5, "name"), (6, "org code")]
    # A dry run reports the same and saves nothing either.
    assert len(import_customers(importer, workbook(book, GOOD + BAD), save=False).errors) == 3
    assert not Customer.objects.filter(cif__startswith="N").exists()


def test_good_rows_only_on_explicit_confirmation(book, importer, client, django_capture_on_commit_callbacks):
    """CUS-13: "Import the good rows" needs the box ticked; then the good rows are imported in the
    background and the run's page lists the rejected rows."""
    client.force_login(importer)
    upload = workbook(book, GOOD + BAD)
    refused = client.post("/customers/import/", {"file": upload, "action": "import_good"})
    assert refused.status_code == 400 and "Tick the box" in refused.context["error"]
    assert not Customer.objects.filter(cif__startswith="N").exists()
    upload.seek(0)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post("/customers/import/", {"file": upload, "action": "import_good", "confirm": "1"})
    assert page.status_code == 302
    run_page = client.get(page["Location"])
    assert [(e.line, e.column) for e in run_page.context["rejections"]] == [
        (4, "customer number"),
        (5, "name"),
        (6, "org code"),
    ]
    assert "2 customers were imported." in run_page.content.decode()
    assert set(Customer.objects.filter(cif__startswith="N").values_list("cif", flat=True)) == {"N001", "N002"}


def test_the_template_and_the_permission(book, importer, client):
    client.force_login(importer)
    response = client.get("/customers/import/template.xlsx")
    header = [c.value for c in next(load_workbook(io.BytesIO(response.content)).active.iter_rows())]
    assert header == [str(label) for _name, label in COLUMNS]
    with pytest.raises(DomainError):
        import_customers(importer, io.BytesIO(b"not a workbook"), save=False)
    client.force_login(book.bank.north_rm)
    assert client.get("/customers/import/").status_code == 403
    assert client.get("/customers/import/template.xlsx").status_code == 403
