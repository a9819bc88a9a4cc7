"""SVC-05: staff record their contacts with customers by hand — on the page (also from the 360°
view, with the customer filled in and back to it after saving) and through the API — and bad
input is refused with an error naming the field, recording nothing."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from steward.audit.models import AuditEntry
from steward.core.errors import DomainError
from steward.customers.models import Customer
from steward.interactions import services
from steward.interactions.models import Interaction
from steward.interactions.tests.conftest import NOW, at
from steward.testing import grant


def local_input(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_an_rm_records_a_call_on_the_page_and_the_customer_is_contacted(book, client):
    """SVC-05: the form records the call with its details; the customer's last contact moves to it."""
    client.force_login(book.bank.north_rm)
    when = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=2)
    response = client.post(
        "/interactions/add/",
        {
            "customer": "C100",
            "channel": "call",
            "direction": "outbound",
            "occurred_at": local_input(when),
            "duration_minutes": "7",
            "outcome": "reached",
            "summary": "介绍大额存单，客户有兴趣。",
            "next_step": "周五发送额度",
        },
    )
    interaction = Interaction.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/interactions/{interaction.pk}/"
    assert (interaction.customer, interaction.employee, interaction.created_by) == (
        book.mine,
        book.bank.north_rm,
        book.bank.north_rm,
    )
    assert (interaction.channel, interaction.outcome, interaction.duration_seconds) == ("call", "reached", 420)
    assert interaction.source == "manual" and interaction.is_contact
    assert Customer.objects.get(pk=book.mine.pk).last_contact_at == when
    assert AuditEntry.objects.filter(object_type="interactions.interaction", object_id=str(interaction.pk)).exists()
    page = client.get(f"/interactions/{interaction.pk}/").content.decode()
    assert "介绍大额存单" in page and "周五发送额度" in page and "7 min 0 s" in page


def test_from_the_360_view_the_customer_is_filled_in_and_saving_leads_back(book, client):
    """SVC-05: "Record a contact" on the customer opens the form with the customer's number and
    the time set to now; after saving the user is back on the customer's service history, which
    shows the contact."""
    client.force_login(book.bank.north_rm)
    detail = client.get(f"/customers/{book.mine.pk}/").content.decode()
    assert f'/interactions/add/?customer={book.mine.pk}"' in detail
    form = client.get(f"/interactions/add/?customer={book.mine.pk}")
    assert form.context["form"].initial["customer"] == "C100"
    assert form.context["form"].initial["return_to"] == "customer"
    assert "张三" in form.content.decode()
    assert abs(form.context["form"].initial["occurred_at"] - timezone.now()) < dt.timedelta(minutes=2)

    data = dict(form.context["form"].initial)
    data.update(channel="visit", direction="outbound", outcome="reached", summary="上门拜访")
    data["occurred_at"] = local_input(timezone.now() - dt.timedelta(minutes=30))
    response = client.post("/interactions/add/", data)
    assert response["Location"] == f"/customers/{book.mine.pk}/?tab=service"
    history = client.get(f"/customers/{book.mine.pk}/tab/service/").content.decode()
    assert "Contact: Visit" in history and "上门拜访" in history


def test_the_form_does_not_fill_in_a_customer_outside_the_scope(book, client):
    """Another RM's customer id in ?customer= fills in nothing (no name, no number)."""
    client.force_login(book.bank.north_rm)
    response = client.get(f"/interactions/add/?customer={book.south.pk}")
    assert response.status_code == 200
    assert "customer" not in response.context["form"].initial
    assert "王五" not in response.content.decode() and "C300" not in response.content.decode()


