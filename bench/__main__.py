"""`python -m bench run|list` — see docs/benchmarks.md.

.venv/bin/python -m bench list
.venv/bin/python -m bench run                              # every scenario, size default, SQLite
.venv/bin/python -m bench run --scenario platform --runs 50
DATABASE_URL=postgres://postgres@127.0.0.1:5432/steward_bench .venv/bin/python -m bench run
"""

from __future__ import annotations

import argparse
import os
import sys

from bench.database import RESULTS_DIR, choose_database
from bench.sizes import SIZES, resolve_size


def configure_environment(database_url: str) -> None:
    """Settings for a benchmark process; must run before Django reads its settings."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "steward.settings"
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "0"
    # TESTING: settings load without SECRET_KEY, no SSL redirect / secure-only cookies, plain
    # static storage (no collectstatic), MD5 password hasher, Celery eager.
    os.environ["STEWARD_TESTING"] = "1"
    # Scratch files (celery queue dir, media) and cache stay inside bench/, apart from the developer's.
    os.environ["STEWARD_VAR_DIR"] = str(RESULTS_DIR / "var")
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.setdefault("LOG_LEVEL", "WARNING")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description="Steward benchmark harness")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="list the registered scenarios and sizes")
    run = commands.add_parser("run", help="build a synthetic bank on a benchmark database and run scenarios")
    run.add_argument("--scenario", action="append", dest="scenarios", metavar="NAME", help="repeatable; default: all")
    run.add_argument("--runs", type=int, default=30, help="timed runs per measurement (default 30)")
    run.add_argument("--warmup", type=int, default=3, help="untimed runs first (default 3)")
    run.add_argument(
        "--size", default="default", help=f"{', '.join(SIZES)} or BxSxTxR, e.g. 4x4x5x11 (default: default)"
    )
    run.add_argument("--seed", type=int, default=20261123, help="seed of the synthetic bank")
    run.add_argument(
        "--label", help="suffix for the result files: results/<scenario>-<label>.json (default: no suffix)"
    )
    run.add_argument("--pg-database", help="PostgreSQL only: the database to create/drop (must contain 'bench')")
    run.add_argument("--keep-db", action="store_true", help="leave the benchmark database behind for inspection")
    args = parser.parse_args(argv)
    if args.command == "run":
        if args.runs < 1 or args.warmup < 0:
            parser.error("--runs must be at least 1 and --warmup at least 0")
        try:
            args.size = resolve_size(args.size)
        except ValueError as error:
            parser.error(str(error))
        if args.label and not args.label.replace("-", "").replace("_", "").isalnum():
            parser.error("--label may only contain letters, digits, - and _")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    bench_db = choose_database(getattr(args, "pg_database", None))
    configure_environment(bench_db.url)

    import django

    django.setup()
    from bench.registry import load_scenarios

    scenarios = load_scenarios()
    if args.command == "list":
        print("Scenarios:")
        for item in scenarios.values():
            print(f"  {item.name:<16} {item.description}  [{item.module}]")
        print("Sizes:")
        for size in SIZES.values():
            print(f"  {size.name:<16} {size.summary:<40} {size.description}")
        return 0

    names = args.scenarios or list(scenarios)
    unknown = [name for name in names if name not in scenarios]
    if unknown:
        print(f"bench: unknown scenario(s) {', '.join(unknown)}; known: {', '.join(scenarios)}", file=sys.stderr)
        return 2
    from bench.runner import run

    return run([scenarios[name] for name in names], args, bench_db)


if __name__ == "__main__":
    sys.exit(main())
