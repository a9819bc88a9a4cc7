"""Contact plans (SVC-01, CUS-04) and key customers (CUS-14): plan a contact for one customer or
a group in bulk, complete it by recording the contact (one interaction record), overdue plans
flagged, planned vs actual per RM per month; key customers (top 20 % by AUM or flagged) with a
contact frequency per tier and a warning when it passes. Outsiders see nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from steward.contactplans.models import ContactPlan
from steward.contactplans.permissions import ADD, KEY_FLAG, KEY_VIEW, VIEW
from steward.contactplans.services import (
    complete_plan,
    flag_key_customer,
    key_customer_warnings,
    plan_contacts,
    planned_vs_actual,
)
from steward.core.errors import DomainError
from steward.customers.models import CustomerFigures, LastContact
from steward.customers.tests.factories import CustomerFactory
from steward.interactions.models import Interaction
from steward.testing import grant

INTERACTIONS = ("interactions.interaction:view", "interactions.interaction:add")


@pytest.fixture
def book(bank):
    for rm in (bank.north_rm, bank.south_rm):
        grant(rm, VIEW, ADD, KEY_VIEW, KEY_FLAG, "customers.customer:view", *INTERACTIONS, scope="own")
    grant(bank.north_manager, VIEW, KEY_VIEW, scope="subtree")
    bank.customers = [
        CustomerFactory(org=bank.north_team, owner=bank.north_rm, aum=Decimal(1000 * (i + 1))) for i in range(10)
    ]
    bank.south_customer = CustomerFactory(org=bank.south_team, owner=bank.south_rm)
    return bank


def tomorrow_at_ten():
    return (timezone.localtime() + dt.timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)


def test_a_plan_is_completed_by_recording_the_contact(book, client):
    """SVC-01 end to end through the pages: plan → record the contact → done, with the
    interaction written and the customer's last contact moved."""
    customer = book.customers[0]
    client.force_login(book.north_rm)
    response = client.post(
        "/contact-plans/add/",
        {
            "customers": customer.cif,
            "planned_at": tomorrow_at_ten().strftime("%Y-%m-%dT%H:%M"),
            "channel": "call",
            "purpose": "理财到期续作",
        },
    )
    assert response.status_code == 302
    plan = ContactPlan.objects.get()
    page = client.get(plan.get_absolute_url()).content.decode()
    assert 'data-testid="complete-plan-form"' in page
    when = timezone.localtime().replace(second=0, microsecond=0)
    client.post(
        plan.get_absolute_url(),
        {"outcome": "reached", "occurred_at": when.strftime("%Y-%m-%dT%H:%M"), "summary": "客户同意续作"},
    )
    plan.refresh_from_db()
    assert plan.status == "done" and plan.interaction.summary == "客户同意续作"
    assert plan.interaction.channel == "call" and plan.interaction.employee == book.north_rm
    customer.refresh_from_db()
    assert customer.last_contact_at == when


def test_a_group_is_planned_in_bulk_and_repeats_add_nothing(book):
    """CUS-04: a whole selection at once, set-based; the same click twice plans nothing more."""
    ids = [c.pk for c in book.customers]
    at = tomorrow_at_ten()
    assert plan_contacts(book.north_rm, ids, planned_at=at, channel="call", purpose="生日问候") == 10
    assert plan_contacts(book.north_rm, ids, planned_at=at, channel="call", purpose="生日问候") == 0
    with pytest.raises(DomainError) as error:
        plan_contacts(book.north_rm, [book.south_customer.pk], planned_at=at, channel="call", purpose="x")
    assert error.value.field == "customers"
    with pytest.raises(DomainError) as error:
        plan_contacts(book.north_rm, ids, planned_at=at, channel="fax", purpose="x")
    assert error.value.field == "channel"


def test_the_group_batch_action_opens_the_plan_form_and_plans_its_members(book, client):
    from steward.tags.models import CustomerGroup
    from steward.tags.services import add_members, create_group

    grant(book.north_rm, "tags.group:view", "tags.group:add", scope="own")
    group = create_group(book.north_rm, name="到期客户", kind=CustomerGroup.Kind.PERSONAL)
    add_members(book.north_rm, group, [c.pk for c in book.customers[:4]], now=timezone.now())
    client.force_login(book.north_rm)
    redirect = client.post(f"/groups/{group.pk}/batch/contactplans.plan/")
    assert redirect.status_code == 302 and f"group={group.pk}" in redirect["Location"]
    response = client.post(
        "/contact-plans/add/",
        {
            "group": group.pk,
            "planned_at": tomorrow_at_ten().strftime("%Y-%m-%dT%H:%M"),
            "channel": "wechat",
            "purpose": "新发基金推介",
        },
    )
    assert response.status_code == 302
    assert ContactPlan.objects.filter(source="bulk").count() == 4


