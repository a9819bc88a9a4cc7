"""DAT-01, CUS-09: source systems are shown by their name in the reader's language, not their code,
on the ownership conflicts page, in its API and admin, and on the Data intake page."""

import datetime as dt

import pytest

from steward.customers import mastering
from steward.customers.sources import source_label
from steward.customers.tests.factories import CustomerFactory, OwnershipConflictFactory
from steward.holdings.models import IntakeBatch
from steward.testing import grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def resolver(bank):
    grant(bank.north_manager, mastering.RESOLVE, "customers.customer:view", scope="subtree", org=bank.north)
    return bank.north_manager


def _conflict(bank, cif, source):
    customer = CustomerFactory(org=bank.north_team, owner=bank.north_rm, cif=cif)
    return OwnershipConflictFactory(customer=customer, file_owner=bank.north_rm2, source=source)


def test_known_sources_are_named_and_unknown_ones_keep_their_code():
    """DAT-01: the shared label: known systems in English and Chinese, an unknown code as it is."""
    from django.utils import translation

    assert source_label("core") == "Core banking"
    assert source_label("cards") == "Card system"
    assert source_label("ledger9") == "ledger9"
    with translation.override("zh-hans"):
        assert source_label("core") == "核心系统"


def test_the_conflicts_page_names_the_source_system(bank, client, resolver):
    """CUS-09: the conflicts list reads "Core banking" (核心系统 in Chinese), never the bare code."""
    _conflict(bank, "K-CORE", "core")
    _conflict(bank, "K-NEW", "ledger9")
    client.force_login(resolver)
    english = client.get("/customers/ownership-conflicts/").content.decode()
    assert ">Core banking<" in english and ">core<" not in english
    assert ">ledger9<" in english  # a source nobody named yet still shows what it is
    chinese = client.get("/customers/ownership-conflicts/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert ">核心系统<" in chinese


def test_the_conflicts_api_and_the_resolution_reason_carry_the_label(bank, client, resolver):
    """CUS-09: the API gives source and source_label; taking the file's owner records why in words."""
    conflict = _conflict(bank, "K-API", "cards")
    client.force_login(resolver)
    listed = client.get("/api/v1/ownership-conflicts/").json()["results"]
    assert [(row["source"], row["source_label"]) for row in listed] == [("cards", "Card system")]
    grant(bank.north_rm2, "customers.customer:view", scope="own")
    mastering.resolve_conflict(resolver, conflict, "take")
    change = conflict.customer.ownership_changes.order_by("-pk").first()
    assert "Card system file" in change.reason


def test_the_intake_page_names_the_source_system(bank, client):
    """DAT-01: the Data intake page (batch table and held snapshots) shows the source's name."""
    grant(bank.admin, "holdings.intake:view", scope="all")
    IntakeBatch.objects.create(
        source="cards", entity="accounts", data_date=dt.date(2026, 3, 2), status=IntakeBatch.Status.HELD
    )
    client.force_login(bank.admin)
    page = client.get("/holdings/intake/").content.decode()
    assert page.count("Card system") >= 2  # the held snapshot and the table row
    assert ">cards<" not in page
