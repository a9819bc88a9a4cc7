"""Application types of the customers app (CUS-09): transfer and allocation, decided by the supervisor."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from steward.approvals.registry import SUPERVISOR, ApplicationType, Step, application_types
from steward.core.errors import DomainError


def _numbers(text: str) -> list[str]:
    return [token for token in re.split(r"[\s,;，；]+", text or "") if token]


class TransferForm(forms.Form):
    customers = forms.CharField(
        label=_("Customer numbers"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Separated by spaces or commas."),
    )
    new_owner = forms.CharField(label=_("New relationship manager (employee number)"), max_length=20)


class AllocationForm(forms.Form):
    customers = forms.CharField(
        label=_("Customer numbers"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Separated by spaces or commas."),
    )


class _AboutCustomers:
    """The application page shows its customers' names and AUM, as the viewer may see them."""

    subject_template = "customers/_application_customers.html"

    def subject_context(self, application, viewer) -> dict:
        from steward.customers.services import customers_in_application

        return {"customers": customers_in_application(viewer, application.payload.get("customer_ids", []))}


class CustomerTransfer(_AboutCustomers, ApplicationType):
    key = "customers.transfer"
    label = _("Customer transfer")
    description = _("Move customers to another relationship manager; decided by your supervisor.")
    form_class = TransferForm
    steps = (Step(_("Supervisor approval"), SUPERVISOR, permission="customers.transfer:approve"),)
    submit_permission = "customers.customer:transfer"

    def prepare(self, cleaned, submitter):
        from steward.customers.services import TRANSFER, _check_new_owner, require_owner_in_scope, resolve_customers
        from steward.org.models import Employee

        customers = resolve_customers(submitter, _numbers(cleaned["customers"]), TRANSFER)
        new_owner = Employee.objects.filter(employee_no=cleaned["new_owner"].strip()).first()
        if new_owner is None:
            raise DomainError(gettext("No employee has this number."), field="new_owner")
        _check_new_owner(new_owner, customers)
        require_owner_in_scope(submitter, new_owner, TRANSFER, "new_owner")
        if all(c.owner_id == new_owner.pk for c in customers):
            raise DomainError(gettext("These customers already belong to %(user)s.") % {"user": new_owner}, "new_owner")
        return {
            "customers": " ".join(c.cif for c in customers),
            "customer_ids": [c.pk for c in customers],
            "new_owner": new_owner.employee_no,
            "new_owner_id": new_owner.pk,
            "new_owner_name": new_owner.name,
        }

    def default_title(self, payload):
        return gettext("Transfer of %(count)s customers to %(user)s") % {
            "count": len(payload["customer_ids"]),
            "user": payload["new_owner_name"],
        }

    def on_approved(self, application, actor):
        from steward.customers.services import apply_transfer

        apply_transfer(actor, application)


class CustomerAllocation(_AboutCustomers, ApplicationType):
    key = "customers.allocation"
    label = _("Customer allocation request")
    description = _("Ask for unassigned customers of your org; decided by your supervisor.")
    form_class = AllocationForm
    steps = (Step(_("Supervisor approval"), SUPERVISOR, permission="customers.allocation:approve"),)
    submit_permission = "customers.customer:transfer"

    def prepare(self, cleaned, submitter):
        from steward.customers.services import unassigned_for

        numbers = _numbers(cleaned["customers"])
        customers = list(unassigned_for(submitter).filter(cif__in=numbers))
        found = {c.cif for c in customers}
        missing = [n for n in numbers if n not in found]
        if not numbers or missing:
            raise DomainError(
                gettext("Not unassigned customers of your org: %(list)s") % {"list": ", ".join(missing[:10])},
                field="customers",
            )
        return {"customers": " ".join(c.cif for c in customers), "customer_ids": [c.pk for c in customers]}

    def default_title(self, payload):
        return gettext("Allocation of %(count)s customers") % {"count": len(payload["customer_ids"])}

    def on_approved(self, application, actor):
        from steward.customers.services import apply_allocation

        apply_allocation(actor, application)


def register_types() -> None:
    for application_type in (CustomerTransfer(), CustomerAllocation()):
        if application_types.get(application_type.key) is None:
            application_types.register(application_type)
