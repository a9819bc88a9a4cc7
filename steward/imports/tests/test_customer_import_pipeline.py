"""CUS-13 (issue 12, point 5): imports at bulk speed, no row cap — the shared import pipeline as a
user meets it through the customer import page: background runs, progress, the rejected-rows
report, the byte limit, bad files, the data scope, and other users' writes during an import."""

from __future__ import annotations

import csv
import io
import threading
import time

import pytest
from django.db import connection
from openpyxl import Workbook, load_workbook

from steward.audit.models import AuditEntry
from steward.customers.importing import COLUMNS
from steward.customers.models import Customer, CustomerFigures
from steward.imports.models import ImportRun
from steward.testing import grant

IMPORT = "customers.customer:import"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def importer(book):
    grant(book.bank.north_manager, IMPORT, scope="subtree")
    return book.bank.north_manager


@pytest.fixture
def importer_client(client, importer):
    client.force_login(importer)
    return client


def id_number(i: int) -> str:
    """A valid resident ID number, distinct for every i (none of the book's customers has one)."""
    import datetime as dt

    from steward.customers.identity import check_digit

    first17 = f"310101{dt.date(1950, 1, 1) + dt.timedelta(days=i // 400):%Y%m%d}{(i % 400) * 2 + 1:03d}"
    return first17 + check_digit(first17)


def rows_for(book, count, start=0, **extra):
    return [
        {
            "cif": f"P{start + i:06d}",
            "name": "钱多多",
            "id_number": id_number(start + i),
            "mobile": "13912345678",
            **extra,
        }
        for i in range(count)
    ]


def xlsx(book, rows, name="customers.xlsx"):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("customers")
    sheet.append([str(label) for _name, label in COLUMNS])
    for row in rows:
        values = {"org": book.bank.north_team.code, "owner": book.bank.north_rm.employee_no, "id_type": "01", **row}
        sheet.append([values.get(field, "") for field, _label in COLUMNS])
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    out.name = name
    return out


def csv_file(book, rows, encoding="utf-8", name="customers.csv", raw_lines=()):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([str(label) for _name, label in COLUMNS])
    for row in rows:
        values = {"org": book.bank.north_team.code, "owner": book.bank.north_rm.employee_no, "id_type": "01", **row}
        writer.writerow([values.get(field, "") for field, _label in COLUMNS])
    data = buffer.getvalue().encode(encoding) + b"".join(raw_lines)
    out = io.BytesIO(data)
    out.name = name
    return out


def post(client, upload, action="import", capture=None, **extra):
    with capture(execute=True):
        return client.post("/customers/import/", {"file": upload, "action": action, **extra})


