import pytest

from steward.customers.filters import quick_search
from steward.customers.models import Customer
from steward.customers.tests.factories import CustomerFactory
from steward.testing import OrgFactory


@pytest.mark.django_db
def test_quick_search_prefix_is_exact_on_every_database():
    """SQLite answers a prefix from the index as a range; it must match exactly what LIKE 'x%' would
    (and be case-sensitive, as on PostgreSQL)."""
    org = OrgFactory()
    for name, mobile in [("张三", "13912345678"), ("张三丰", "13912345699"), ("弡", "13912345700"), ("Li Lei", "")]:
        CustomerFactory(name=name, mobile=mobile, org=org)

    def names(value):
        return sorted(quick_search(Customer.objects.all(), value).values_list("name", flat=True))

    assert names("张") == ["张三", "张三丰"]  # not 弡, the next code point after 张
    assert names("张三丰") == ["张三丰"]
    assert names("1391234567") == ["张三"]
    assert names("139123456") == ["张三", "张三丰"]
    assert names("Li") == ["Li Lei"]
    assert names("li") == []