def test_the_record_button_shows_only_with_the_add_permission(book, client):
    """SVC-05 / PLT-03: the 360° view's "Record a contact" (header and service tab) shows only to
    holders of interactions.interaction:add; the form itself refuses the others (403)."""
    auditor = book.bank.admin
    grant(auditor, "customers.customer:view", "customers.tab:service", "interactions.interaction:view", scope="all")
    client.force_login(auditor)
    assert 'data-testid="record-contact"' not in client.get(f"/customers/{book.mine.pk}/").content.decode()
    tab = client.get(f"/customers/{book.mine.pk}/tab/service/").content.decode()
    assert 'data-testid="record-contact-tab"' not in tab
    assert client.get("/interactions/add/").status_code == 403
    assert client.post("/interactions/add/", {"customer": "C100"}).status_code == 403

    client.force_login(book.bank.north_rm)
    assert 'data-testid="record-contact"' in client.get(f"/customers/{book.mine.pk}/").content.decode()
    tab = client.get(f"/customers/{book.mine.pk}/tab/service/").content.decode()
    assert 'data-testid="record-contact-tab"' in tab


def test_the_service_history_shows_contacts_only_to_readers_of_contacts(book, client):
    """CUS-02 / SVC-05: the contacts join the service history, newest first among the other
    events; a reader of the tab without the contacts permission does not see them."""
    services.record_interaction(
        book.bank.north_rm,
        book.mine,
        channel="call",
        direction="inbound",
        occurred_at=at(5, 9, 30),
        outcome="reached",
        summary="客户来电咨询理财到期",
        next_step="发送续作方案",
        now=NOW,
    )
    client.force_login(book.bank.north_rm)
    events = client.get(f"/customers/{book.mine.pk}/tab/service/").context["events"]
    contact = next(e for e in events if "Contact" in str(e.kind))
    assert str(contact.kind) == "Contact: Phone call"
    assert "inbound" in contact.detail and "Reached the customer" in contact.detail
    assert "客户来电咨询理财到期" in contact.detail and "发送续作方案" in contact.detail
    assert contact.by == book.bank.north_rm.name and contact.on == dt.date(2026, 12, 5)

    reader = book.bank.admin
    grant(reader, "customers.customer:view", "customers.tab:service", scope="all")
    client.force_login(reader)
    assert "客户来电咨询理财到期" not in client.get(f"/customers/{book.mine.pk}/tab/service/").content.decode()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"occurred_at": NOW + dt.timedelta(minutes=30)}, "occurred_at", "cannot lie in the future"),
        ({"occurred_at": dt.datetime(2026, 12, 1, 10, 0)}, "occurred_at", "needs a time zone"),
        ({"duration_seconds": 86401}, "duration_seconds", "from 0 to 86400"),
        ({"duration_seconds": -1}, "duration_seconds", "from 0 to 86400"),
        ({"channel": "fax"}, "channel", "Choose one of the channels"),
        ({"direction": "sideways"}, "direction", "Choose inbound or outbound"),
        ({"outcome": "happy"}, "outcome", "Choose one of the outcomes"),
        (
            {"channel": "sms", "outcome": "no_answer"},
            "outcome",
            "“No answer” is no outcome for the channel SMS; choose one of: Sent, Delivered, Failed.",
        ),
        ({"summary": "字" * 2001}, "summary", "longer than 2000"),
        ({"next_step": "步" * 501}, "next_step", "longer than 500"),
    ],
)
def test_bad_input_names_the_field_and_records_nothing(book, change, field, message):
    """SVC-05: each wrong value is refused with a message naming the field; nothing is written."""
    values = {
        "channel": "call",
        "direction": "outbound",
        "occurred_at": at(6),
        "duration_seconds": 60,
        "outcome": "reached",
        "summary": "",
        "next_step": "",
        **change,
    }
    with pytest.raises(DomainError) as error:
        services.record_interaction(book.bank.north_rm, book.mine, now=NOW, **values)
    assert error.value.field == field
    assert message in str(error.value.message)
    assert not Interaction.objects.exists()
    assert Customer.objects.get(pk=book.mine.pk).last_contact_at is None


