"""One benchmark run: fresh database → migrations → synthetic bank → scenarios → result files."""

from __future__ import annotations

import sys
import time
import traceback

from bench import report
from bench.context import BankFacts, BenchError, ScenarioContext


def build_bank(size, seed: int) -> BankFacts:
    from steward.access.models import RoleAssignment
    from steward.org.demo import DEMO_PASSWORD, build_bank
    from steward.org.models import Employee, Org

    start = time.perf_counter()
    logins = build_bank(size.bank_size(), seed=seed, password=DEMO_PASSWORD)
    # As a real installation after seeding: planner statistics for the tables just filled.
    from steward.core.statistics import refresh_all_statistics

    refresh_all_statistics()
    elapsed = time.perf_counter() - start
    return BankFacts(
        size=size,
        password=DEMO_PASSWORD,
        orgs=Org.objects.count(),
        employees=Employee.objects.count(),
        role_assignments=RoleAssignment.objects.count(),
        build_seconds=elapsed,
        logins={login.employee_no: login.role for login in logins},
    )


def run(scenarios, args, bench_db) -> int:
    from django.core.management import call_command
    from django.db import connections

    started = time.perf_counter()
    print(f"bench: database {bench_db.vendor} {bench_db.display} (configured: {bench_db.configured})")
    bench_db.create()
    status = 0
    try:
        step = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        print(f"bench: migrated in {time.perf_counter() - step:.1f} s")
        bank = build_bank(args.size, args.seed)
        print(
            f"bench: built bank '{args.size.name}' in {bank.build_seconds:.1f} s: "
            f"{bank.orgs} orgs, {bank.employees} employees, {bank.role_assignments} role assignments"
        )
        env = report.environment(bench_db)
        for scenario in scenarios:
            print(f"\nbench: scenario {scenario.name} — {args.runs} runs, {args.warmup} warm-up")
            context = ScenarioContext(bank, runs=args.runs, warmup=args.warmup)
            try:
                scenario.func(context)
            except BenchError as error:
                print(f"bench: scenario {scenario.name} FAILED: {error}", file=sys.stderr, flush=True)
                status = 2
                continue
            except Exception:
                traceback.print_exc()
                print(f"bench: scenario {scenario.name} FAILED with an exception", file=sys.stderr)
                status = 2
                continue
            document = report.result_document(scenario, context, env, args.warmup)
            json_path, md_path = report.write(document, args.label)
            print()
            print(report.markdown(document))
            print(f"bench: wrote {json_path.relative_to(json_path.parents[2])} and {md_path.name}")
            if not all(m.queries_constant or m.queries_follow_data for m in context.measurements):
                print(f"bench: scenario {scenario.name}: a query count varied between runs", file=sys.stderr)
                status = max(status, 1)
    finally:
        connections.close_all()
        if args.keep_db:
            print(f"bench: kept the benchmark database {bench_db.display}")
        else:
            bench_db.drop()
    print(f"bench: done in {time.perf_counter() - started:.1f} s")
    return status
