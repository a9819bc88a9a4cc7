"""What a customer merge (CUS-12) does with the call centre's calls matched to the customer."""

from django.utils.translation import gettext_lazy

from steward.customers.merging import register_merge_rule


def move_calls(merge) -> None:
    from steward.interactions.models import CallRecord

    merge.move("calls", gettext_lazy("Call centre calls"), CallRecord)


register_merge_rule("interactions.CallRecord.customer", "moves", move_calls)
