"""Importers: what a domain plugs into the shared import pipeline (CUS-13).

    class CustomerImporter(Importer):
        kind = "customers"
        permission = "customers.customer:import"
        columns = (("cif", gettext_lazy("customer number")), ...)
        stage_columns = [("cif", "text"), ...]

        def begin(self, run, actor): ...          # per-file lookups, once (dicts)
        def check(self, state, rows): ...         # a batch of (line, {field: text}) → staged tuples, rejections
        def write(self, state, cursor, stage, first_line, last_line): ...  # staged lines → the tables

    importers.register(CustomerImporter())

The pipeline (steward/imports/pipeline.py) streams the file, calls `check` batch by batch,
stages the good rows in a temporary table, and calls `write` in short transactions.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rejection:
    line: int
    column: str  # the column as its header reads in the requester's language ("" for the whole row)
    reason: str


class RowRejected(Exception):
    """Raised by a row rule: the row is refused on `column` for `reason`."""

    def __init__(self, column: str, reason: str):
        super().__init__(reason)
        self.column, self.reason = column, reason


class Importer:
    kind: str = ""
    label = ""
    permission: str = ""  # needed to import and to see the runs (its data scope decides whose)
    extra_permissions: tuple[str, ...] = ()  # also needed to import (e.g. customers.customer:add)
    columns: tuple = ()  # (field, header label) in template order
    required_columns: tuple[str, ...] | None = None  # None: every column must be in the header
    stage_columns: list[tuple[str, str]] = []  # (column, kind) after "line"; kinds: text int date bool
    back_url_name = ""  # the page the import is started from

    def template_columns(self):
        return self.columns

    def begin(self, run, actor):
        raise NotImplementedError

    def check(self, state, rows: list[tuple[int, dict]]) -> tuple[list[tuple], list[Rejection]]:
        raise NotImplementedError

    def write(self, state, cursor, stage: str, first_line: int, last_line: int) -> tuple[list[int], list[Rejection]]:
        raise NotImplementedError

    def finish(self, state, run) -> None:
        """After the last batch committed (e.g. refresh the planner's statistics)."""


class ImporterRegistry(dict):
    def register(self, importer: Importer) -> Importer:
        if importer.kind in self and self[importer.kind] is not importer:
            raise ValueError(f"Importer {importer.kind!r} is registered twice")
        self[importer.kind] = importer
        return importer


importers = ImporterRegistry()
