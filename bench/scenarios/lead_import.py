"""Lead import scenario (issue 15, LEAD-01 / LEAD-07): N potential customers (BENCH_LEAD_IMPORT, default
20,000; the target is stated for 100,000) from one .xlsx, imported by the shared import pipeline exactly
as the page's background run does it — mode "import": the whole file checked (the capture's rules,
duplicates in the file and against the open leads, org codes against the importer's scope, institution
codes), matched against the customers (ID number, customer number, unique mobile), routed (region table,
the file's org, the institution's org) and written in committed batches (one INSERT … SELECT from the
stage each, the matched leads handed to their customer's RM by `handover.hand_over`).

The file: every lead a new mobile number (blocks 145/147, which the customer generator never uses); 30 %
with a new resident ID number; 10 % naming a team of the bank by org code, 10 % an institution; 1 % the
customer number of an existing customer and 1 % the mobile of one (the customers come from an earlier
scenario of the run, else BENCH_CUSTOMERS are loaded through the T+1 intake). Each run imports a new file.
Untimed: writing the .xlsx. Reported: median seconds, rows/s, peak RSS. Target: 100,000 in ≤ 20 s.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
from pathlib import Path

from bench.registry import scenario
from bench.scenarios.imports import _peak_rss_mb, _peak_rss_reset

NOT_HTTP = (None,)
MAX_RUNS = 3
PREFIXES = ("147", "145")
# Provinces of the 147/145 blocks routed to a branch each (the others go to the default org).
ROUTED_PROVINCES = ("北京市", "福建省", "广东省", "江苏省", "浙江省", "上海市", "山东省", "四川省")


def _id_number(i: int) -> str:
    from steward.customers.identity import check_digit

    first17 = f"330106{dt.date(1945, 1, 1) + dt.timedelta(days=i // 400):%Y%m%d}{(i % 400) * 2 + 1:03d}"
    return first17 + check_digit(first17)


def _is_mobile(number: str) -> bool:
    from steward.core.errors import DomainError
    from steward.leads.importing import region_of

    try:
        return not region_of(number).foreign
    except DomainError:
        return False


def write_workbook(path: Path, start: int, count: int, teams: list[str], cifs: list[str], mobiles: list[str]) -> None:
    from openpyxl import Workbook

    from steward.leads.importing import COLUMNS

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("leads")
    sheet.append([str(label) for _name, label in COLUMNS])
    levels = ("", "high", "normal", "low")
    for n in range(count):
        i = start + n
        customer_number = cifs[(n // 100) % len(cifs)] if cifs and n % 100 == 7 else ""
        own = n // 100 < len(mobiles) and n % 100 == 13  # each customer's mobile once in a file
        number = mobiles[n // 100] if own else f"{PREFIXES[i % 2]}{i:08d}"
        sheet.append(
            [
                "张伟" if i % 3 else "王芳",
                number,
                _id_number(i) if n % 10 < 3 else "",
                customer_number,
                teams[i % len(teams)] if n % 10 == 5 else "",
                levels[i % 4],
                "branch-event" if i % 2 else "partner-site",
                "开门红2027",
                "bench-payroll" if n % 10 == 8 else "",
            ]
        )
    workbook.save(path)


@scenario("lead-import", "Lead import: N potential customers from one .xlsx through the shared import pipeline")
def lead_import(ctx):
    from django.core.files import File
    from django.db import connection

    from bench.scenarios.customers import ensure_customers
    from steward.customers.models import Customer
    from steward.imports.models import ImportRun
    from steward.imports.services import execute_import
    from steward.leads.models import Institution, Lead, RegionRoute
    from steward.org.models import Employee, Org

    count = int(os.environ.get("BENCH_LEAD_IMPORT", "20000"))
    customers = ensure_customers()
    admin = Employee.objects.get(employee_no="admin")  # the demo bank's administrator (scope all)
    teams = list(Org.objects.filter(kind=Org.Kind.TEAM).order_by("code").values_list("code", flat=True))
    branches = list(Org.objects.filter(kind=Org.Kind.BRANCH).order_by("code"))
    for n, province in enumerate(ROUTED_PROVINCES):
        RegionRoute.objects.get_or_create(province=province, city="", defaults={"org": branches[n % len(branches)]})
    Institution.objects.get_or_create(
        code="bench-payroll", defaults={"name": "代发工资单位", "org": branches[0], "kind": "payroll"}
    )
    per_file = count // 100 + 1
    owned = Customer.objects.filter(owner__isnull=False, status="active").exclude(mobile="").order_by("pk")
    cifs = list(owned.values_list("cif", flat=True)[: per_file * MAX_RUNS])
    mobiles = [
        number
        for number in owned.values_list("mobile", flat=True)[per_file * MAX_RUNS : 4 * per_file * MAX_RUNS]
        if _is_mobile(number)  # the generator's numbers are not all valid mobiles
    ][: per_file * MAX_RUNS]
    runs, warmup = ctx.runs, ctx.warmup
    ctx.runs, ctx.warmup = min(runs, MAX_RUNS), 0
    peaks: list[float] = []
    outcomes: list[tuple[int, int, int]] = []
    with tempfile.TemporaryDirectory(prefix="steward-lead-import-") as tmp:
        files = []
        for n in range(ctx.runs):
            path = Path(tmp) / f"leads-{n}.xlsx"
            # Each file's customers (1 % by number, 1 % by mobile) are others than the last file's.
            part = slice(n * per_file, (n + 1) * per_file)
            write_workbook(path, n * count, count, teams, cifs[part], mobiles[part])
            files.append(path)
        size = files[0].stat().st_size
        pending = list(files)

        def next_file():
            path = pending.pop(0)
            upload = io.BytesIO(path.read_bytes())
            upload.name = path.name
            _peak_rss_reset()
            return upload

        def run_import(upload):
            run = ImportRun(kind="leads", mode="import", file_name=upload.name, requested_by=admin)
            run.upload.save(upload.name, File(upload), save=True)
            execute_import(run.pk)
            run.refresh_from_db()
            ctx.check(
                run.status == "succeeded" and run.rows_written == count,
                f"lead import run {run.pk}: {run.status}, {run.rows_written} of {count} written, "
                f"{run.rows_rejected} rejected {list(run.rejections.values_list('line', 'reason')[:3])} {run.error}",
            )
            from steward.leads.importing import import_number_of

            batch = Lead.objects.filter(import_number=import_number_of(run))
            outcomes.append(
                (
                    batch.count(),
                    batch.filter(customer__isnull=False, holder__isnull=False).count(),
                    batch.filter(pool__isnull=False).count(),
                )
            )
            peak = _peak_rss_mb()
            if peak is not None:
                peaks.append(peak)

        try:
            measured = ctx.measure(
                f"import {count:,} leads from one .xlsx (check, match, route, write in batches)",
                run_import,
                setup=next_file,
                expect_status=NOT_HTTP,
                count_statements_only=True,
                queries_follow_data=True,  # one hand-over UPDATE per RM receiving matched leads
            )
        finally:
            ctx.runs, ctx.warmup = runs, warmup
    stored, matched, pooled = outcomes[-1]
    ctx.check(stored == count and matched + pooled == count, f"last run: {stored} stored, {matched}+{pooled} placed")
    ctx.check(matched >= count // 100, f"only {matched} leads matched to a customer")
    seconds = measured.median_ms / 1000
    ctx.note(
        f"{connection.vendor}: {count:,} leads in one .xlsx of {size / 1e6:.1f} MB against {customers:,} customers; "
        f"last run: {matched:,} matched and handed to the customer's RM, {pooled:,} in public pools. Median "
        f"{seconds:.1f} s = {count / seconds:,.0f} rows/s; peak RSS {max(peaks) if peaks else float('nan'):.0f} MB. "
        f"Target: 100,000 in ≤ 20 s."
    )
