"""Demo data: a bank of customers with 90 days of T+1 history, loaded through the real intake
(10,000 customers by default; STEWARD_DEMO_CUSTOMERS and STEWARD_DEMO_DAYS change the size).

`make demo` must answer its login page within minutes of a fresh clone, and 90 days of 10,000
customers take about ten minutes to load on a 2-core machine. So the newest days
(STEWARD_DEMO_QUICK_DAYS, default 3: enough for today's figures, trends and reminders) are loaded
at once, and the earlier days are written to the T+1 drop folder by a background process
(`manage.py demo_history`) and loaded by the drop-folder job, as a bank's files would be: the run
and its progress are in the scheduling centre. Earlier days arriving after newer ones is the
intake's out-of-order path (period sums and tier history are corrected for them).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from steward.holdings.generator import generate_day
from steward.holdings.intake import load_day
from steward.holdings.models import IntakeBatch


def demo_size(customers: int | None = None, days: int | None = None) -> tuple[int, int, int]:
    """(customers, days of history, days loaded at once) from the arguments or the environment."""
    customers = customers or int(os.environ.get("STEWARD_DEMO_CUSTOMERS", "10000"))
    days = days or int(os.environ.get("STEWARD_DEMO_DAYS", "90"))
    quick = max(1, min(days, int(os.environ.get("STEWARD_DEMO_QUICK_DAYS", "3"))))
    return customers, days, quick


def demo_owners() -> tuple[list[str], list[str]] | None:
    """(owner employee numbers, their orgs) the generated customers are spread over."""
    from steward.org.models import Employee, Org

    rms = list(
        Employee.objects.filter(position="rm", is_active=True)
        .order_by("employee_no")
        .values_list("employee_no", flat=True)
    )
    if not rms:
        orgs = list(Org.objects.order_by("path").values_list("code", flat=True)[:1])
        return ([], orgs) if orgs else None
    orgs = list(
        Employee.objects.filter(employee_no__in=rms).order_by("employee_no").values_list("org__code", flat=True)
    )
    # Every customer is managed at its RM's team; the demo login "rm" gets a larger book.
    owners = (["rm"] * max(len(rms) // 20, 1) if "rm" in rms else []) + rms
    rm_org = dict(zip(rms, orgs, strict=True))
    return owners, [rm_org[o] for o in owners]


def write_demo_day(directory: Path, customers: int, day: dt.date, *, master: bool) -> None:
    owners, orgs = demo_owners()
    generate_day(directory, customers, day, orgs=orgs, owners=owners)
    if not master:  # master data once; then balances and transactions every day
        (directory / "customers.csv").unlink()
        (directory / "products.csv").unlink()


def seed_demo_holdings(customers: int | None = None, days: int | None = None, now=None, *, background=None) -> int:
    """Load the newest days at once and the earlier ones in the background (or here, when
    `background` is false: tests, STEWARD_DEMO_BACKGROUND=0). Idempotent: returns 0 when done."""
    customers, days, quick = demo_size(customers, days)
    now = now or timezone.now()
    last = timezone.localdate(now) - dt.timedelta(days=1)
    # (Demo banks loaded before sources had a manifest used the source "demo".)
    if IntakeBatch.objects.filter(source__in=["core", "demo"], data_date=last).exists():
        return 0
    if demo_owners() is None:
        return 0
    if background is None:
        background = os.environ.get("STEWARD_DEMO_BACKGROUND", "1") != "0" and not settings.TESTING
    first = last - dt.timedelta(days=days - 1)
    first_quick = last - dt.timedelta(days=quick - 1)
    with tempfile.TemporaryDirectory(prefix="steward-demo-") as tmp:
        # As core banking: the manifest (holdings.intake_manifest) waits for core's accounts.
        for i in range(quick):
            day = first_quick + dt.timedelta(days=i)
            write_demo_day(Path(tmp) / day.isoformat(), customers, day, master=i == 0)
            load_day(None, Path(tmp) / day.isoformat(), day, source="core", now=now)
        if days > quick and not background:
            for i in range((first_quick - first).days):
                day = first + dt.timedelta(days=i)
                write_demo_day(Path(tmp) / day.isoformat(), customers, day, master=False)
                load_day(None, Path(tmp) / day.isoformat(), day, source="core", now=now)
    if days > quick and background:
        start_history_in_background(customers, first, first_quick - dt.timedelta(days=1))
    return customers


def history_log() -> Path:
    return Path(settings.VAR_DIR) / "demo-history.log"


def start_history_in_background(customers: int, first: dt.date, last: dt.date) -> None:
    """`manage.py demo_history` in its own process group: it outlives the command that started it."""
    log = history_log().open("a", encoding="utf-8")
    subprocess.Popen(  # noqa: S603 (our own manage.py, fixed arguments)
        [
            sys.executable,
            str(Path(settings.BASE_DIR) / "manage.py"),
            "demo_history",
            "--customers",
            str(customers),
            "--first",
            first.isoformat(),
            "--last",
            last.isoformat(),
        ],
        cwd=settings.BASE_DIR,
        env=os.environ.copy(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    print(
        f"  The {(last - first).days + 1} earlier days of history load in the background: scheduling centre, "
        f"job “Load T+1 files from the drop folder” (log: {history_log()})."
    )
