from steward.customers.demo import seed_demo_customers
from steward.customers.identity import parse_resident_id
from steward.customers.models import Customer, Household
from steward.org.demo import BankSize, build_bank
from steward.org.models import Employee


def test_demo_customers_are_valid_deterministic_and_owned_by_the_demo_rm(db):
    build_bank(BankSize(branches=1, sub_branches_per_branch=1, teams_per_sub_branch=2, rms_per_team=2))
    assert seed_demo_customers(count=80) == 80
    assert seed_demo_customers(count=80) == 0  # idempotent
    rm = Employee.objects.get(employee_no="rm")
    assert Customer.objects.filter(owner=rm).count() == 40
    assert Customer.objects.filter(owner__isnull=True, org=rm.org).count() == 20
    for customer in Customer.objects.all():
        assert parse_resident_id(customer.id_number).birth_date == customer.birth_date
    first = Customer.objects.get(cif="6000000003")
    assert first.name and first.risk_level
    # Two demo households of the demo RM's customers (CUS-08), each headed by one of them.
    households = Household.objects.all()
    assert households.count() == 2 and sum(h.members.count() for h in households) == 5
    assert {h.head.owner for h in households} == {rm}
