"""What a customer merge (CUS-12) does with the leads linked to a customer (LEAD-05)."""

from django.utils.translation import gettext_lazy

from steward.customers.merging import register_merge_rule


def move_leads(merge) -> None:
    from steward.leads.models import Lead

    merge.move("leads", gettext_lazy("Potential customers"), Lead)


register_merge_rule("leads.Lead.customer", "moves", move_leads)
