"""What a customer merge (CUS-12) does with contact plans and key-customer flags."""

from django.utils.translation import gettext_lazy

from steward.customers.merging import register_merge_rule


def move_plans_and_flags(merge) -> None:
    from steward.contactplans.models import ContactPlan, KeyCustomerFlag

    merge.move("contact_plans", gettext_lazy("Contact plans"), ContactPlan)
    merge.move_unique(
        "key_customer_flags",
        gettext_lazy("Key customer flag"),
        KeyCustomerFlag,
        (),
        gettext_lazy("the survivor is flagged already"),
    )


register_merge_rule("contactplans.ContactPlan.customer", "moves", move_plans_and_flags)
register_merge_rule(
    "contactplans.KeyCustomerFlag.customer", "moves unless the survivor is flagged already", move_plans_and_flags
)