def test_a_customer_outside_the_scope_is_refused_on_the_customer_field(book, client):
    """The customer must be in the actor's scope: on the page the error stands at the customer
    number, and says the same for an unknown number."""
    with pytest.raises(DomainError) as error:
        services.record_interaction(
            book.bank.north_rm,
            book.south,
            channel="call",
            direction="outbound",
            occurred_at=at(6),
            outcome="reached",
            now=NOW,
        )
    assert error.value.field == "customer"
    client.force_login(book.bank.north_rm)
    for number in ("C300", "NOPE"):
        response = client.post(
            "/interactions/add/",
            {
                "customer": number,
                "channel": "call",
                "direction": "outbound",
                "occurred_at": local_input(timezone.now() - dt.timedelta(hours=1)),
                "outcome": "reached",
            },
        )
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert f"No customer with the number {number} in your data scope." in errors["customer"]
    assert not Interaction.objects.exists()


def test_the_page_names_the_field_of_a_future_time_and_a_wrong_outcome(book, client):
    client.force_login(book.bank.north_rm)
    base = {"customer": "C100", "channel": "email", "direction": "outbound", "outcome": "busy"}
    response = client.post("/interactions/add/", {**base, "occurred_at": local_input(timezone.now())})
    assert "“Busy” is no outcome for the channel E-mail" in response.context["form"].errors["outcome"][0]
    future = local_input(timezone.now() + dt.timedelta(hours=3))
    response = client.post("/interactions/add/", {**base, "outcome": "sent", "occurred_at": future})
    assert "The contact cannot lie in the future." in response.context["form"].errors["occurred_at"]
    response = client.post(
        "/interactions/add/", {**base, "outcome": "sent", "occurred_at": "yesterday", "duration_minutes": "99999"}
    )
    assert set(response.context["form"].errors) == {"occurred_at", "duration_minutes"}
    assert not Interaction.objects.exists()


def test_the_api_records_a_contact_through_the_same_service(book):
    """SVC-05 / PLT-11: POST /api/v1/interactions/ records a contact by customer number or id;
    bad input answers 400 naming the field; a contact is never changed or deleted (405)."""
    api = APIClient()
    api.force_authenticate(book.bank.north_rm)
    when = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    response = api.post(
        "/api/v1/interactions/",
        {
            "customer_number": "C100",
            "channel": "wechat",
            "direction": "outbound",
            "occurred_at": when,
            "outcome": "sent",
            "summary": "发送理财早报",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["customer"] == book.mine.pk and body["customer_number"] == "C100"
    assert body["employee"] == book.bank.north_rm.pk and body["is_contact"] is True and body["source"] == "manual"
    assert body["channel_label"] == "WeChat"

    response = api.post(
        "/api/v1/interactions/",
        {"customer": book.mine.pk, "channel": "call", "direction": "outbound", "outcome": "no_answer"},
        format="json",
    )
    assert response.status_code == 201 and response.json()["is_contact"] is False

    bad = api.post(
        "/api/v1/interactions/",
        {"customer": book.mine.pk, "channel": "call", "direction": "outbound", "outcome": "reached",
         "occurred_at": (timezone.now() + dt.timedelta(days=1)).isoformat()},
        format="json",
    )  # fmt: skip
    assert bad.status_code == 400 and "occurred_at" in bad.json()
    outside = api.post(
        "/api/v1/interactions/",
        {"customer": book.south.pk, "channel": "call", "direction": "outbound", "outcome": "reached"},
        format="json",
    )
    assert outside.status_code == 400 and "customer" in outside.json()
    nobody = api.post("/api/v1/interactions/", {"channel": "call", "direction": "outbound", "outcome": "reached"})
    assert nobody.status_code == 400 and "customer" in nobody.json()
    assert Interaction.objects.count() == 2

    pk = body["id"]
    for method in ("put", "patch", "delete"):
        assert getattr(api, method)(f"/api/v1/interactions/{pk}/", {}, format="json").status_code == 405
    listed = api.get("/api/v1/interactions/?customer_number=C100&channel=wechat").json()
    assert [row["id"] for row in listed["results"]] == [pk]
