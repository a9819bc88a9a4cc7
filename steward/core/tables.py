"""Table base: every list is a django-tables2 table with sorting, paging, column choice and export."""

import django_tables2 as tables


class StewardTable(tables.Table):
    # Columns a user may not hide (the one that links to the record).
    required_columns: tuple[str, ...] = ()

    class Meta:
        attrs = {"class": "table table-vcenter table-hover card-table table-sm"}
        template_name = "core/table.html"

    def choosable_columns(self):
        return [
            (column.name, column.header) for column in self.columns.all() if column.name not in self.required_columns
        ]

    def apply_column_choice(self, visible: list[str] | None) -> None:
        if not visible:
            return
        for column in self.columns.all():
            if column.name in self.required_columns:
                continue
            if column.name in visible:
                self.columns.show(column.name)
            else:
                self.columns.hide(column.name)
