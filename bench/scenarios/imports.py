"""Customer import scenario (issue 12, point 5, CUS-13): N customers (BENCH_IMPORT_CUSTOMERS, default
20,000; the target is stated for 100,000) from one .xlsx, imported by the shared import pipeline
exactly as the page's background run does it — mode "import": the whole file checked (every rule
of create_customer), then written in committed batches — on the bench's database.

Each run imports a new file (new customer and ID numbers). Untimed: writing the .xlsx. Reported:
median seconds, rows/s, and the peak resident memory of the import itself (VmHWM, reset before
each run through /proc/self/clear_refs). Target: 100,000 customers in ≤ 20 s.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
from pathlib import Path

from bench.registry import scenario

NOT_HTTP = (None,)
MAX_RUNS = 3


def _id_number(i: int) -> str:
    from steward.customers.identity import check_digit

    first17 = f"320102{dt.date(1940, 1, 1) + dt.timedelta(days=i // 400):%Y%m%d}{(i % 400) * 2 + 1:03d}"
    return first17 + check_digit(first17)


def write_workbook(path: Path, start: int, count: int, orgs: list[str], owners: dict[str, str]) -> None:
    from openpyxl import Workbook

    from steward.customers.importing import COLUMNS

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("customers")
    sheet.append([str(label) for _name, label in COLUMNS])
    mobiles = ("139", "138", "186", "150", "177", "199")
    for i in range(start, start + count):
        org = orgs[i % len(orgs)]
        sheet.append(
            [
                f"IMP{i:08d}",
                "张三丰" if i % 2 else "李四",
                "01",
                _id_number(i),
                f"{mobiles[i % len(mobiles)]}{i % 100_000_000:08d}",
                "北京市朝阳区建国路1号",
                org,
                owners.get(org, ""),
                "",
                "",
                "",
                "R2",
                "",
            ]
        )
    workbook.save(path)


def _peak_rss_reset() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _peak_rss_mb() -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


@scenario("import", "Customer import: N customers from one .xlsx through the shared import pipeline")
def import_customers(ctx):
    import tempfile

    from django.core.files import File
    from django.db import connection

    from steward.customers.models import Customer
    from steward.imports.models import ImportRun
    from steward.imports.services import execute_import
    from steward.org.models import Employee, Org

    count = int(os.environ.get("BENCH_IMPORT_CUSTOMERS", "20000"))
    admin = Employee.objects.get(employee_no="admin")  # the demo bank's administrator (scope: all)
    teams = list(Org.objects.filter(kind=Org.Kind.TEAM).order_by("code").values_list("pk", "code"))
    owners = {}
    for employee_no, org_id in (
        Employee.objects.filter(position="rm", is_active=True)
        .order_by("employee_no")
        .values_list("employee_no", "org_id")
    ):
        owners.setdefault(org_id, employee_no)
    orgs = [code for _pk, code in teams]
    owner_by_code = {code: owners.get(pk, "") for pk, code in teams}
    runs, warmup = ctx.runs, ctx.warmup
    ctx.runs, ctx.warmup = min(runs, MAX_RUNS), 0
    peaks: list[float] = []
    with tempfile.TemporaryDirectory(prefix="steward-import-") as tmp:
        files = []
        for n in range(ctx.runs):
            path = Path(tmp) / f"customers-{n}.xlsx"
            write_workbook(path, n * count, count, orgs, owner_by_code)
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
            # The run the page queues, run as the worker runs it (execute_import), timed from the
            # stored upload to the last committed batch.
            run = ImportRun(kind="customers", mode="import", file_name=upload.name, requested_by=admin)
            run.upload.save(upload.name, File(upload), save=True)
            execute_import(run.pk)
            run.refresh_from_db()
            ctx.check(
                run.status == "succeeded" and run.rows_written == count,
                f"import run {run.pk}: {run.status}, {run.rows_written} of {count} written, {run.error}",
            )
            peak = _peak_rss_mb()
            if peak is not None:
                peaks.append(peak)

        try:
            measured = ctx.measure(
                f"import {count:,} customers from one .xlsx (check, then write in batches)",
                run_import,
                setup=next_file,
                expect_status=NOT_HTTP,
                count_statements_only=True,
            )
        finally:
            ctx.runs, ctx.warmup = runs, warmup
    imported = Customer.objects.filter(cif__startswith="IMP").count()
    ctx.check(imported == count * len(files), f"{imported} customers imported, expected {count * len(files)}")
    seconds = measured.median_ms / 1000
    ctx.note(
        f"{connection.vendor}: {count:,} customers in one .xlsx of {size / 1e6:.1f} MB; median {seconds:.1f} s = "
        f"{count / seconds:,.0f} rows/s; peak RSS of the process during the import "
        f"{max(peaks) if peaks else float('nan'):.0f} MB. Target: 100,000 in ≤ 20 s."
    )