def test_overdue_plans_are_flagged_and_planned_vs_actual_counted(book, client):
    past = timezone.now() - dt.timedelta(days=2)
    plan_contacts(book.north_rm, [book.customers[0].pk], planned_at=past, channel="call", purpose="回访")
    plan_contacts(book.north_rm, [book.customers[1].pk], planned_at=tomorrow_at_ten(), channel="call", purpose="回访")
    client.force_login(book.north_rm)
    overdue = client.get("/contact-plans/", {"overdue": "true"}).content.decode()
    assert book.customers[0].cif in overdue and book.customers[1].cif not in overdue
    assert 'data-testid="overdue"' in overdue
    Interaction.objects.create(
        customer=book.customers[5],
        employee=book.north_rm,
        channel="call",
        direction="outbound",
        occurred_at=timezone.now(),
        outcome="reached",
        is_contact=True,
    )
    this_month = planned_vs_actual([book.north_rm.pk], timezone.localdate())[book.north_rm.pk]
    planned_this_month = ContactPlan.objects.filter(
        planned_at__month=timezone.localtime().month, planned_at__year=timezone.localtime().year
    ).count()
    assert this_month.planned == planned_this_month and this_month.contacts == 1


def test_key_customers_are_the_top_fifth_or_flagged_and_warn_when_not_contacted(book):
    """CUS-14: of 10 customers the 2 largest are key; one flagged by hand joins them; one
    contacted 5 days ago within its tier's 30 days is fine, the others are due."""
    top, second = book.customers[9], book.customers[8]
    flag_key_customer(book.north_rm, book.customers[0], flagged=True, note="家族客户")
    CustomerFigures.objects.filter(customer=top).update(tier="白金")
    LastContact.objects.update_or_create(customer=top, defaults={"at": timezone.now() - dt.timedelta(days=5)})
    warnings = {w.customer.pk: w for w in key_customer_warnings(book.north_rm)}
    assert set(warnings) == {top.pk, second.pk, book.customers[0].pk}
    assert not warnings[top.pk].is_overdue and warnings[top.pk].contact_days == 30
    assert warnings[second.pk].is_overdue  # never contacted
    assert warnings[book.customers[0].pk].is_flagged
    LastContact.objects.update_or_create(customer=top, defaults={"at": timezone.now() - dt.timedelta(days=40)})
    assert {w.customer.pk: w for w in key_customer_warnings(book.north_rm)}[top.pk].is_overdue


def test_the_key_customer_page_lists_warnings_and_flags(book, client):
    client.force_login(book.north_rm)
    page = client.get("/contact-plans/key-customers/").content.decode()
    assert book.customers[9].cif in page and 'data-testid="key-overdue"' in page
    client.post("/contact-plans/key-customers/flag/", {"cif": book.customers[0].cif, "flagged": "1"})
    assert book.customers[0].cif in client.get("/contact-plans/key-customers/").content.decode()
    wrong = client.post("/contact-plans/key-customers/flag/", {"cif": book.south_customer.cif}, follow=True)
    assert "No customer you may serve has the number" in wrong.content.decode()


def test_outsiders_see_no_plans(book):
    plan_contacts(book.north_rm, [book.customers[0].pk], planned_at=tomorrow_at_ten(), channel="call", purpose="回访")
    plan = ContactPlan.objects.get()
    south = APIClient()
    south.force_authenticate(book.south_rm)
    assert south.get("/api/v1/contact-plans/").json()["count"] == 0
    assert south.get(f"/api/v1/contact-plans/{plan.pk}/").status_code == 404
    assert south.post(f"/api/v1/contact-plans/{plan.pk}/cancel/").status_code == 404
    manager = APIClient()
    manager.force_authenticate(book.north_manager)
    assert manager.get("/api/v1/contact-plans/").json()["count"] == 1
    assert manager.post(f"/api/v1/contact-plans/{plan.pk}/cancel/").status_code == 403


def test_the_api_plans_completes_and_cancels(book):
    rm = APIClient()
    rm.force_authenticate(book.north_rm)
    created = rm.post(
        "/api/v1/contact-plans/",
        {
            "customers": [c.pk for c in book.customers[:3]],
            "planned_at": tomorrow_at_ten().isoformat(),
            "channel": "visit",
            "purpose": "上门拜访",
        },
        format="json",
    )
    assert created.json() == {"planned": 3}
    first, second, _third = rm.get("/api/v1/contact-plans/").json()["results"]
    done = rm.post(f"/api/v1/contact-plans/{first['id']}/complete/", {"outcome": "reached", "summary": "已拜访"})
    assert done.json()["status"] == "done" and done.json()["interaction"]
    assert rm.post(f"/api/v1/contact-plans/{second['id']}/cancel/").json()["status"] == "cancelled"
    again = rm.post(f"/api/v1/contact-plans/{second['id']}/cancel/")
    assert again.status_code == 400


