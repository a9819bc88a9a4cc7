"""The benchmark's own database: chosen, created and dropped *before* Django is set up.

Safety rule: the harness never opens the database the developer configured.
  * SQLite  → always bench/results/bench.sqlite3 (recreated each run), whatever DATABASE_URL says.
  * PostgreSQL → a separate database on the same server (default ``steward_bench``); the name
    must contain "bench", and the harness connects to the server's maintenance database only to
    CREATE / DROP that one database.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
# BENCH_SQLITE_FILE moves it (a file whose name contains "bench"), so that two people running the
# harness on one machine do not delete each other's database.
SQLITE_FILE = Path(os.environ.get("BENCH_SQLITE_FILE") or RESULTS_DIR / "bench.sqlite3").resolve()
if "bench" not in SQLITE_FILE.name:
    raise SystemExit(f"bench: refusing SQLite file {SQLITE_FILE}; its name must contain 'bench'.")
DEFAULT_PG_NAME = "steward_bench"


@dataclass
class BenchDatabase:
    vendor: str  # "sqlite" | "postgresql"
    url: str  # what DATABASE_URL is set to for the run
    name: str  # file path or database name
    display: str  # for the report, without any password
    configured: str  # what the developer's DATABASE_URL named (for the report), or "default"
    _admin: dict | None = None  # PostgreSQL: how to reach the maintenance database

    def create(self) -> None:
        """Start from an empty database (drops a leftover bench database first)."""
        if self.vendor == "sqlite":
            self._remove_sqlite()
            SQLITE_FILE.parent.mkdir(parents=True, exist_ok=True)
            return
        self._pg_admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self._pg_admin(f"CREATE DATABASE \"{self.name}\" ENCODING 'UTF8' TEMPLATE template0")

    def drop(self) -> None:
        if self.vendor == "sqlite":
            self._remove_sqlite()
            return
        self._pg_admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def _remove_sqlite(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)

    def _pg_admin(self, sql: str) -> None:
        import psycopg

        assert "bench" in self.name  # the only database this harness may create or drop
        with psycopg.connect(**self._admin, autocommit=True) as conn:
            conn.execute(sql)


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts)


def choose_database(pg_name: str | None = None) -> BenchDatabase:
    """Decide which database the run uses, from the developer's DATABASE_URL (never that database itself)."""
    configured = os.environ.get("DATABASE_URL", "")
    if not configured:
        return _sqlite("default (SQLite under var/)")
    engine = dj_database_url.parse(configured)["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        return _sqlite(_redact(configured))
    if "postgresql" in engine or "postgis" in engine:
        return _postgres(configured, pg_name)
    raise SystemExit(f"bench: unsupported database engine {engine!r}; use SQLite or PostgreSQL.")


def _sqlite(configured: str) -> BenchDatabase:
    return BenchDatabase(
        vendor="sqlite",
        url=f"sqlite:///{SQLITE_FILE}",
        name=str(SQLITE_FILE),
        display=str(
            SQLITE_FILE.relative_to(BENCH_DIR.parent) if SQLITE_FILE.is_relative_to(BENCH_DIR.parent) else SQLITE_FILE
        ),
        configured=configured,
    )


def _postgres(configured: str, pg_name: str | None) -> BenchDatabase:
    parts = urlsplit(configured)
    given = parts.path.lstrip("/")
    # Use the named database only if it is clearly a benchmark database; otherwise our own.
    name = pg_name or (given if "bench" in given else DEFAULT_PG_NAME)
    if "bench" not in name or not name.replace("_", "").isalnum():
        raise SystemExit(f"bench: refusing to use PostgreSQL database {name!r}; its name must contain 'bench'.")
    url = urlunsplit(parts._replace(path=f"/{name}"))
    params = dj_database_url.parse(configured)
    admin = {
        "dbname": "postgres",
        "user": params.get("USER") or None,
        "password": params.get("PASSWORD") or None,
        "host": params.get("HOST") or None,
        "port": params.get("PORT") or None,
    }
    admin = {key: value for key, value in admin.items() if value is not None}
    host = f"{params.get('HOST') or 'local socket'}:{params.get('PORT') or 5432}"
    return BenchDatabase(
        vendor="postgresql",
        url=url,
        name=name,
        display=f"{name} on {host}",
        configured=_redact(configured),
        _admin=admin,
    )


def settle_tables() -> None:
    """Leave the tables as autovacuum leaves them a minute after a nightly load: statistics fresh,
    dead row versions gone, the visibility map set (index-only scans need it).

    A scenario that has just loaded or rewritten a whole table (an intake day rewrites every
    figures row) would otherwise time its queries against a state no user meets: at 1,000,000
    customers the segment count took 377 ms right after five intake days and 182 ms once settled."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
