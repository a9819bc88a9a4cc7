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
    with conn.cursor() as cursor:
        for name in names:
            cursor.execute(f"ANALYZE {quote(name)}")
        if conn.vendor == "sqlite":
            # Lets SQLite's query planner use the new sqlite_stat1 rows at once.
            cursor.execute("PRAGMA optimize")
    # The lists' cached row counts (steward.core.counting) describe the tables before the write.
    from steward.core.counting import bump_data_generation

    bump_data_generation()


def refresh_all_statistics(using=None) -> None:
    """ANALYZE every table: after seeding a demo or benchmark bank, which writes many tables at once."""
    conn = connections[using or "default"]
    refresh_statistics(*conn.introspection.table_names(include_views=False), using=using)
