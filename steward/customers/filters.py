import re

import django_filters
from django.db import connections
from django.db.models import Q
from django.db.models.lookups import Exact
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from steward.access.scope import path_range_q
from steward.basedata.services import code_choices
from steward.core.db_functions import MonthOf
from steward.core.filters import HAS_DIGIT_RE, StewardFilterSet, prefix_q
from steward.customers.models import Customer, CustomerAlias
from steward.org.models import Org
from steward.privacy.crypto import blind_index

ID_NUMBER_RE = re.compile(r"^\d{17}[\dXx]$|^\d{15}$")
DIGITS_RE = re.compile(r"^\d{3,}$")
# A whole mainland mobile number as stored (parse_mobile keeps the 11-digit national number).
FULL_MOBILE_RE = re.compile(r"^1\d{10}$")
# A customer number from core banking is letters, digits and dashes; anything else is only a name.
CIF_LIKE_RE = re.compile(r"^[A-Za-z0-9-]+$")
# … and a value with a digit in it is no name (HAS_DIGIT_RE).


def cif_q(value: str, db: str) -> Q:
    """The customer number `value`, and the survivor it now names when its customer was merged
    (an alias, CUS-12): a search by an old number finds where the customer went. The alias is read
    first (one unique-index lookup) so the search stays two indexed equalities, not a sub-select."""
    survivor = CustomerAlias.objects.using(db).filter(cif=value).values_list("customer_id", flat=True).first()
    return Q(cif=value) if survivor is None else Q(cif=value) | Q(pk=survivor)


def quick_search(queryset, value: str):
    """Customer number (exact), ID number (exact, blind index), mobile (exact or prefix), name (prefix).
    Every branch is answered from an index (see prefix_q); the issue's targets are in docs/benchmarks.md."""
    value = re.sub(r"\s+", "", value or "")
    if not value:
        return queryset
    if ID_NUMBER_RE.match(value):
        return queryset.filter(Q(id_number_index=blind_index("id_number", value)) | cif_q(value, queryset.db))
    vendor = connections[queryset.db].vendor
    # Exact matches are written as equalities, not as a prefix that happens to be whole: PostgreSQL
    # then expects one row, not a hundred, and plans the page's joins as index lookups (half the
    # time of a search by customer number or mobile at 1,000,000 customers).
    if FULL_MOBILE_RE.match(value):
        return queryset.filter(cif_q(value, queryset.db) | Q(mobile=value))
    if DIGITS_RE.match(value):
        return queryset.filter(cif_q(value, queryset.db) | prefix_q("mobile", value, vendor))
    if CIF_LIKE_RE.match(value) and HAS_DIGIT_RE.search(value):
        return queryset.filter(cif_q(value, queryset.db))
    if CIF_LIKE_RE.match(value):
        return queryset.filter(cif_q(value, queryset.db) | prefix_q("name", value, vendor))
    # A name alone is answered by an index-only scan of the covering name index on PostgreSQL
    # (customer_name_prefix): counting a common surname's 10,000 matches reads no table rows.
    return queryset.filter(prefix_q("name", value, vendor))


class CustomerFilterSet(StewardFilterSet):
    org = django_filters.ModelChoiceFilter(
        queryset=Org.objects.all(), method="in_org_subtree", label=_("org (and below)")
    )
    gender = django_filters.ChoiceFilter(choices=Customer.Gender.choices, label=_("gender"))
    risk_level = django_filters.ChoiceFilter(label=_("risk rating"))
    tier = django_filters.CharFilter(field_name="figures__tier", label=pgettext_lazy("customer", "tier"))
    status = django_filters.ChoiceFilter(choices=Customer.Status.choices, label=_("status"))
    aum_min = django_filters.NumberFilter(field_name="figures__aum", lookup_expr="gte", label=_("AUM from"))
    aum_max = django_filters.NumberFilter(field_name="figures__aum", lookup_expr="lte", label=_("AUM to"))
    # Customers to greet this month (CUS-03). Plain SQL on every database (MonthOf), never a Python
    # function per row as birth_date__month is on SQLite.
    # (A ChoiceFilter, not TypedChoiceFilter: only django-filter's own choice field offers the empty
    # "any month" choice; without it the browser selected January in every list's filter form.)
    birthday_month = django_filters.ChoiceFilter(
        choices=list(MONTHS.items()), method="born_in_month", label=_("birthday month")
    )

    class Meta:
        model = Customer
        fields = ["q", "org", "gender", "risk_level", "tier", "status", "aum_min", "aum_max", "birthday_month"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["risk_level"].extra["choices"] = code_choices("risk_level", blank=False)
        if request is not None:
            # Only what the choice shows and the subtree filter reads: the org select is drawn on
            # every list visit (104 orgs with their addresses and hours were built for a label each).
            self.filters["org"].queryset = (
                Org.objects.visible_to(request.user, "org.org:view") | Org.objects.filter(pk=request.user.org_id)
            ).only("pk", "name", "path")

    def quick_search(self, queryset, name, value):
        return quick_search(queryset, value)

    def born_in_month(self, queryset, name, value):
        return queryset.filter(Exact(MonthOf("birth_date"), int(value)))

    def in_org_subtree(self, queryset, name, value):
        return queryset.filter(org__in=Org.objects.filter(path_range_q("path", value.path)).values("pk"))
