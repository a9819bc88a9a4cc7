"""Issue 15 point 10: `make demo` has leads in every stage and pool, the protection rules, the
institutions, a month of follow-ups and opportunities; the demo RM's home shows them; re-running
adds nothing."""

from steward.interactions.models import Interaction
from steward.leads.demo import seed_demo_leads
from steward.leads.models import Institution, Lead, LeadPool, Opportunity, ProtectionRule
from steward.org.demo import BankSize, build_bank
from steward.org.models import Employee


def test_seed_demo_leads_covers_every_stage_and_pool(db, client):
    build_bank(BankSize(branches=1, sub_branches_per_branch=1, teams_per_sub_branch=1, rms_per_team=2))
    assert seed_demo_leads() > 100
    assert seed_demo_leads() == 0
    assert set(Lead.objects.values_list("stage", flat=True)) >= {"new", "contacted", "intent", "valid", "invalid"}
    assert set(LeadPool.objects.values_list("kind", flat=True)) == {"public", "department", "personal", "invalid"}
    assert ProtectionRule.objects.count() == 2 and Institution.objects.count() == 2
    rm = Employee.objects.get(employee_no="rm")
    assert Interaction.objects.filter(lead__holder=rm, is_valid_followup=True).exists()
    assert Opportunity.objects.exists()
    assert Lead.objects.filter(holder=rm, appointment_at__isnull=False).count() == 5
