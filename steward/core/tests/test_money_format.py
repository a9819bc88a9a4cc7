"""PLT-12: amounts carry thousands separators in both languages (issue 13, point 3a).

Django's zh-Hans formats print ¥9551455.42; the bank's staff read ¥9,551,455.42 on every page:
the 360° view's figures (the templates' ``floatformat:"2g"``) and every list's money columns.
"""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import Client
from django.utils import translation

from steward.customers.tests.factories import CustomerFactory
from steward.testing import grant

AUM = Decimal("9551455.42")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_amount_is_grouped_by_thousands_in_both_languages(language):
    """PLT-12: the same filter the pages use groups by thousands with a comma in Chinese too."""
    with translation.override(language):
        shown = Template('¥{{ amount|floatformat:"2g" }}').render(Context({"amount": AUM}))
    assert shown == "¥9,551,455.42"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_360_view_and_the_customer_list_show_separators(bank, language):
    """PLT-12: a customer's AUM reads ¥9,551,455.42 in the 360° view's header and 9,551,455.42 in
    the customer list's AUM column, in Chinese and in English."""
    grant(bank.north_rm, "customers.customer:view", scope="own")
    customer = CustomerFactory(org=bank.north_team, owner=bank.north_rm, aum=AUM, avg_daily_assets_month=AUM)
    browser = Client(HTTP_ACCEPT_LANGUAGE=language)
    browser.force_login(bank.north_rm)

    detail = browser.get(f"/customers/{customer.pk}/").content.decode()
    assert "¥9,551,455.42" in detail
    assert "9551455.42" not in detail

    listing = browser.get("/customers/").content.decode()
    assert "9,551,455.42" in listing
    assert "9551455.42" not in listing
