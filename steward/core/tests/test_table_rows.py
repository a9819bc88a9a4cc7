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
