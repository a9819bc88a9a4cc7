"""Table base: every list is a django-tables2 table with sorting, paging, column choice and export."""

import django_tables2 as tables


class StewardTable(tables.Table):
    # Columns a user may not hide (the one that links to the record).
    required_columns: tuple[str, ...] = ()
    # Where sort and page links go: the list's own URL, so a table embedded in another page
    # (e.g. a tab of the customer view) still pages through its own view.
    base_url = ""

    class Meta:
        attrs = {"class": "table table-vcenter table-hover card-table table-sm"}
        template_name = "core/table.html"

    def choosable_columns(self):
        """(name, header, shown) of each column the user may show or hide, for the column menu."""
        return [
            (column.name, column.header, column.visible)
            for column in self.columns.all()
            if column.name not in self.required_columns and not isinstance(column.column, BulkSelectColumn)
        ]

    def apply_column_choice(self, visible: list[str] | None) -> None:
        if not visible:
            return
        for column in self.columns.all():
            if column.name in self.required_columns or isinstance(column.column, BulkSelectColumn):
                continue
            if column.name in visible:
                self.columns.show(column.name)
            else:
                self.columns.hide(column.name)


class CodeLabelColumn(tables.Column):
    """Shows a code-table code as its label in the reader's language; one lookup per table, not per cell."""

    def __init__(self, table_code: str, *args, **kwargs):
        self.table_code = table_code
        self._labels: dict[str, str] | None = None
        super().__init__(*args, **kwargs)

    def label_for(self, value) -> str:
        if self._labels is None:
            from steward.basedata.services import code_choices

            self._labels = dict(code_choices(self.table_code, blank=False))
        return self._labels.get(value, value)

    def render(self, value):
        return self.label_for(value)

    def value(self, value):
        return self.label_for(value)


class LocalDateTimeColumn(tables.Column):
    """A date-time in the business time zone, formatted without a template per cell."""

    def __init__(self, *args, fmt: str = "Y-m-d H:i", **kwargs):
        self.fmt = fmt
        super().__init__(*args, **kwargs)

    def render(self, value):
        from django.utils import dateformat, timezone

        return dateformat.format(timezone.localtime(value), self.fmt)

    def value(self, value):
        # Exported as a date-time, which the export writes as a date cell (PLT-12).
        return value or ""


class BulkSelectColumn(tables.Column):
    """The row-selection checkbox of a list with bulk actions (ObjectListView.bulk_actions).

    The checkboxes belong to the list's bulk-action form (``form="bulk-form"``) although the table
    sits outside it, so paging and filtering by htmx keep working; never exported, never hidden."""

    def __init__(self, **kwargs):
        kwargs.setdefault("accessor", "pk")
        kwargs.setdefault("orderable", False)
        kwargs.setdefault("exclude_from_export", True)
        kwargs.setdefault("attrs", {"th": {"class": "w-1"}, "td": {"class": "w-1"}})
        super().__init__(**kwargs)

    @property
    def header(self):
        from django.utils.html import format_html
        from django.utils.translation import gettext

        return format_html(
            '<input class="form-check-input" type="checkbox" data-bulk-page aria-label="{}" data-testid="bulk-page">',
            gettext("Select every row on this page"),
        )

    def render(self, value):
        from django.utils.html import format_html

        return format_html(
            '<input class="form-check-input" type="checkbox" name="ids" value="{}" form="bulk-form" data-bulk-row>',
            value,
        )
