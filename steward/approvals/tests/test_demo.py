"""The demo bank gets applications in every state once the seed roles grant the approvals permissions."""

import dataclasses

from steward.access import seed
from steward.approvals.demo import seed_demo_approvals
from steward.approvals.models import Application
from steward.approvals.permissions import SEED_ROLE_PERMISSIONS
from steward.approvals.services import waiting_for
from steward.org.demo import BankSize, build_bank
from steward.org.models import Employee


def test_seed_demo_approvals_fills_every_inbox_and_is_safe_to_rerun(db, monkeypatch):
    templates = [
        dataclasses.replace(t, permissions=(*t.permissions, *SEED_ROLE_PERMISSIONS.get(t.code, ())))
        if t.permissions != "*"
        else t
        for t in seed.ROLE_TEMPLATES
    ]
    monkeypatch.setattr(seed, "ROLE_TEMPLATES", templates)
    build_bank(BankSize(branches=1, sub_branches_per_branch=1, teams_per_sub_branch=1, rms_per_team=2))

    assert seed_demo_approvals() == 5
    assert seed_demo_approvals() == 0

    statuses = sorted(Application.objects.values_list("status", flat=True))
    assert statuses == ["approved", "pending", "pending", "pending", "rejected"]
    assert waiting_for(Employee.objects.get(employee_no="lead")).count() == 1
    sub_manager = Employee.objects.get(org__kind="sub_branch", position="branch_manager")
    assert waiting_for(sub_manager).count() == 2  # the proposal's second step and the lead's leave
