"""The body of every list table, rendered in Python.

django-tables2's template renders each cell through several template lookups and recomputes the
column's HTML attributes per cell; on a 20-row, 13-column list that was most of the page's server
time. This tag writes the same markup: a ``<tr>`` per row with the row's attributes, a ``<td>``
per cell with the column's ``td`` attributes (computed once per column unless they are callables
that depend on the record), and the cell localized as the column asks.

A cell's content is what django-tables2's ``BoundRow.get_cell`` gives (a choices field's label,
the value through the accessor, the column's default for an empty value, the column's or table's
``render``, the column's link), with the per-column work done once per table instead of per
cell: the bound column lookup (a scan of every column), the model field behind the accessor and
the arguments the ``render`` function takes.
"""

import inspect
from decimal import Decimal
from functools import partialmethod

from django import template
from django.db import models
from django.templatetags.l10n import unlocalize
from django.utils.formats import localize, number_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _
from django_tables2.columns import ManyToManyColumn
from django_tables2.columns.linkcolumn import BaseLinkColumn
from django_tables2.utils import Accessor, signature

register = template.Library()


def _depends_on_record(bound_column) -> bool:
    attrs = dict(bound_column._table.attrs) | dict(bound_column.column.attrs)
    return any(callable(value) for key in ("td", "cell") for value in dict(attrs.get(key, {})).values())


def _cell(bound_column, value) -> str:
    """As the template's ``{{ cell }}`` / ``|localize`` / ``|unlocalize`` would: a datetime in the
    current time zone; numbers and dates in the reader's format unless the column says not to.
    Amounts (money is a Decimal) are grouped by thousands in every language (PLT-12)."""
    value = template_localtime(value)
    if bound_column.localize is False:
        value = unlocalize(value)
    elif isinstance(value, Decimal):
        value = number_format(value, use_l10n=True, force_grouping=True)
    else:
        value = localize(value)
    return conditional_escape(value)


class ColumnCells:
    """One bound column's cells, as ``BoundRow.get_cell`` renders them."""

    def __init__(self, bound_column):
        self.bound_column = bound_column
        self.column = bound_column.column
        self.accessor = Accessor(bound_column.accessor)
        path, _sep, self.remainder = self.accessor.rpartition(Accessor.SEPARATOR)
        self.path = Accessor(path) if path else None
        self.fields = {}  # model class -> the field behind the accessor (or None)
        self.display_name = f"get_{self.remainder}_display"
        self.labels = {}  # a choices field's value -> its label (one table renders in one language)
        self.render = bound_column.render
        args, takes_any = signature(self.render)
        self.render_args = None if takes_any else tuple(args)
        self.link = bound_column.link
        self.default = bound_column.default
        self.empty_values = self.column.empty_values
        self.many_to_many = isinstance(self.column, ManyToManyColumn)
        self.text_link = isinstance(self.column, BaseLinkColumn) and self.column.text is not None
        self.td = None if _depends_on_record(bound_column) else bound_column.attrs["td"].as_html()

    def field(self, record):
        kind = type(record)
        if kind not in self.fields:
            self.fields[kind] = self.accessor.get_field(record)
        return self.fields[kind]

    def content(self, row):
        record = row.record
        value = None
        remainder = self.remainder
        penultimate = self.path.resolve(record, quiet=True) if self.path is not None else record
        if isinstance(penultimate, models.Model):
            field = self.field(record)
            if getattr(field, "choices", ()) and hasattr(penultimate, self.display_name):
                value = self.choice_label(penultimate, field)
                remainder = None
        if remainder:
            try:
                value = self.accessor.resolve(record)
            except Exception:  # a column without a field behind it (django-tables2 #257)
                if self.text_link:
                    return self.call_render(row, None)
        if value in self.empty_values or (self.many_to_many and not value.exists()):
            return self.default
        return self.call_render(row, value)

    def choice_label(self, instance, field):
        """``get_FOO_display()``; Django's own one depends only on the value, so it is remembered."""
        # Looked up statically: through the class a partialmethod comes back as a plain function.
        display = inspect.getattr_static(type(instance), self.display_name, None)
        if not (isinstance(display, partialmethod) and display.func is models.Model._get_FIELD_display):
            return getattr(instance, self.display_name)()
        raw = getattr(instance, field.attname)
        try:
            return self.labels[raw]
        except KeyError:
            label = self.labels[raw] = getattr(instance, self.display_name)()
            return label
        except TypeError:  # an unhashable value
            return getattr(instance, self.display_name)()

    def call_render(self, row, value):
        arguments = {
            "value": value,
            "record": row.record,
            "column": self.column,
            "bound_column": self.bound_column,
            "bound_row": row,
            "table": row.table,
        }
        if self.render_args is None:
            content = self.render(**arguments)
        elif all(name in arguments for name in self.render_args):
            content = self.render(**{name: arguments[name] for name in self.render_args})
        else:
            content = None
        return self.link(content, **arguments) if self.link else content


@register.simple_tag
def table_rows(table):
    columns = [ColumnCells(column) for column in table.columns]
    html = []
    for row in table.paginated_rows:
        html.append(format_html("<tr {}>", row.attrs.as_html()))
        for cells in columns:
            column = cells.bound_column
            content = cells.content(row)
            # As BoundRow.items does: callable td attributes read the cell's value and record.
            column.current_value, column.current_record = content, row.record
            td = cells.td if cells.td is not None else column.attrs["td"].as_html()
            html.append(f"<td {td}>{_cell(column, content)}</td>")
        html.append("</tr>")
    if not html:
        html.append(
            format_html(
                '<tr><td colspan="{}" class="text-center text-secondary py-4" data-testid="empty">{}</td></tr>',
                len(columns),
                _("Nothing to show."),
            )
        )
    return mark_safe("".join(html))
