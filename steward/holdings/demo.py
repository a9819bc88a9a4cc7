"""Demo data: a bank of customers with 90 days of T+1 history, loaded through the real intake
(10,000 customers by default; STEWARD_DEMO_CUSTOMERS and STEWARD_DEMO_DAYS change the size)."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from django.utils import timezone

from steward.holdings.generator import generate_day
from steward.holdings.intake import load_day
from steward.holdings.models import IntakeBatch


def seed_demo_holdings(customers: int | None = None, days: int | None = None, now=None) -> int:
    """Generate and load `days` consecutive days up to yesterday; idempotent (returns 0 when done)."""
    from steward.org.models import Employee, Org

    customers = customers or int(os.environ.get("STEWARD_DEMO_CUSTOMERS", "10000"))
    days = days or int(os.environ.get("STEWARD_DEMO_DAYS", "90"))
    now = now or timezone.now()
    last = timezone.localdate(now) - dt.timedelta(days=1)
    # (Demo banks loaded before sources had a manifest used the source "demo".)
    if IntakeBatch.objects.filter(source__in=["core", "demo"], data_date=last).exists():
        return 0
    rms = list(
        Employee.objects.filter(position="rm", is_active=True)
        .order_by("employee_no")
        .values_list("employee_no", flat=True)
    )
    orgs = list(
        Employee.objects.filter(employee_no__in=rms).order_by("employee_no").values_list("org__code", flat=True)
    )
    if not rms:
        orgs = list(Org.objects.order_by("path").values_list("code", flat=True)[:1])
        if not orgs:
            return 0
    # Every customer is managed at its RM's team; the demo login "rm" gets a larger book.
    owners = (["rm"] * max(len(rms) // 20, 1) if "rm" in rms else []) + rms
    rm_org = dict(zip(rms, orgs, strict=True))
    with tempfile.TemporaryDirectory(prefix="steward-demo-") as tmp:
        for i in range(days):
            day = last - dt.timedelta(days=days - 1 - i)
            directory = Path(tmp) / day.isoformat()
            generate_day(
                directory,
                customers,
                day,
                orgs=[rm_org[o] for o in owners] if owners else orgs,
                owners=owners,
            )
            if i:  # master data once; then balances and transactions every day
                (directory / "customers.csv").unlink()
                (directory / "products.csv").unlink()
            # As core banking: the manifest (holdings.intake_manifest) waits for core's accounts.
            load_day(None, directory, day, source="core", now=now)
    return customers
