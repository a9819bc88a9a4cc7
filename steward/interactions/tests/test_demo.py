from steward.customers.demo import seed_demo_customers
from steward.customers.models import Customer
from steward.interactions.demo import seed_demo_interactions
from steward.interactions.models import Interaction
from steward.interactions.services import visible_interactions
from steward.org.demo import BankSize, build_bank
from steward.org.models import Employee


def test_the_demo_gives_the_rm_a_month_of_varied_contacts(db):
    """SVC-05 demo: the demo RM's customers (and a few colleagues') have a month of contacts of
    every kind, manual and automatic; their last contact is set; re-running adds nothing."""
    build_bank(BankSize(1, 1, 2, 2), seed=1)
    seed_demo_customers(count=80)

    created = seed_demo_interactions()

    rm = Employee.objects.get(employee_no="rm")
    assert created == Interaction.objects.count() > 100
    mine = visible_interactions(rm)
    assert mine.filter(source="manual").count() > 40
    assert set(Interaction.objects.values_list("source", flat=True)) >= {"manual", "sms", "email", "push", "cti_event"}
    assert len(set(Interaction.objects.values_list("channel", flat=True))) >= 6
    assert Interaction.objects.exclude(employee__isnull=True).exclude(employee=rm).exists()  # colleagues too
    contacted = Customer.objects.filter(owner=rm, last_contact__isnull=False).count()
    assert contacted > 30
    assert seed_demo_interactions() == 0


def test_the_demo_has_yesterdays_calls_matched_and_a_few_not(db):
    """SVC-05, INT-05 demo: the call-centre page shows calls matched to the RM's customers by their
    number's blind index and an unmatched report (unknown numbers, an unknown extension)."""
    from steward.interactions.models import CallRecord

    build_bank(BankSize(1, 1, 2, 2), seed=1)
    seed_demo_customers(count=80)
    seed_demo_interactions()
    calls = CallRecord.objects.all()
    assert calls.filter(status="matched", customer__owner__employee_no="rm").count() > 10
    assert set(calls.filter(status="unmatched").values_list("reason", flat=True)) >= {"no_customer"}
    assert Interaction.objects.filter(source="cti_event").count() == calls.filter(status="matched").count()
