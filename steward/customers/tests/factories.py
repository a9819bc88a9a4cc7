"""Test factories of the customers app."""

import datetime as dt

import factory
from django.utils import timezone

from steward.customers.identity import check_digit, parse_resident_id
from steward.customers.models import Customer, CustomerFigures


def resident_id(n: int, birth: dt.date | None = None, male: bool = True) -> str:
    """A valid 18-digit resident ID number, distinct for each n."""
    birth = birth or dt.date(1970, 1, 1) + dt.timedelta(days=n % 15000)
    seq = (n * 2 + (1 if male else 0)) % 1000
    first17 = f"110105{birth:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)


FIGURE_FIELDS = {
    "figures_as_of": "as_of",
    **{
        name: name
        for name in (
            "aum",
            "aum_30_days_ago",
            "avg_daily_assets_month",
            "avg_daily_assets_quarter",
            "avg_daily_assets_year",
            "tier",
            "contribution_ytd",
        )
    },
}


class CustomerFactory(factory.django.DjangoModelFactory):
    """A customer written directly (bypassing the services, as the daily intake does).

    Derived figures may be given as if they were the customer's own (aum=…, tier=…,
    figures_as_of=…): they go to its figures row."""

    class Meta:
        model = Customer

    cif = factory.Sequence(lambda n: f"C{n:09d}")
    name = factory.Faker("name", locale="zh_CN")
    id_type = "01"
    id_number = factory.Sequence(lambda n: resident_id(n))
    birth_date = factory.LazyAttribute(lambda o: parse_resident_id(o.id_number).birth_date)
    gender = factory.LazyAttribute(lambda o: parse_resident_id(o.id_number).gender)
    mobile = factory.Sequence(lambda n: f"138{n:08d}")
    org = None  # give one: CustomerFactory(org=bank.north_team, owner=bank.north_rm)
    owner = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        figures = {FIGURE_FIELDS[k]: kwargs.pop(k) for k in list(kwargs) if k in FIGURE_FIELDS}
        customer = super()._create(model_class, *args, **kwargs)
        if figures:
            CustomerFigures.objects.filter(customer=customer).update(**figures)
            customer.figures.refresh_from_db()
        return customer


class CustomerAliasFactory(factory.django.DjangoModelFactory):
    """A merged customer's number pointing at its survivor (give customer= and merged_customer=)."""

    class Meta:
        model = "customers.CustomerAlias"

    cif = factory.LazyAttribute(lambda o: o.merged_customer.cif)
    created_at = factory.LazyFunction(timezone.now)


class OwnershipConflictFactory(factory.django.DjangoModelFactory):
    """An open ownership conflict (give customer= and file_owner=; the Steward owner is the customer's)."""

    class Meta:
        model = "customers.OwnershipConflict"

    steward_owner = factory.LazyAttribute(lambda o: o.customer.owner)
    source = "core"
    data_date = factory.LazyFunction(timezone.localdate)
    detected_at = factory.LazyFunction(timezone.now)
