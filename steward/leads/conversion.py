"""Leads becoming customers (LEAD-05): when a lead's person appears in the core-banking customers
file (the same ID number, by blind index), the lead converts into that customer — linked, stage
"converted", the conversion credited to the RM who held it — and the customer is owned by that RM.

The customer's owner is set only where Steward has not decided it yet (`owner_decided_at` empty):
an owner a user chose in Steward is never silently replaced (CUS-09); the lead still converts and
still counts for its holder. Runs after each applied customers file (the intake's `file_loaded` signal) and is
idempotent: a converted lead is not looked at again.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from steward.audit.services import log_bulk
from steward.customers.models import Customer, OwnershipChange
from steward.leads.models import Lead, LeadMove
from steward.org.models import Employee

OPEN_STAGES = (Lead.Stage.NEW, Lead.Stage.CONTACTED, Lead.Stage.INTENT, Lead.Stage.VALID)
BATCH = 2000


def convert_from_customers(*, now=None, actor=None) -> int:
    """Convert every open lead whose ID number a live customer now has. Returns how many."""
    from steward.customers.services import _move_owner

    now = now or timezone.now()
    open_leads = Lead.objects.filter(customer__isnull=True, merged_into__isnull=True, stage__in=OPEN_STAGES).exclude(
        id_number_index=""
    )
    customers = dict(
        Customer.objects.filter(
            id_number_index__in=open_leads.values("id_number_index"),
            status__in=[Customer.Status.ACTIVE, Customer.Status.DORMANT],
        )
        .order_by("pk")
        .values_list("id_number_index", "pk")
    )
    if not customers:
        return 0
    converted = []
    with transaction.atomic():
        leads = list(
            open_leads.filter(id_number_index__in=list(customers))
            .select_for_update()
            .only("pk", "holder_id", "id_number_index")
        )
        for lead in leads:
            lead.customer_id = customers[lead.id_number_index]
            lead.stage = Lead.Stage.CONVERTED
            lead.converted_at = now
            lead.converted_by_id = lead.holder_id
            lead.protected_until = None
            lead.appointment_at = None
            converted.append(lead)
        Lead.objects.bulk_update(
            converted,
            ["customer", "stage", "converted_at", "converted_by", "protected_until", "appointment_at"],
            batch_size=BATCH,
        )
        LeadMove.objects.bulk_create(
            [
                LeadMove(lead_id=lead.pk, kind=LeadMove.Kind.CONVERT, from_holder_id=lead.holder_id, at=now)
                for lead in converted
            ],
            batch_size=BATCH,
        )
        log_bulk("update", Lead, [lead.pk for lead in converted], actor=actor, message="leads converted")
        # The holder owns the new customer, where Steward has not chosen an owner yet.
        by_holder: dict[int, list[int]] = defaultdict(list)
        for lead in converted:
            if lead.holder_id:
                by_holder[lead.holder_id].append(lead.customer_id)
        holders = Employee.objects.in_bulk(list(by_holder))
        for holder_id, customer_ids in by_holder.items():
            undecided = list(Customer.objects.filter(pk__in=customer_ids, owner_decided_at__isnull=True))
            if undecided:
                _move_owner(
                    actor, undecided, holders[holder_id], kind=OwnershipChange.Kind.LEAD, reason="lead", now=now
                )
    return len(converted)


def convert_after_load(sender, entity="", data_date=None, now=None, actor=None, **kwargs):
    if entity == "customers":
        convert_from_customers(now=now, actor=actor)
