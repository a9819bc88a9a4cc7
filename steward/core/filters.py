"""Filter base: one FilterSet per list, shared by the page and the API."""

import re
from functools import reduce
from operator import or_

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from steward.core.widgets import quicken

# A value with a digit in it is no name (the quick searches read other columns for it).
HAS_DIGIT_RE = re.compile(r"\d")


def prefix_q(field: str, value: str, vendor: str) -> Q:
    """`field` starts with `value`, in a form the database answers from the column's index.

    PostgreSQL: ``LIKE 'value%'`` uses the ``varchar_pattern_ops`` index Django adds next to an
    indexed or unique CharField. SQLite's LIKE is case-insensitive and never uses an ordinary
    index (a scan of the whole table), so there the prefix becomes the equivalent range
    ``value <= field < value with its last character incremented`` (binary collation: code-point order).
    """
    last = ord(value[-1])
    if vendor == "sqlite" and last < 0xD7FF:
        return Q(**{f"{field}__gte": value, f"{field}__lt": value[:-1] + chr(last + 1)})
    return Q(**{f"{field}__startswith": value})


class StewardFilterSet(django_filters.FilterSet):
    """Adds `q`, a quick search over `search_fields` (prefix or contains matches)."""

    search_fields: tuple[str, ...] = ()
    q = django_filters.CharFilter(method="quick_search", label=_("Search"))

    @property
    def form(self):
        # Styled lazily: subclasses narrow querysets and choices in __init__ after super(),
        # and django-filter builds (and caches) the form on first access.
        form = super().form
        if not getattr(self, "_styled", False):
            for field in form.fields.values():
                css = "form-select" if hasattr(field, "choices") else "form-control"
                field.widget.attrs.setdefault("class", css)
                quicken(field.widget)  # drawn on every list visit: see steward.core.widgets
            self._styled = True
        return form

    def quick_search(self, queryset, name, value):
        value = value.strip()
        if not value or not self.search_fields:
            return queryset
        return queryset.filter(reduce(or_, (Q(**{field: value}) for field in self.search_fields)))
