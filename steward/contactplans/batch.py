"""The customer groups' batch action "Plan a contact" (CUS-04): the plan form opens with the
group chosen; the members planned are those the RM may see when they save."""

from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy

from steward.contactplans.permissions import ADD
from steward.tags.batch import BatchAction, register_batch_action


def plan_for_group(request, group, customers):
    return HttpResponseRedirect(reverse("contactplans:plan_add") + "?" + urlencode({"group": group.pk}))


register_batch_action(
    BatchAction("contactplans.plan", gettext_lazy("Plan a contact"), ADD, plan_for_group, "calendar-plus", 15)
)
