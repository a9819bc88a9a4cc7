"""Reading a big customer list in AUM order down the AUM index (issue 12, point 6).

The lists sort by AUM, which lives in the one-to-one `CustomerFigures` row. Written as one query
(customers LEFT JOIN figures … ORDER BY figures.aum), every page of an org-wide list joined and sorted
every customer in scope: 145–171 ms of a 200–310 ms page at 110,000 customers on SQLite, and the
planner cannot do better — the sort column is on the other side of an outer join, and for a branch
manager's scope SQLite prefers the org index and sorts its 25,000 customers.

`aum_ordered_page` reads a page the other way round when a list is big (more rows than the exact
count limit, see steward.core.counting): it walks `customers_customerfigures_aum` and keeps the
figures rows whose customer is in the list (a correlated EXISTS on the list's own queryset: data
scope, confidentiality and filters unchanged), so the first page costs about 20 × (bank / list)
index steps instead of a sort of the whole list. Pages past the middle walk the index from the
other end. Customers without a figures row (created by hand before any intake) come after all
others in both directions; finding them is an anti-join over the list, so their page is read once
per data generation (steward.core.counting.cached_rows), like the list's counts. Ties (in AUM,
and among those without figures) are broken by customer id in the direction of the sort, as in
the small lists (CustomerTable.order_aum): both paths order alike.
Small lists (an RM's book) keep the single sorted query: there the owner or org index finds the
few rows and a walk would step over most of the bank.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from steward.core.counting import cached_count, cached_rows
from steward.customers.models import CustomerFigures


def aum_ordered_page(visible, rows, *, descending: bool, bottom: int, top: int) -> list:
    """Records bottom..top of `visible` (the list's filtered queryset) in AUM order; each built from
    `rows` (the table's rows query: its joins and columns) by primary key."""
    in_list = CustomerFigures.objects.filter(Exists(visible.order_by().filter(pk=OuterRef("customer_id"))))
    with_figures = cached_count(in_list)
    forward = ("-aum", "-customer_id") if descending else ("aum", "customer_id")
    backward = ("aum", "customer_id") if descending else ("-aum", "-customer_id")
    walk = in_list.values_list("customer_id", flat=True)
    ids: list[int] = []
    if bottom < with_figures:
        end = min(top, with_figures)
        if bottom > with_figures // 2:
            ids = list(walk.order_by(*backward)[with_figures - end : with_figures - bottom])[::-1]
        else:
            ids = list(walk.order_by(*forward)[bottom:end])
    if top > with_figures:
        without = visible.filter(figures__isnull=True).order_by("-pk" if descending else "pk")
        without = without.values_list("pk", flat=True)
        ids += cached_rows(without[max(0, bottom - with_figures) : top - with_figures])
    found = rows.order_by().in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]