def test_a_merge_moves_plans_and_keeps_one_key_flag(book):
    """CUS-12: the duplicate's contact plans follow the survivor; its key flag is dropped when
    the survivor is flagged already (the preview says so)."""
    from steward.contactplans.models import KeyCustomerFlag
    from steward.customers import merging

    survivor, duplicate = book.customers[0], book.customers[1]
    grant(book.north_manager, "customers.customer:merge", scope="subtree")
    plan_contacts(book.north_rm, [duplicate.pk], planned_at=tomorrow_at_ten(), channel="call", purpose="回访")
    flag_key_customer(book.north_rm, survivor, flagged=True)
    flag_key_customer(book.north_rm, duplicate, flagged=True)
    preview = merging.merge_preview(book.north_manager, [duplicate], survivor)
    assert preview.line("contact_plans").moved == 1
    assert preview.line("key_customer_flags").dropped == 1
    merging.merge_customers(book.north_manager, [duplicate], survivor)
    assert ContactPlan.objects.get().customer == survivor
    assert list(KeyCustomerFlag.objects.values_list("customer_id", flat=True)) == [survivor.pk]


def test_a_reminder_on_the_calendar_becomes_a_contact_plan_in_one_click(book, client):
    """SVC-04 / SVC-01: a reminder's calendar entry offers "Plan a contact"; the form opens with
    the customer, purpose and day filled in; saving plans the contact (source: reminder), marks the
    reminder done, and the plan shows on the calendar."""
    import json

    from steward.holdings.models import Reminder

    grant(book.north_rm, "holdings.reminder:view", "holdings.reminder:act", "agenda.calendar:view", scope="own")
    customer = book.customers[3]
    today = timezone.localdate()
    reminder = Reminder.objects.create(
        kind="birthday", customer=customer, owner=book.north_rm, due_on=today + dt.timedelta(days=2), data_date=today
    )
    client.force_login(book.north_rm)
    start, end = today - dt.timedelta(days=1), today + dt.timedelta(days=7)
    entries = json.loads(client.get("/agenda/entries/", {"start": start.isoformat(), "end": end.isoformat()}).content)
    entry = next(
        e
        for e in (entries if isinstance(entries, list) else entries["entries"])
        if e["id"] == f"reminder-{reminder.pk}"
    )
    action = next(a for a in entry["extendedProps"]["actions"] if a["key"] == "plan_contact")
    form = client.get(action["url"]).content.decode()
    assert customer.cif in form and f'value="{reminder.pk}"' in form
    from urllib.parse import parse_qs, urlparse

    query = {k: v[0] for k, v in parse_qs(urlparse(action["url"]).query).items()}
    response = client.post(
        "/contact-plans/add/",
        {
            "customers": customer.cif,
            "planned_at": query["planned_at"],
            "channel": "call",
            "purpose": query["purpose"],
            "reminder": reminder.pk,
        },
    )
    assert response.status_code == 302
    plan = ContactPlan.objects.get(customer=customer)
    assert plan.source == "reminder"
    reminder.refresh_from_db()
    assert reminder.state == "done"
    entries = json.loads(client.get("/agenda/entries/", {"start": start.isoformat(), "end": end.isoformat()}).content)
    listed = entries if isinstance(entries, list) else entries["entries"]
    assert any(e["id"] == f"plan-{plan.pk}" for e in listed)


def test_a_plan_is_its_rms_to_complete_and_a_supervisor_only_reads_it(book, client):
    """SVC-01, SVC-13: the supervisor (who may plan contacts in their subtree) opens an RM's plan
    read-only — no cancel button, no contact form — and the service refuses them too; a call plan
    offers a call's outcomes, not a message's."""
    grant(book.north_manager, ADD, *INTERACTIONS, scope="subtree")
    plan_contacts(book.north_rm, [book.customers[0].pk], planned_at=tomorrow_at_ten(), channel="call", purpose="回访")
    plan = ContactPlan.objects.get()

    client.force_login(book.north_manager)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert 'data-testid="plan-owner"' in page and book.north_rm.name in page
    assert 'data-testid="complete-plan-form"' not in page and 'data-testid="cancel-plan"' not in page
    assert client.post(plan.get_absolute_url(), {"cancel": "1"}).status_code == 403
    with pytest.raises(DomainError):
        complete_plan(book.north_manager, plan, outcome="reached")
    plan.refresh_from_db()
    assert plan.status == "planned"

    client.force_login(book.north_rm)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert 'value="no_answer"' in page and 'value="delivered"' not in page
