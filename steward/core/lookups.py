"""Integer lookups that answer "no match" for values outside the column's range (PLT-11).

Django 5.2 already turns ``pk=2**70`` and ``pk__gte=2**70`` on an integer column into an empty
result. It does not for ``__in`` lists (``pk__in=[2**70]``) nor for foreign keys
(``customer_id=2**70``, ``org__in=[…]``): SQLite raises "Python int too large to convert to
SQLite INTEGER" and PostgreSQL may raise NumericValueOutOfRange — a 500 for an id typed into a
URL, a query string or a form. Registered once for every integer and foreign-key column
(``steward.core.apps``), so every filter of every app is covered.
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db import models
from django.db.models.fields.related import ForeignObject
from django.db.models.fields.related_lookups import RelatedExact, RelatedIn
from django.db.models.lookups import In


def integer_range(field, connection) -> tuple[int | None, int | None]:
    """The range of the integer column behind `field` (a foreign key: its target's), else (None, None)."""
    seen = 0
    while getattr(field, "is_relation", False) and getattr(field, "target_field", None) is not None and seen < 5:
        field = field.target_field
        seen += 1
    try:
        return connection.ops.integer_field_range(field.get_internal_type())
    except (KeyError, AttributeError):
        return None, None


def _out_of_range(value, low, high) -> bool:
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and ((low is not None and value < low) or (high is not None and value > high))
    )


class _InRange:
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = integer_range(self.lhs.output_field, connection)
            if low is not None or high is not None:
                kept = [value for value in self.rhs if not _out_of_range(value, low, high)]
                if len(kept) != len(self.rhs):
                    if not kept:
                        raise EmptyResultSet
                    self.rhs = kept
        return super().process_rhs(compiler, connection)


class BoundedIn(_InRange, In):
    pass


class BoundedRelatedIn(_InRange, RelatedIn):
    pass


class BoundedRelatedExact(RelatedExact):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = integer_range(self.lhs.output_field, connection)
            if _out_of_range(self.rhs, low, high):
                raise EmptyResultSet
        return super().process_rhs(compiler, connection)


def register() -> None:
    models.IntegerField.register_lookup(BoundedIn)
    ForeignObject.register_lookup(BoundedRelatedIn)
    ForeignObject.register_lookup(BoundedRelatedExact)
