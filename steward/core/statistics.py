"""Planner statistics after bulk writes (DAT-01, CUS-13, issue 12).

A bulk load or import changes a table's size and value spread at once. PostgreSQL's autovacuum
catches up minutes later and SQLite never does on its own, so until then the planner works from
the old picture: a re-run compared against a table it believed empty took a quadratic plan, and a
name + birthday filter on SQLite ran 5× slower than with fresh statistics. Every bulk path calls
`refresh_statistics` with the tables it wrote, after it commits, before anyone compares or lists.
"""

from __future__ import annotations

from django.db import connections, models


def _table(item) -> str:
    if isinstance(item, str):
        return item
    if isinstance(item, type) and issubclass(item, models.Model):
        return item._meta.db_table
    raise TypeError(f"not a table or model: {item!r}")


def refresh_statistics(*tables, using=None) -> None:
    """ANALYZE the given tables (names or model classes) on the default connection.

    Runs outside any explicit transaction block where possible; inside one it still works
    (ANALYZE is transactional on both databases)."""
    names = list(dict.fromkeys(_table(t) for t in tables))
    if not names:
        return
    conn = connections[using or "default"]
    quote = conn.ops.quote_name
    if conn.vendor == "sqlite":
        _analyze_sqlite(conn, [f"ANALYZE {quote(name)}" for name in names] + ["PRAGMA optimize"], using)
    else:
        with conn.cursor() as cursor:
            for name in names:
                cursor.execute(f"ANALYZE {quote(name)}")
    # The lists' cached row counts (steward.core.counting) describe the tables before the write.
    from steward.core.counting import bump_data_generation

    bump_data_generation()


def _analyze_sqlite(conn, statements, using) -> None:
    """On SQLite each ANALYZE reads a table and then writes sqlite_stat1. Run in autocommit, it
    read under a snapshot that a web request's write (a session, an audit entry) could overtake,
    and the upgrade to a write then failed at once with "database is locked" — failing the demo's
    background load of a day already committed. In one IMMEDIATE transaction (the settings'
    transaction mode) the write lock is taken first, waiting its turn like any writer. Statistics
    only speed queries up: if the lock still cannot be had, the write stands and this is logged."""
    import logging

    from django.db import OperationalError, transaction

    try:
        with transaction.atomic(using=using or "default"), conn.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    except OperationalError:
        if conn.in_atomic_block:
            raise  # inside the caller's transaction: theirs to handle
        logging.getLogger(__name__).warning("Planner statistics not refreshed: the database was busy.", exc_info=True)


def refresh_all_statistics(using=None) -> None:
    """ANALYZE every table: after seeding a demo or benchmark bank, which writes many tables at once."""
    conn = connections[using or "default"]
    refresh_statistics(*conn.introspection.table_names(include_views=False), using=using)
