"""The table body tag writes cells as django-tables2's template did: escaped, localized as the column asks."""

import datetime as dt

import django_tables2 as tables
from django.template import Context, Template
from django.utils import translation

from steward.core.tables import StewardTable


class Sample(StewardTable):
    day = tables.Column()
    amount = tables.Column()
    plain = tables.Column(localize=False)
    note = tables.Column(attrs={"td": {"class": "text-end"}})


def body(rows):
    table = Sample(rows)
    return Template("{% load steward_tables %}{% table_rows table %}").render(Context({"table": table}))


def test_cells_are_localized_escaped_and_carry_the_columns_attributes(settings):
    settings.USE_THOUSAND_SEPARATOR = True
    with translation.override("en"):
        html = body([{"day": dt.date(2026, 11, 23), "amount": 1234567, "plain": 1234567, "note": "<b>x</b>"}])
    assert "Nov. 23, 2026" in html  # a date in the reader's format, as {{ cell }} gave it
    assert "1,234,567" in html  # localized number …
    assert ">1234567<" in html  # … unless the column says localize=False
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>" not in html
    assert 'class="text-end"' in html


def test_an_empty_table_says_so():
    with translation.override("zh-hans"):
        html = body([])
    assert 'data-testid="empty"' in html and "暂无数据。" in html


class Person(StewardTable):
    """Model rows: a choices field, a linked column, a table render_FOO, a record-dependent td, an empty value."""

    cif = tables.Column(linkify=True)
    gender = tables.Column()
    status = tables.Column()
    name = tables.Column(attrs={"td": {"data-status": lambda record: record.status}})
    mobile = tables.Column(default="—")

    def render_name(self, value, record):
        return f"{value} · {record.cif}"


def test_model_cells_are_what_django_tables2_renders(settings):
    from steward.core.templatetags.steward_tables import _cell
    from steward.customers.models import Customer

    people = [
        Customer(pk=7, cif="C7", name="张三", gender="M", status="active", mobile=""),
        Customer(pk=8, cif="C8", name="<李四>", gender="F", status="dormant", mobile="13912345678"),
        Customer(pk=9, cif="C9", name="王五", gender="M", status="closed", mobile=""),
    ]
    for language in ("zh-hans", "en"):
        with translation.override(language):
            html = Template("{% load steward_tables %}{% table_rows table %}").render(
                Context({"table": Person(people)})
            )
            # django-tables2's own cells, in the same markup.
            table = Person(people)
            expected = "".join(
                f"<tr {row.attrs.as_html()}>"
                + "".join(
                    f"<td {column.attrs['td'].as_html()}>{_cell(column, cell)}</td>" for column, cell in row.items()
                )
                + "</tr>"
                for row in table.paginated_rows
            )
        assert html == expected
    with translation.override("zh-hans"):
        html = Template("{% load steward_tables %}{% table_rows table %}").render(Context({"table": Person(people)}))
    assert ">男<" in html and ">女<" in html  # a choices field shows its label in the reader's language
    assert 'href="/customers/8/"' in html and 'data-status="dormant"' in html
    assert "&lt;李四&gt; · C8" in html and ">—<" in html