def test_a_file_above_the_old_5000_row_cap_imports_in_the_background(
    book, importer_client, django_capture_on_commit_callbacks
):
    """CUS-13: 6,000 customers in one .xlsx (the old import refused more than 5,000) are imported by a
    background run, each with its figures row, audited in bulk entries listing the ids."""
    response = post(importer_client, xlsx(book, rows_for(book, 6000)), capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert response["Location"] == run.get_absolute_url()
    assert (run.status, run.rows_checked, run.rows_rejected, run.rows_written) == ("succeeded", 6000, 0, 6000)
    imported = Customer.objects.filter(cif__startswith="P")
    assert imported.count() == 6000
    assert CustomerFigures.objects.filter(customer__cif__startswith="P").count() == 6000
    customer = imported.get(cif="P000001")
    assert customer.id_number == id_number(1) and customer.birth_date and customer.gender in ("M", "F")
    assert customer.mobile_city and customer.owner == book.bank.north_rm and customer.org == book.bank.north_team
    audited = [
        pk for ids in AuditEntry.objects.filter(action="customers.imported").values_list("ids", flat=True) for pk in ids
    ]
    assert sorted(audited) == sorted(imported.values_list("pk", flat=True))
    page = importer_client.get(run.get_absolute_url())
    assert "6,000 customers were imported." in page.content.decode()
    assert not run.upload.name or not run.upload.storage.exists(run.upload.name)  # the personal data file is gone


def test_rejected_rows_are_downloadable_with_line_column_and_reason(
    book, importer_client, django_capture_on_commit_callbacks
):
    """CUS-13: a check lists each bad row with its line, column and reason, on the page and as a
    downloadable .csv and .xlsx report; nothing is saved by a check."""
    rows = rows_for(book, 3)
    rows[1]["mobile"] = "12345"
    rows[2]["cif"] = rows[0]["cif"]
    post(importer_client, xlsx(book, rows), action="check", capture=django_capture_on_commit_callbacks)
    run = ImportRun.objects.get()
    assert (run.status, run.rows_good, run.rows_rejected) == ("succeeded", 1, 2)
    assert not Customer.objects.filter(cif__startswith="P").exists()
    expected = [
        ["3", "mobile", "Enter a valid mainland mobile number (11 digits)."],
        ["4", "customer number", "The customer number P000000 appears already on line 2 of this file."],
    ]
    report = importer_client.get(f"/imports/{run.pk}/rejected.csv")
    assert report.status_code == 200 and report["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(b"".join(report.streaming_content).decode("utf-8-sig"))))
    assert lines == [["line", "column", "reason"], *expected]
    report = importer_client.get(f"/imports/{run.pk}/rejected.xlsx")
    sheet = load_workbook(io.BytesIO(report.content)).active
    assert [[str(v) for v in row] for row in sheet.iter_rows(values_only=True)] == [
        ["line", "column", "reason"],
        *expected,
    ]
    page = importer_client.get(run.get_absolute_url()).content.decode()
    assert "rejected.xlsx" in page and "appears already on line 2" in page


def test_import_refuses_a_file_with_errors_and_the_checked_file_imports_its_good_rows(
    book, importer, importer_client, django_capture_on_commit_callbacks
):
    """CUS-13: "Import" saves nothing when a row has errors; the good rows of a finished check are
    imported on explicit confirmation without uploading the file again."""
    rows = rows_for(book, 4)
    rows[3]["name"] = "   "
    post(importer_client, xlsx(book, rows), action="import", capture=django_capture_on_commit_callbacks)
    refused = ImportRun.objects.get()
    assert refused.status == "refused" and not Customer.objects.filter(cif__startswith="P").exists()
    post(importer_client, xlsx(book, rows), action="check", capture=django_capture_on_commit_callbacks)
    checked = ImportRun.objects.filter(mode="check").get()
    unconfirmed = importer_client.post(f"/imports/{checked.pk}/import/", {"mode": "import_good"})
    assert unconfirmed.status_code == 302 and ImportRun.objects.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        importer_client.post(f"/imports/{checked.pk}/import/", {"mode": "import_good", "confirm": "1"})
    run = ImportRun.objects.get(checked_run=checked)
    assert (run.status, run.rows_written, run.rows_rejected) == ("succeeded", 3, 1)
    assert Customer.objects.filter(cif__startswith="P").count() == 3


def test_the_byte_limit_gives_a_clear_error(book, importer_client, settings, django_capture_on_commit_callbacks):
    """CUS-13: a file above STEWARD_IMPORT_MAX_BYTES is refused at once, saying how large it may be."""
    settings.STEWARD_IMPORT_MAX_BYTES = 2048
    response = post(importer_client, xlsx(book, rows_for(book, 50)), capture=django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert "files up to 0.0 MB" in response.context["error"] or "MB can be imported" in response.context["error"]
    assert not ImportRun.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"this is not a workbook", "customers.xlsx", "not an Excel (.xlsx) file"),
        (b"PK\x03\x04broken zip", "customers.xlsx", "not an Excel (.xlsx) file"),
        (b"", "customers.xlsx", "The file is empty."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "customers.xls", "old Excel (.xls)"),
        (b"a,b,c\n1,2,3\n", "customers.csv", "The header row lacks these columns"),
        (",".join(str(label) for _n, label in COLUMNS).encode() + b"\n", "customers.csv", "no rows below the header"),
        (b"\x00\x01\x02binary", "customers.bin", "neither an Excel (.xlsx) nor a CSV file"),
    ],
)
def test_bad_files_are_answered_with_a_clear_error_never_a_500(
    book, importer_client, content, name, message, django_capture_on_commit_callbacks
):
    """CUS-13: not a workbook, damaged, empty, old .xls, wrong header, header only, binary: a 400
    with the reason on the page, no run, no 500."""
    upload = io.BytesIO(content)
    upload.name = name
    response = post(importer_client, upload, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert message in response.context["error"]
    assert not ImportRun.objects.exists()


def test_a_wrong_header_in_xlsx_names_the_missing_columns(book, importer_client, django_capture_on_commit_callbacks):
    """CUS-13: the header check names what is missing."""
    workbook = Workbook()
    workbook.active.append(["customer number", "name"])
    workbook.active.append(["P1", "钱"])
    upload = io.BytesIO()
    workbook.save(upload)
    upload.seek(0)
    upload.name = "x.xlsx"
    response = post(importer_client, upload, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 400 and "ID number" in response.context["error"]


def test_csv_in_gb18030_imports_and_a_line_of_bad_bytes_is_one_rejected_row(
    book, importer_client, django_capture_on_commit_callbacks
):
    """CUS-13: a CSV saved by Chinese Excel (GB 18030) imports; a line with bytes that are not text
    is rejected with its line number while the others are imported."""
    upload = csv_file(book, rows_for(book, 2), encoding="gb18030", raw_lines=[b"P9,\xff\xfe\xfd\x81,01\n"])
    post(importer_client, upload, action="import_good", confirm="1", capture=django_capture_on_commit_callbacks)
    run = ImportRun.objects.get()
    assert (run.status, run.rows_written) == ("succeeded", 2)
    assert Customer.objects.get(cif="P000000").name == "钱多多"
    assert [(r.line, r.reason[:40]) for r in run.rejections.all()] == [(4, "The line holds bytes that are not text (")]


def test_scope_rows_outside_the_importers_scope_are_rejected(book, importer_client, django_capture_on_commit_callbacks):
    """CUS-13 / CUS-09: a branch manager of the north may not import customers managed by the south's
    org or owned by the south's RM (require_owner_in_scope), row by row."""
    rows = rows_for(book, 3)
    rows[0]["org"] = book.bank.south_team.code
    rows[1]["owner"] = book.bank.south_rm.employee_no
    post(
        importer_client, xlsx(book, rows), action="import_good", confirm="1", capture=django_capture_on_commit_callbacks
    )
    run = ImportRun.objects.get()
    reasons = {r.line: (r.column, r.reason) for r in run.rejections.all()}
    assert reasons[2] == ("org code", "The org is outside your data scope.")
    assert reasons[3][0] == "RM employee number" and "outside your data scope" in reasons[3][1]
    assert list(Customer.objects.filter(cif__startswith="P").values_list("cif", flat=True)) == ["P000002"]


def test_a_run_is_seen_only_inside_the_data_scope(
    book, importer, importer_client, client, django_capture_on_commit_callbacks
):
    """CUS-13 / PLT-04: another branch's manager (same permission, other subtree) and an RM without the
    permission get a 404 / 403 for the run and its report."""
    post(importer_client, xlsx(book, rows_for(book, 1)), action="check", capture=django_capture_on_commit_callbacks)
    run = ImportRun.objects.get()
    from steward.testing import EmployeeFactory

    other = EmployeeFactory(employee_no="SBM", name="南方行长", org=book.bank.south)
    grant(other, IMPORT, scope="subtree")
    client.force_login(other)
    for url in (run.get_absolute_url(), f"/imports/{run.pk}/progress/", f"/imports/{run.pk}/rejected.csv"):
        assert client.get(url).status_code == 404
    client.force_login(book.bank.north_rm)
    assert client.get(run.get_absolute_url()).status_code == 404
    assert client.get("/customers/import/").status_code == 403


def test_the_page_shows_progress_and_polls_only_the_progress_element(book, importer, importer_client):
    """CUS-13: while a run waits or runs, its page carries a progress element that htmx refreshes
    on its own; once the run has finished the poll answers with a page refresh."""
    from steward.imports.services import execute_import

    upload = xlsx(book, rows_for(book, 30))
    from steward.imports.services import start_import

    run = start_import(importer, "customers", upload, mode="import")  # not dispatched: no on_commit here
    page = importer_client.get(run.get_absolute_url()).content.decode()
    assert 'id="import-progress"' in page and f'hx-get="/imports/{run.pk}/progress/"' in page
    fragment = importer_client.get(f"/imports/{run.pk}/progress/", HTTP_HX_REQUEST="true")
    assert fragment.content.decode().lstrip().startswith('<div id="import-progress"') and "HX-Refresh" not in fragment
    execute_import(run.pk)
    fragment = importer_client.get(f"/imports/{run.pk}/progress/", HTTP_HX_REQUEST="true")
    assert fragment["HX-Refresh"] == "true" and "30 rows checked" in fragment.content.decode()
    run.refresh_from_db()
    assert run.status == "succeeded" and run.progress_percent == 100
    assert execute_import(run.pk) is None  # delivered twice: imported once
    assert Customer.objects.filter(cif__startswith="P").count() == 30


def test_the_fast_mobile_path_derives_what_parse_mobile_derives():
    """CUS-13: the import's prefix-table lookup gives the same number, province, city and carrier."""
    from steward.customers.identity import parse_mobile
    from steward.customers.importing import _mobile

    for number in ("13912345678", "139 1234 5678", "+8613800138000", "15000000000", "18612345678", "19912345678"):
        facts = parse_mobile(number)
        assert _mobile(number) == (facts.number, facts.province, facts.city, facts.carrier)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite's database-wide write lock")
def test_other_users_can_write_while_an_import_runs_on_sqlite(book, importer, settings, tmp_path):
    """CUS-13: the import commits in short batches, so another user's save during an import
    succeeds and waits well under the lock timeout ("database is locked" before: the whole file was
    one transaction)."""
    from django.db import connections

    from steward.imports.services import start_import
    from steward.org.models import Employee

    settings.STEWARD_IMPORT_BATCH_ROWS = 300
    # A file database, like production (the test database lives in memory, shared between threads).
    path = tmp_path / "concurrent.sqlite3"
    source = (
        connection.connection if connection.connection else (connection.ensure_connection() or connection.connection)
    )
    import sqlite3

    target = sqlite3.connect(path)
    source.backup(target)
    # In WAL mode before either thread connects: both connections' init command asks for WAL, and
    # switching a file into WAL while the other thread writes fails at once ("database is locked",
    # the busy timeout does not apply to that switch) — a race of this test's setup, not of imports.
    target.execute("PRAGMA journal_mode=WAL")
    target.close()
    saved = {alias: dict(connections.settings[alias]) for alias in ("default",)}
    connections.settings["default"]["NAME"] = str(path)
    connection.settings_dict["NAME"] = str(path)
    # Set the shared in-memory connection aside (closing it would drop the test database).
    in_memory, connection.connection = connection.connection, None
    upload = xlsx(book, rows_for(book, 3000))
    try:
        waits, failures, done = [], [], threading.Event()

        def other_user():
            while not done.is_set():
                started = time.monotonic()
                try:
                    Employee.objects.filter(pk=book.bank.north_rm2.pk).update(name=f"二{len(waits)}")
                except Exception as error:  # "database is locked"
                    failures.append(error)
                waits.append(time.monotonic() - started)
                time.sleep(0.02)
            connections["default"].close()

        writer = threading.Thread(target=other_user)
        writer.start()
        # No transaction around: the run is handed to the (eager) worker at once and runs here.
        run = start_import(importer, "customers", upload, mode="import")
        done.set()
        writer.join(60)
        run.refresh_from_db()
        assert run.status == "succeeded" and run.rows_written == 3000
        assert not failures
        assert len(waits) > 10 and max(waits) < 2.0, waits
    finally:
        connection.close()
        connections.settings["default"].update(saved["default"])
        connection.settings_dict.update(saved["default"])
        connection.connection = in_memory


def test_an_owner_chosen_in_the_import_is_stewards_decision(book, importer_client, django_capture_on_commit_callbacks):
    """CUS-09/CUS-13: a customer imported with an owner is marked as owned by Steward's decision, so
    the next daily file cannot silently move it; one imported without an owner is not."""
    rows = rows_for(book, 2)
    rows[1]["owner"] = ""
    post(importer_client, xlsx(book, rows), capture=django_capture_on_commit_callbacks)
    with_owner, without = Customer.objects.get(cif="P000000"), Customer.objects.get(cif="P000001")
    assert with_owner.owner == book.bank.north_rm and with_owner.owner_decided_at is not None
    assert without.owner is None and without.owner_decided_at is None


def test_the_check_shows_a_percentage_from_the_first_batch(book, importer, settings, monkeypatch):
    """CUS-13: the progress bar moves while the file is checked, not only while it is saved: the
    workbook's size is known before the first row is checked (its dimension), so the first batch
    already reads as a share of the file."""
    from steward.imports import services

    settings.STEWARD_IMPORT_BATCH_ROWS = 10
    run = services.start_import(importer, "customers", xlsx(book, rows_for(book, 40)), mode="import")
    seen = []
    customers = services.importer_for("customers")
    real_check = customers.check

    def watched(state, batch):
        current = ImportRun.objects.get(pk=run.pk)
        seen.append((current.phase, current.rows_total, current.progress_percent))
        return real_check(state, batch)

    monkeypatch.setattr(customers, "check", watched)
    services.execute_import(run.pk)

    assert seen[0] == ("checking", 40, 0)
    assert [percent for _phase, _total, percent in seen[:4]] == [0, 25, 50, 75]
    assert ImportRun.objects.get(pk=run.pk).status == "succeeded"


def test_files_no_run_will_import_are_deleted_after_the_keeping_period(book, importer, settings):
    """CUS-13 / PLT-13: an uploaded file holds personal data; the daily job deletes the file of a
    check nobody imported (and of a refused or failed run) after STEWARD_IMPORT_KEEP_UPLOAD_DAYS,
    keeps a recent one and one a newer run still reads; the runs and their counts stay."""
    import datetime as dt
    from pathlib import Path

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from steward.imports.services import forget_old_uploads
    from steward.imports.tests.factories import ImportRunFactory
    from steward.jobs.registry import jobs

    now = timezone.now()

    def run_with_file(days_ago, *, status="succeeded", mode="check", upload=None):
        run = ImportRunFactory(requested_by=importer, status=status, mode=mode, rows_total=3)
        if upload is None:
            run.upload.save(f"file-{run.pk}.xlsx", ContentFile(b"personal data"), save=False)
        else:
            run.upload = upload
        run.save()
        ImportRun.objects.filter(pk=run.pk).update(created_at=now - dt.timedelta(days=days_ago))
        return run

    forgotten_check = run_with_file(8)
    refused = run_with_file(9, status="refused", mode="import")
    recent_check = run_with_file(2)
    old_check_being_imported = run_with_file(10)
    run_with_file(0, status="running", mode="import", upload=old_check_being_imported.upload.name)
    paths = {
        run.pk: Path(run.upload.path) for run in (forgotten_check, refused, recent_check, old_check_being_imported)
    }

    assert forget_old_uploads(now) == {"processed": 2, "deleted": 2}

    assert not paths[forgotten_check.pk].exists() and not paths[refused.pk].exists()
    assert paths[recent_check.pk].exists() and paths[old_check_being_imported.pk].exists()
    forgotten_check.refresh_from_db()
    assert forgotten_check.upload.name == "" and forgotten_check.rows_total == 3
    assert forget_old_uploads(now) == {"processed": 0, "deleted": 0}
    assert "imports.forget_old_uploads" in jobs
