"""LEAD-01 / LEAD-07: importing potential customers from the Excel template or a CSV file, on the
shared import pipeline — the template, the rejected-rows report (line, column, reason), the run's
import number on every lead, the importer's org scope, institutions, matching to customers,
duplicates and re-imports, nothing half-written, and the page flow for an RM."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook

from steward.audit.models import AuditEntry
from steward.core.errors import DomainError
from steward.customers.tests.factories import CustomerFactory, resident_id
from steward.imports.models import ImportRun
from steward.leads import importing, services
from steward.leads.importing import COLUMNS, check_row, import_number_of, region_of
from steward.leads.models import Institution, Lead, LeadMove, RegionRoute
from steward.leads.permissions import ADD, VIEW
from steward.testing import EmployeeFactory, grant

CHANGZHOU = "13912345678"  # 江苏省 常州市: routed to the north branch below
GUANGZHOU = "13710001000"  # 广东省 广州市: routed to the south branch below
BAD_CHECK_DIGIT = resident_id(3)[:17] + ("0" if resident_id(3)[17] != "0" else "1")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def routes(bank):
    RegionRoute.objects.create(province="江苏省", org=bank.north)
    RegionRoute.objects.create(province="广东省", org=bank.south)


@pytest.fixture
def importer(bank, routes):
    """The north branch's manager: adds and sees leads in the north's subtree."""
    grant(bank.north_manager, VIEW, ADD, scope="subtree")
    return bank.north_manager


def mobile(i: int) -> str:
    return f"1391234{i:04d}"  # 江苏省 常州市 (no customer of the factories has a 139 number)


def xlsx(rows, name="leads.xlsx"):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("leads")
    sheet.append([str(label) for _name, label in COLUMNS])
    for row in rows:
        sheet.append([row.get(field, "") for field, _label in COLUMNS])
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    out.name = name
    return out


def csv_file(rows, header=None, name="leads.csv"):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    fields = header or [field for field, _label in COLUMNS]
    labels = dict(COLUMNS)
    writer.writerow([str(labels[field]) for field in fields])
    for row in rows:
        writer.writerow([row.get(field, "") for field in fields])
    out = io.BytesIO(buffer.getvalue().encode())
    out.name = name
    return out


def good(i: int, **more) -> dict:
    return {"name": f"潜客{i}", "mobile": mobile(i), **more}


def rejections(run) -> list[tuple[int, str, str]]:
    return [(r.line, r.column, r.reason) for r in run.rejections.order_by("line")]


def test_the_template_downloads_with_every_column_and_only_for_those_who_may_import(bank, importer, client):
    """LEAD-07: the .xlsx template has the import's header row (and a sheet saying what each column
    takes); a user without leads.lead:add gets 403."""
    client.force_login(importer)
    response = client.get("/leads/import/template.xlsx")
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    workbook = load_workbook(io.BytesIO(response.content))
    header = [cell.value for cell in workbook.worksheets[0][1]]
    assert header == [
        "name",
        "mobile",
        "ID number",
        "customer number",
        "org code",
        "lead level",
        "channel",
        "campaign",
        "institution code",
    ]
    assert "high, normal or low" in " ".join(str(c.value) for row in workbook.worksheets[1] for c in row)
    client.force_login(bank.south_rm)  # no permission
    assert client.get("/leads/import/template.xlsx").status_code == 403
    assert client.get("/leads/import/").status_code == 403


def test_good_rows_are_stored_with_the_import_number_and_bad_rows_reported_by_line_and_reason(bank, importer):
    """LEAD-07: the good rows become leads (source import, the run's import number, created by the
    importer, in the routed org's public pool); each bad row is reported with its line, column and
    reason; the report is downloadable."""
    Institution.objects.create(code="old-payroll", name="旧代发单位", org=bank.north, is_active=False)
    rows = [
        good(1, campaign="开门红", channel="branch-event", level="high"),
        good(2, mobile="12345"),
        good(3, name="  "),
        good(4, org="NOPE"),
        good(5, level="urgent"),
        good(6, institution="old-payroll"),
        good(7, id_number=BAD_CHECK_DIGIT),
        good(8, mobile=mobile(1)),
        good(9, campaign="x" * 101),
    ]
    report = importing.import_leads(importer, xlsx(rows), save=True, good_rows_only=True)
    run = report.run
    assert (run.status, run.rows_checked, run.rows_written, run.rows_rejected) == ("succeeded", 9, 1, 8)
    assert rejections(run) == [
        (
            3,
            "mobile",
            "Enter a valid mobile number: 11 digits for the mainland, or + and the country code for another country.",
        ),
        (4, "name", "Enter the name."),
        (5, "org code", "Unknown org code."),
        (6, "lead level", "“urgent” is not a lead level: enter high, normal or low."),
        (7, "institution code", "No active institution has the code old-payroll."),
        (8, "ID number", "The resident ID number is not valid: its check digit does not match (GB 11643)."),
        (9, "mobile", "The mobile number appears already on line 2 of this file."),
        (10, "campaign", "At most 100 characters."),
    ]
    lead = Lead.objects.get()
    assert lead.import_number == import_number_of(run) and lead.import_number.startswith("IMP")
    assert (lead.source, lead.created_by, lead.campaign, lead.channel, lead.level) == (
        "import",
        importer,
        "开门红",
        "branch-event",
        "high",
    )
    assert (lead.org, lead.pool.org, lead.pool.kind, lead.holder) == (bank.north, bank.north, "public", None)
    assert lead.pooled_at is not None and lead.mobile_city == "常州市" and lead.mobile == mobile(1)
    audited = AuditEntry.objects.get(action="leads.imported")
    assert audited.ids == [lead.pk] and import_number_of(run) in audited.message


def test_a_file_with_errors_imported_whole_saves_nothing(importer):
    """LEAD-07: "Import" of a file with one bad row stores no lead (status refused); a check never
    stores anything either."""
    rows = [good(1), good(2), good(3, mobile="999")]
    report = importing.import_leads(importer, xlsx(rows), save=True)
    assert report.run.status == ImportRun.Status.REFUSED and report.errors[0][:2] == (4, "mobile")
    checked = importing.import_leads(importer, xlsx(rows[:2]), save=False)
    assert checked.run.rows_good == 2
    assert not Lead.objects.exists()


def test_a_failure_while_writing_leaves_no_half_written_batch(importer, settings, monkeypatch):
    """LEAD-07: the rows are written in batches, each in one transaction: when writing the second
    batch fails, its leads are not stored at all (nor audited) and the run says it failed; the first
    batch's leads are whole (each in its pool)."""
    from steward.leads import handover

    settings.STEWARD_IMPORT_BATCH_ROWS = 2
    real, calls = handover.public_pools, []

    def failing_on_the_second_batch(org_ids):
        calls.append(1)
        pools = real(org_ids)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return pools

    monkeypatch.setattr(handover, "public_pools", failing_on_the_second_batch)
    with pytest.raises(DomainError, match="failed unexpectedly"):
        importing.import_leads(importer, xlsx([good(i) for i in range(1, 5)]), save=True)
    stored = list(Lead.objects.order_by("pk"))
    assert [lead.name for lead in stored] == ["潜客1", "潜客2"]
    assert all(lead.pool_id for lead in stored)
    assert (
        sum(len(ids) for ids in AuditEntry.objects.filter(action="leads.imported").values_list("ids", flat=True)) == 2
    )
    assert ImportRun.objects.get().status == ImportRun.Status.FAILED


def test_a_person_added_by_someone_else_during_the_import_is_refused_then(bank, importer, monkeypatch):
    """LEAD-07: between the check and the write, an RM enters one of the file's people by hand: that
    row is refused when written (by line), the others are stored; no duplicate lead."""
    from steward.leads import handover

    real = handover.public_pools

    def someone_enters_line_3_first(org_ids):
        if not Lead.objects.filter(mobile=mobile(2)).exists():
            Lead.objects.create(
                name="手工", mobile=mobile(2), org=bank.north_team, holder=bank.north_rm, source="manual"
            )
        return real(org_ids)

    monkeypatch.setattr(handover, "public_pools", someone_enters_line_3_first)
    report = importing.import_leads(importer, xlsx([good(1), good(2), good(3)]), save=True)
    assert (report.run.status, report.written) == ("succeeded", 2)
    assert rejections(report.run) == [
        (3, "mobile", "Another potential customer with this mobile or ID number was added while the file was imported.")
    ]
    assert Lead.objects.filter(mobile_index=Lead.objects.get(name="手工").mobile_index).count() == 1


def test_a_row_whose_person_is_a_customer_goes_to_that_customers_rm(bank, importer):
    """LEAD-05 / LEAD-07: matched by ID number, then customer number, then a mobile only one customer
    has: linked, handed to the customer's RM (protected from now, a move recorded), in no pool. A
    mobile two customers share matches nobody: the lead goes to the pool."""
    by_id = CustomerFactory(org=bank.south_team, owner=bank.south_rm, id_number=resident_id(501))
    by_cif = CustomerFactory(org=bank.north_team, owner=bank.north_rm, cif="C777")
    by_mobile = CustomerFactory(org=bank.north_team, owner=bank.north_rm2, mobile="13912340099")
    CustomerFactory(org=bank.north_team, owner=bank.north_rm, mobile="13912340098")
    CustomerFactory(org=bank.south_team, owner=bank.south_rm, mobile="13912340098")
    rows = [
        good(1, id_number=resident_id(501)),
        good(2, customer_number="C777"),
        good(3, mobile="13912340099"),
        good(4, mobile="13912340098"),
    ]
    report = importing.import_leads(importer, xlsx(rows), save=True)
    assert report.written == 4 and not report.errors
    leads = {lead.name: lead for lead in Lead.objects.all()}
    for name, customer in (("潜客1", by_id), ("潜客2", by_cif), ("潜客3", by_mobile)):
        lead = leads[name]
        assert (lead.customer, lead.holder, lead.pool, lead.org) == (customer, customer.owner, None, customer.owner.org)
        assert lead.assigned_at is not None and lead.protected_until is not None
        assert LeadMove.objects.filter(lead=lead, kind="assign", to_holder=customer.owner).exists()
        assert lead.import_number == import_number_of(report.run)
    shared = leads["潜客4"]
    assert (shared.customer, shared.holder, shared.pool.org) == (None, None, bank.north)


def test_the_importer_places_leads_only_in_orgs_it_manages_but_routing_may_go_elsewhere(bank, importer):
    """LEAD-07: a row naming an org outside the importer's scope is refused; one naming an org it
    manages goes to that org's public pool; a row without an org follows the bank's region routing,
    even to a branch the importer does not manage (the bank's rule, docs/leads.md)."""
    rows = [
        good(1, org=bank.south_team.code),
        good(2, org=bank.north_sub.code),
        good(3, mobile=GUANGZHOU),
    ]
    report = importing.import_leads(importer, xlsx(rows), save=True, good_rows_only=True)
    assert rejections(report.run) == [(2, "org code", "The org is outside your data scope.")]
    placed = dict(Lead.objects.values_list("name", "pool__org__code"))
    assert placed == {"潜客2": bank.north_sub.code, "潜客3": bank.south.code}


def test_an_institution_code_must_name_an_active_institution_and_its_org_receives_the_lead(bank, importer):
    """LEAD-01: the lead carries the institution; with no org in the file it goes to the pool of
    the institution's org; an unknown code is refused."""
    payroll = Institution.objects.create(code="acme-payroll", name="某代发单位", org=bank.north_sub)
    rows = [good(1, institution="acme-payroll"), good(2, institution="nobody")]
    report = importing.import_leads(importer, xlsx(rows), save=True, good_rows_only=True)
    assert rejections(report.run) == [(3, "institution code", "No active institution has the code nobody.")]
    lead = Lead.objects.get()
    assert (lead.institution, lead.pool.org) == (payroll, bank.north_sub)


def test_a_person_already_an_open_lead_is_refused_saying_where_it_is(bank, importer):
    """LEAD-05 / LEAD-07: the same person twice in the file (same ID number) — the second line is
    refused naming the first; a person who is an open lead already is refused, naming its holder or
    pool when the importer may see it, "another org" when not; a converted or invalid lead does not
    block a new one."""
    north_pool = services.public_pool(bank.north.pk)
    south_pool = services.public_pool(bank.south.pk)
    Lead.objects.create(name="甲", mobile=mobile(1), org=bank.north_team, holder=bank.north_rm, source="manual")
    Lead.objects.create(name="乙", mobile=mobile(2), org=bank.north, pool=north_pool, source="import")
    Lead.objects.create(name="丙", mobile=mobile(3), org=bank.south, pool=south_pool, source="import")
    Lead.objects.create(name="丁", mobile=mobile(4), org=bank.north, stage="invalid", source="import")
    rows = [
        good(1),
        good(2),
        good(3),
        good(4),
        good(5, id_number=resident_id(7)),
        good(6, id_number=resident_id(7)),
    ]
    report = importing.import_leads(importer, xlsx(rows), save=True, good_rows_only=True)
    assert rejections(report.run) == [
        (2, "mobile", "This person is already a potential customer, held by 北方客户经理 (NRM)."),
        (3, "mobile", f"This person is already a potential customer, waiting in {north_pool.name}."),
        (4, "mobile", "This person is already a potential customer of another org."),
        (7, "ID number", "The ID number appears already on line 6 of this file."),
    ]
    assert sorted(
        Lead.objects.filter(source="import", import_number__startswith="IMP").values_list("name", flat=True)
    ) == [
        "潜客4",
        "潜客5",
    ]


def test_importing_the_same_file_again_adds_nothing(importer):
    """LEAD-07: every person of a file imported before is an open lead now: a second import of the
    same file refuses each row and adds no lead (the pipeline's rule: the file's people are its key)."""
    rows = [good(i) for i in range(1, 4)]
    first = importing.import_leads(importer, xlsx(rows), save=True)
    assert first.written == 3
    again = importing.import_leads(importer, xlsx(rows), save=True, good_rows_only=True)
    assert (again.written, again.run.rows_rejected) == (0, 3)
    assert Lead.objects.count() == 3
    assert {lead.import_number for lead in Lead.objects.all()} == {import_number_of(first.run)}


def test_an_rm_imports_through_the_pages(bank, routes, client, django_capture_on_commit_callbacks):
    """LEAD-07: an RM with leads.lead:add (scope own) opens the import page, checks a CSV, imports
    the checked file from the run's page, and may place leads in their own team only; another RM
    with the same permission cannot see the run (404)."""
    rm = bank.north_rm
    grant(rm, VIEW, ADD, scope="own")
    client.force_login(rm)
    page = client.get("/leads/import/")
    assert page.status_code == 200 and "/leads/import/template.xlsx" in page.content.decode()
    upload = csv_file([good(1, org=bank.north_team.code), good(2), good(3, org=bank.north.code)])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/leads/import/", {"file": upload, "action": "check"})
    checked = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == checked.get_absolute_url()
    run_page = client.get(checked.get_absolute_url()).content.decode()
    assert "The org is outside your data scope." in run_page and not Lead.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/{checked.pk}/import/", {"mode": "import_good", "confirm": "1"})
    run = ImportRun.objects.get(checked_run=checked)
    assert (run.status, run.rows_written) == ("succeeded", 2)
    assert set(Lead.objects.values_list("import_number", flat=True)) == {import_number_of(run)}
    assert dict(Lead.objects.values_list("name", "pool__org")) == {"潜客1": bank.north_team.pk, "潜客2": bank.north.pk}
    listed = client.get("/leads/import/").content.decode()
    assert import_number_of(run) in listed
    other = EmployeeFactory(employee_no="NRM9", name="另一客户经理", org=bank.south_team)
    grant(other, VIEW, ADD, scope="own")
    client.force_login(other)
    assert client.get(run.get_absolute_url()).status_code == 404


def test_a_csv_with_only_name_and_mobile_columns_imports(importer):
    """LEAD-07: only name and mobile are required columns; a file without the others imports."""
    report = importing.import_leads(importer, csv_file([good(1)], header=["name", "mobile"]), save=True)
    assert report.written == 1 and Lead.objects.get().level == "normal"


def test_a_bad_page_post_is_answered_on_the_page(importer, client):
    """LEAD-07: no file, or a file without the required columns, is answered with a 400 and the
    reason on the page, never a 500."""
    client.force_login(importer)
    assert client.post("/leads/import/", {"action": "check"}).status_code == 400
    response = client.post("/leads/import/", {"action": "check", "file": csv_file([good(1)], header=["name"])})
    assert response.status_code == 400 and "mobile" in response.context["error"]


CHECKED_VALUES = [
    {"name": "钱", "mobile": CHANGZHOU},
    {"name": "钱", "mobile": "+86 139-1234-5678"},
    {"name": "钱", "mobile": "+85291234567"},
    {"name": "钱", "mobile": "0085291234567"},
    {"name": "钱", "mobile": "12345"},
    {"name": "钱", "mobile": "+8613912345678"},
    {"name": "钱", "mobile": "10012345678"},
    {"name": "", "mobile": CHANGZHOU},
    {"name": "钱", "mobile": ""},
    {"name": "x" * 101, "mobile": CHANGZHOU},
    {"name": "钱", "mobile": CHANGZHOU, "id_number": resident_id(3)},
    {"name": "钱", "mobile": CHANGZHOU, "id_number": BAD_CHECK_DIGIT},
    {"name": "钱", "mobile": CHANGZHOU, "customer_number": "C" * 33},
    {"name": "钱", "mobile": CHANGZHOU, "campaign": "c" * 101},
]


@pytest.mark.parametrize("values", CHECKED_VALUES)
def test_the_import_checks_a_row_as_check_lead_does(db, values):
    """LEAD-01: the import's row check (`check_row`, quick on mainland numbers) accepts and refuses
    exactly what the capture's `check_lead` does, on the same field, with the same result."""
    labels = {str(label): field for field, label in COLUMNS}
    try:
        expected = services.check_lead(values, needs_ref=False)
    except DomainError as error:
        expected = error.field
    try:
        got = check_row(values)
    except importing.RowRejected as refusal:
        got = labels[refusal.column]
    assert got == expected


@pytest.mark.parametrize("number", ["13912345678", "13710001000", "15012345678", "18612345678", "19912345678"])
def test_the_quick_mobile_region_is_mobile_regions_answer(number):
    """LEAD-02: the prefix-table reading gives the same province, city and carrier as phonenumbers."""
    assert region_of(number) == services.mobile_region(number)
