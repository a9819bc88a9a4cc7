"""Automatic conversion from the T+1 customers file (LEAD-05): a lead whose ID number appears in
the day's customers file converts into that customer, owned by the RM holding the lead and counted
for them; an owner a user chose in Steward is kept."""

import csv
import datetime as dt

import pytest

from steward.customers.models import Customer
from steward.customers.services import assign_owner
from steward.customers.tests.factories import resident_id
from steward.holdings.intake import LAYOUTS, load_day
from steward.leads.conversion import convert_from_customers
from steward.leads.handover import hand_over
from steward.leads.models import Lead, LeadMove
from steward.testing import grant

DAY = dt.date(2026, 12, 4)


def _day(tmp_path, rows):
    directory = tmp_path / DAY.isoformat()
    directory.mkdir(parents=True)
    with open(directory / "customers.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(LAYOUTS["customers"])
        writer.writerows(rows)
    return directory


def _row(cif, n, owner_no=""):
    return [cif, f"客户{n}", "01", resident_id(5000 + n), "", "", "", "", "", "", "", "", "", "", "", "", "N1T1", owner_no]  # fmt: skip


@pytest.fixture
def held_lead(bank):
    lead = Lead.objects.create(
        name="新客户", mobile="13900002222", id_number=resident_id(5001), org=bank.north, source="manual"
    )
    hand_over(None, {bank.north_rm.pk: [lead.pk]})
    return lead


def test_the_customers_file_converts_the_lead_for_its_holder(bank, held_lead, tmp_path):
    """LEAD-05: the next day's file has the person (no owner named): the lead is converted, linked,
    credited to its holder, and the new customer is the holder's."""
    other = Lead.objects.create(
        name="路人", mobile="13900003333", id_number=resident_id(5099), org=bank.north, source="manual"
    )
    load_day(None, _day(tmp_path, [_row("C5001", 1)]), DAY)
    held_lead.refresh_from_db()
    customer = Customer.objects.get(cif="C5001")
    assert held_lead.stage == Lead.Stage.CONVERTED and held_lead.customer == customer
    assert held_lead.converted_by == bank.north_rm and held_lead.protected_until is None
    assert customer.owner == bank.north_rm
    assert LeadMove.objects.filter(lead=held_lead, kind=LeadMove.Kind.CONVERT).count() == 1
    assert Lead.objects.get(pk=other.pk).stage == Lead.Stage.NEW
    assert convert_from_customers() == 0  # idempotent


def test_an_owner_decided_in_steward_is_kept(bank, held_lead, tmp_path):
    """LEAD-05 with CUS-09: the customer's owner was chosen in Steward: it stays; the lead still
    converts and counts for its holder."""
    load_day(None, _day(tmp_path, [_row("C5001", 1, "SRM")]), DAY)
    customer = Customer.objects.get(cif="C5001")
    # (the conversion ran with the load; undo it to replay the case of a decided owner)
    Lead.objects.filter(pk=held_lead.pk).update(stage=Lead.Stage.VALID, customer=None, converted_by=None)
    grant(bank.admin, "customers.customer:assign", scope="all")
    grant(bank.south_rm, "customers.customer:view")
    assign_owner(bank.admin, [customer], bank.south_rm)
    assert convert_from_customers() == 1
    held_lead.refresh_from_db()
    customer.refresh_from_db()
    assert customer.owner == bank.south_rm and held_lead.converted_by == bank.north_rm
