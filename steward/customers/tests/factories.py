"""Test factories of the customers app."""

import datetime as dt

import factory

from steward.customers.identity import check_digit, parse_resident_id
from steward.customers.models import Customer


def resident_id(n: int, birth: dt.date | None = None, male: bool = True) -> str:
    """A valid 18-digit resident ID number, distinct for each n."""
    birth = birth or dt.date(1970, 1, 1) + dt.timedelta(days=n % 15000)
    seq = (n * 2 + (1 if male else 0)) % 1000
    first17 = f"110105{birth:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)


class CustomerFactory(factory.django.DjangoModelFactory):
    """A customer written directly (bypassing the services, as the daily intake does)."""

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
