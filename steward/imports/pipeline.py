"""The set-based parts every importer shares: the temporary stage and inserts from it (CUS-13).

Good rows go into a temporary table — `COPY` on PostgreSQL, `executemany` on SQLite — and the
importer writes a range of its lines with one `INSERT … SELECT` per table, never a save per row.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection


def is_pg() -> bool:
    return connection.vendor == "postgresql"


def _sql_type(kind: str) -> str:
    pg = is_pg()
    return {"text": "text", "int": "bigint", "date": "date", "bool": "boolean" if pg else "bool"}[kind]


def create_stage(cursor, name: str, columns: list[tuple[str, str]]) -> None:
    """A temporary table `name` (line, *columns): private to this connection, gone when it closes."""
    cursor.execute(f"DROP TABLE IF EXISTS {name}")
    spec = ", ".join(f"{c} {_sql_type(k)}" for c, k in [("line", "int"), *columns])
    cursor.execute(f"CREATE TEMP TABLE {name} ({spec})")
    cursor.execute(f"CREATE INDEX {name}_line ON {name} (line)")


def fill_stage(cursor, name: str, columns: list[tuple[str, str]], rows: Iterable[tuple]) -> None:
    """Append `rows` (line first) to the stage. Outside any transaction on SQLite, a temporary
    table's writes take no lock on the database file: other users' writes go on meanwhile."""
    names = ", ".join(["line", *(c for c, _k in columns)])
    if is_pg():
        with cursor.cursor.copy(f"COPY {name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    kinds = ["int", *(k for _c, k in columns)]
    placeholders = ", ".join(["%s"] * len(kinds))
    values = [
        tuple(
            v.isoformat() if k == "date" and v is not None else (int(v) if k == "bool" and v is not None else v)
            for v, k in zip(row, kinds, strict=True)
        )
        for row in rows
    ]
    cursor.executemany(f"INSERT INTO {name} ({names}) VALUES ({placeholders})", values)


def drop_stage(cursor, name: str) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {name}")


def staged_lines(cursor, name: str) -> list[int]:
    cursor.execute(f"SELECT line FROM {name} ORDER BY line")
    return [line for (line,) in cursor.fetchall()]


def insert_from_stage(
    cursor,
    model,
    stage: str,
    provided: dict[str, str],
    now,
    *,
    where: str = "1 = 1",
    params: list | tuple = (),
    returning: str = "",
    order_by: str = "s.line",
    provided_params: list | tuple = (),
) -> list[tuple]:
    """INSERT INTO model's table SELECT … FROM stage s WHERE `where` ON CONFLICT DO NOTHING.

    `provided` maps columns to SQL over the stage (alias s); created_at/updated_at get `now`; every
    other NOT NULL column gets its Django default, so the statement keeps up with the model (a
    field added later with a default needs no change here). Returns the `returning` columns of the
    rows inserted (a row that meets a unique key taken meanwhile is left out, not an error).
    `provided_params` are the parameters of the `provided` expressions, in the model's field order."""
    columns, exprs, values = [], [], []
    remaining = list(provided_params)
    for field in model._meta.concrete_fields:
        if field.primary_key and field.column not in provided:
            continue
        column = field.column
        if column in provided:
            columns.append(column)
            exprs.append(provided[column])
            placeholders = provided[column].count("%s")
            values.extend(remaining[:placeholders])
            del remaining[:placeholders]
        elif column in ("created_at", "updated_at"):
            columns.append(column)
            exprs.append("%s")
            values.append(field.get_db_prep_save(now, connection))
        elif not field.null:
            columns.append(column)
            exprs.append("%s")
            values.append(field.get_db_prep_save(field.get_default(), connection))
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(exprs)} "
        f"FROM {stage} s WHERE {where}{f' ORDER BY {order_by}' if order_by else ''} ON CONFLICT DO NOTHING"
    )
    if returning:
        sql += f" RETURNING {returning}"
    cursor.execute(sql, [*values, *params])
    return cursor.fetchall() if returning else []
