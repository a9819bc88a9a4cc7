"""What a customer merge (CUS-12) does with standard workflows run on the customer."""

from django.utils.translation import gettext_lazy

from steward.customers.merging import register_merge_rule


def move_workflow_runs(merge) -> None:
    from steward.worklog.models import WorkflowRun

    merge.move("workflow_runs", gettext_lazy("Standard workflows"), WorkflowRun)


register_merge_rule("worklog.WorkflowRun.customer", "moves", move_workflow_runs)
