"""The environment block and the two result files: bench/results/<name>.json and .md."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from bench.database import BENCH_DIR, RESULTS_DIR


def _git() -> dict:
    def run(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=BENCH_DIR.parent, capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()

    try:
        return {"commit": run("rev-parse", "--short", "HEAD"), "dirty": bool(run("status", "--porcelain"))}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass  # not Linux: the CPU model is simply not reported
    return platform.processor() or platform.machine()


def _memory_gb() -> float | None:
    try:
        return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3, 1)
    except (ValueError, OSError, AttributeError):
        return None


def _load() -> list[float] | None:
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except (OSError, AttributeError):
        return None


def _database(bench_db) -> dict:
    from django.db import connection

    if connection.vendor == "sqlite":
        version = connection.Database.sqlite_version
        driver = f"sqlite3 (Python {platform.python_version()})"
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        driver = f"psycopg {connection.Database.__version__}"
    return {
        "vendor": connection.vendor,
        "version": version,
        "driver": driver,
        "name": bench_db.display,
        "configured_database_url": bench_db.configured,
    }


def environment(bench_db) -> dict:
    import django
    from django.conf import settings

    return {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "git": _git(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "django": django.get_version(),
        "database": _database(bench_db),
        "machine": {
            "platform": platform.platform(),
            "cpu": _cpu_model(),
            "cores": os.cpu_count(),
            "memory_gb": _memory_gb(),
            "load_average": _load(),  # 1/5/15 min, when the scenarios start
        },
        "settings": {
            "DEBUG": settings.DEBUG,
            "TESTING": settings.TESTING,
            "password_hasher": settings.PASSWORD_HASHERS[0].rsplit(".", 1)[-1],
            "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
            "language": settings.LANGUAGE_CODE,
            "notes": "DEBUG off, STEWARD_TESTING=1 (test MD5 password hasher, no SSL redirect, "
            "local-memory cache, Celery eager); requests through django.test.Client in-process",
        },
    }


def result_document(scenario, context, env: dict, warmup: int) -> dict:
    bank = context.bank
    return {
        "scenario": scenario.name,
        "description": scenario.description,
        "timestamp": env["timestamp"],
        "runs": context.runs,
        "warmup": warmup,
        "database": env["database"],
        "python": env["python"],
        "django": env["django"],
        "machine": env["machine"],
        "settings": env["settings"],
        "git": env["git"],
        "data": {
            "size": bank.size.as_dict(),
            "orgs": bank.orgs,
            "employees": bank.employees,
            "role_assignments": bank.role_assignments,
            "build_seconds": round(bank.build_seconds, 2),
        },
        "measurements": [m.as_dict() for m in context.measurements],
        "notes": context.notes,
    }


def _ms(value: float) -> str:
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def markdown(document: dict) -> str:
    db = document["database"]
    vendor = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(db["vendor"], db["vendor"])
    data, machine, git = document["data"], document["machine"], document["git"]
    commit = f"{git['commit']}{' (uncommitted changes)' if git['dirty'] else ''}" if git["commit"] else "unknown"
    lines = [
        f"### {document['scenario']} — {vendor} {db['version']}",
        "",
        f"{document['description']}.",
        "",
        f"Size `{data['size']['name']}`: {data['orgs']} orgs, {data['employees']} employees, "
        f"{data['role_assignments']} role assignments · {document['runs']} runs after {document['warmup']} "
        f"warm-up · {document['python']}, Django {document['django']} · {machine['cores']} cores, "
        f"{machine['memory_gb']} GB ({machine['cpu']}), load {'/'.join(map(str, machine['load_average'] or []))} · "
        f"{document['timestamp']} · commit {commit}",
        "",
        "| Measurement | Median ms | Min ms | Max ms | p95 ms | Queries | KB | Ratio (median) |",
        "|---|--:|--:|--:|--:|--:|--:|---|",
    ]
    for m in document["measurements"]:
        if m["queries_constant"]:
            queries = str(m["queries"])
        elif m.get("queries_follow_data"):
            queries = f"{m['queries']} (day's data: {m['query_counts']})"
        else:
            queries = f"{m['queries']} ⚠ varies {m['query_counts']}"
        ratio = f"{m['ratio']:.2f}× {m['ratio_to']}" if m.get("ratio") is not None else ""
        lines.append(
            f"| {m['name']} | {_ms(m['median_ms'])} | {_ms(m['min_ms'])} | {_ms(m['max_ms'])} | "
            f"{_ms(m['p95_ms'])} | {queries} | {m['response_bytes'] / 1024:.1f} | {ratio} |"
        )
    lines.append("")
    lines.append(
        "Server time = one in-process `django.test.Client` call (middleware, view, queries, template); "
        f"DEBUG off; password hasher {document['settings']['password_hasher']}. Queries = every SQL statement "
        "sent, BEGIN/COMMIT/SAVEPOINT included, but for a session's once-a-minute stamps and the minutely "
        "cache reloads; KB = response body. Ratios compare medians of this run."
    )
    if document["notes"]:
        lines.append("")
        lines.extend(f"- {note}" for note in document["notes"])
    return "\n".join(lines) + "\n"


def write(document: dict, label: str | None = None) -> tuple[Path, Path]:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stem = document["scenario"] + (f"-{label}" if label else "")
    json_path, md_path = RESULTS_DIR / f"{stem}.json", RESULTS_DIR / f"{stem}.md"
    json_path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    md_path.write_text(markdown(document), encoding="utf-8")
    return json_path, md_path
