"""CUS-01 / PLT-13 (issue 11, point 11): the edit form and the API refuse the merged status, names
without a visible character and ID numbers born in the future; an ID number of another customer
is answered without telling who banks here, audited, and rate-limited per employee — in the
page, the API and the Excel import."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import Workbook
from rest_framework.test import APIClient

from steward.audit.models import AuditEntry
from steward.basedata.services import set_parameter
from steward.core.validators import clean_name, strip_invisible
from steward.customers.importing import COLUMNS, import_customers
from steward.customers.models import Customer
from steward.customers.tests.factories import resident_id
from steward.testing import grant

NEUTRAL = "This ID number cannot be used. If you believe the customer already exists, ask your supervisor."


def api_for(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def new(book, cif, id_number, **extra):
    return {
        "cif": cif,
        "name": "郑十一",
        "org": book.bank.north_team.pk,
        "owner": book.bank.north_rm.pk,
        "id_type": "01",
        "id_number": id_number,
        "kyc_status": "pending",
        "status": "active",
        "gender": "U",
        **extra,
    }


def edit(customer, **changes):
    return {
        "name": customer.name,
        "id_type": "01",
        "id_number": "",
        "kyc_status": "pending",
        "status": "active",
        "gender": customer.gender,
        **changes,
    }


# ---------------------------------------------------------------- status only a service sets


def test_the_edit_form_and_the_api_refuse_the_merged_status(book, client):
    """CUS-12: "merged" is set by merging only — neither the edit page nor the API may set it."""
    client.force_login(book.bank.north_rm)
    form = client.get(f"/customers/{book.mine.pk}/edit/").context["form"]
    assert "merged" not in dict(form.fields["status"].choices)
    response = client.post(f"/customers/{book.mine.pk}/edit/", edit(book.mine, status="merged"))
    assert response.status_code == 200 and "status" in response.context["form"].errors

    response = api_for(book.bank.north_rm).patch(
        f"/api/v1/customers/{book.mine.pk}/", {"status": "merged"}, format="json"
    )
    assert response.status_code == 400 and "status" in response.json()
    book.mine.refresh_from_db()
    assert book.mine.status == "active"


def test_a_merged_customer_cannot_be_revived_by_an_edit(book):
    """CUS-12: a merged customer's status stays merged (the API refuses to change it)."""
    Customer.objects.filter(pk=book.mine2.pk).update(status="merged", merged_into=book.mine)
    response = api_for(book.bank.north_rm).patch(
        f"/api/v1/customers/{book.mine2.pk}/", {"status": "active"}, format="json"
    )
    assert response.status_code == 400 and "status" in response.json()
    assert Customer.objects.get(pk=book.mine2.pk).status == "merged"


# ---------------------------------------------------------------- names


@pytest.mark.parametrize(
    "name",
    ["\u200b\u200b", "\u202e", "\u2066\u2069\u200f", " \u3000\u200b\u00a0 ", "\ufeff\u200d", "\u3164"],
)
def test_a_name_of_only_invisible_characters_is_refused_in_page_and_api(book, client, name):
    """CUS-01: zero-width, bidi control and blank characters do not make a name."""
    client.force_login(book.bank.north_rm)
    response = client.post(f"/customers/{book.mine.pk}/edit/", edit(book.mine, name=name))
    assert response.status_code == 200 and "name" in response.context["form"].errors
    api = api_for(book.bank.north_rm)
    response = api.post("/api/v1/customers/", new(book, "N1", resident_id(7001), name=name), format="json")
    assert response.status_code == 400 and "name" in response.json()
    assert Customer.objects.get(pk=book.mine.pk).name == "张三"


def test_bidi_overrides_and_zero_width_characters_are_taken_out_of_names(book):
    """CUS-01: a right-to-left override cannot make a name look like another one."""
    api = api_for(book.bank.north_rm)
    response = api.post(
        "/api/v1/customers/", new(book, "N2", resident_id(7002), name="\u202e郑\u200b十一\u202c "), format="json"
    )
    assert response.status_code == 201, response.content
    assert Customer.objects.get(cif="N2").name == "郑十一"


def test_the_name_cleaner_keeps_visible_text():
    """PLT-13: the reusable validator keeps letters, collapses spaces, refuses emptiness."""
    assert strip_invisible("  Anna\u00a0\u00a0Maria\u2067 ") == "Anna Maria"
    assert clean_name("欧阳\u200d娜娜") == "欧阳娜娜"
    with pytest.raises(Exception) as caught:
        clean_name("\u202d\u202c")
    assert caught.value.code == "no_visible_characters"


# ---------------------------------------------------------------- ID numbers


def test_an_id_number_born_in_the_future_is_refused_in_page_and_api(book, client):
    """CUS-01: the birth date inside a resident ID number may not lie after today."""
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    number = resident_id(7003, birth=tomorrow)
    client.force_login(book.bank.north_rm)
    response = client.post("/customers/add/", new(book, "N3", number))
    assert response.status_code == 200
    assert "in the future" in str(response.context["form"].errors["id_number"])
    response = api_for(book.bank.north_rm).post("/api/v1/customers/", new(book, "N3", number), format="json")
    assert response.status_code == 400 and "in the future" in response.json()["id_number"][0]
    assert not Customer.objects.filter(cif="N3").exists()


# ---------------------------------------------------------------- ID numbers of other customers


def duplicate_entries(actor):
    return AuditEntry.objects.filter(action="customers.duplicate_id", actor_id=actor.pk)


def test_an_id_number_of_a_customer_out_of_scope_is_answered_without_details(book, client):
    """PLT-13: an RM entering the ID number of another branch's customer learns only that the
    number cannot be used — not that the person banks here nor who they are — and the attempt is
    audited (also though the refused create rolled back)."""
    rm, other = book.bank.north_rm, book.south
    client.force_login(rm)
    response = client.post("/customers/add/", new(book, "N4", other.id_number))
    assert response.status_code == 200
    page = response.content.decode()
    assert NEUTRAL in page
    assert other.cif not in page
    assert other.name not in page
    assert "A customer with this ID number already exists" not in page

    response = api_for(rm).post("/api/v1/customers/", new(book, "N4", other.id_number), format="json")
    assert response.status_code == 400 and response.json()["id_number"] == [NEUTRAL]
    assert not Customer.objects.filter(cif="N4").exists()

    entries = duplicate_entries(rm)
    assert entries.count() == 2
    assert {(e.object_id, e.changes["visible"]) for e in entries} == {(str(other.pk), False)}


def test_an_id_number_of_a_confidential_customer_is_answered_without_details(book, client):
    """CUS-10: a confidential customer in the branch manager's subtree is not revealed either."""
    Customer.objects.filter(pk=book.colleague.pk).update(is_confidential=True)
    client.force_login(book.bank.north_manager)
    response = client.post("/customers/add/", new(book, "N5", book.colleague.id_number))
    page = response.content.decode()
    assert NEUTRAL in page and book.colleague.cif not in page
    assert duplicate_entries(book.bank.north_manager).get().changes["visible"] is False


def test_an_id_number_of_a_customer_i_can_see_links_to_that_customer(book, client):
    """CUS-01: for a customer the RM may see, the message names it and links to its 360° view."""
    client.force_login(book.bank.north_rm)
    response = client.post("/customers/add/", new(book, "N6", book.mine.id_number))
    page = response.content.decode()
    assert "already exists" in page and f'href="/customers/{book.mine.pk}/"' in page
    response = api_for(book.bank.north_rm).post(
        "/api/v1/customers/", new(book, "N6", book.mine.id_number), format="json"
    )
    assert "C100" in response.json()["id_number"][0]
    assert duplicate_entries(book.bank.north_rm).filter(changes__visible=True).count() == 2


def test_changing_the_id_number_to_a_hidden_customers_is_answered_alike(book):
    """PLT-13: the edit path gives the same neutral answer as creating."""
    response = api_for(book.bank.north_rm).patch(
        f"/api/v1/customers/{book.mine.pk}/", {"id_number": book.south.id_number}, format="json"
    )
    assert response.status_code == 400 and response.json()["id_number"] == [NEUTRAL]
    assert duplicate_entries(book.bank.north_rm).count() == 1


def test_hidden_id_numbers_are_rate_limited_per_employee(book, client):
    """PLT-13: past the hourly limit of hidden ID numbers, the RM may not create customers at all
    (so the limit itself tells nothing); each refusal is audited; other employees are unaffected."""
    set_parameter(book.bank.admin, "customers.duplicate_id_attempts_per_hour", "2")
    api = api_for(book.bank.north_rm)
    for cif in ("N7", "N8"):
        response = api.post("/api/v1/customers/", new(book, cif, book.south.id_number), format="json")
        assert response.json()["id_number"] == [NEUTRAL]
    fresh = new(book, "N9", resident_id(7009))
    response = api.post("/api/v1/customers/", fresh, format="json")
    assert response.status_code == 400
    assert "too many ID numbers" in response.json()["id_number"][0]
    client.force_login(book.bank.north_rm)
    assert "too many ID numbers" in client.post("/customers/add/", fresh).content.decode()
    assert not Customer.objects.filter(cif="N9").exists()
    assert (
        AuditEntry.objects.filter(action="customers.duplicate_id_limited", actor_id=book.bank.north_rm.pk).count() == 2
    )

    other = api_for(book.bank.north_rm2)
    fresh["owner"] = book.bank.north_rm2.pk
    assert other.post("/api/v1/customers/", fresh, format="json").status_code == 201


def test_visible_duplicates_do_not_count_against_the_limit(book):
    """PLT-13: telling an RM about a customer they may see anyway reveals nothing, so it is
    audited but not counted."""
    set_parameter(book.bank.admin, "customers.duplicate_id_attempts_per_hour", "1")
    api = api_for(book.bank.north_rm)
    for cif in ("N10", "N11"):
        assert (
            "C100"
            in api.post("/api/v1/customers/", new(book, cif, book.mine.id_number), format="json").json()["id_number"][0]
        )
    assert api.post("/api/v1/customers/", new(book, "N12", resident_id(7012)), format="json").status_code == 201


def workbook(book, rows):
    wb = Workbook()
    sheet = wb.active
    sheet.append([str(label) for _name, label in COLUMNS])
    for row in rows:
        values = {"org": book.bank.north_team.code, "owner": book.bank.north_rm.employee_no, "id_type": "01", **row}
        sheet.append([values.get(name, "") for name, _label in COLUMNS])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def test_the_import_answers_hidden_id_numbers_neutrally_and_audits_even_a_dry_run(book):
    """CUS-13 / PLT-13: a row with the ID number of a customer the importer may not see gets the
    neutral reason; the attempt is audited although "Check" keeps nothing."""
    manager = book.bank.north_manager
    grant(manager, "customers.customer:import", scope="subtree")
    rows = [
        {"cif": "N13", "name": "冯一", "id_number": book.south.id_number},
        {"cif": "N14", "name": "冯二", "id_number": book.mine.id_number},
        {"cif": "N15", "name": "\u200b", "id_number": resident_id(7015)},
    ]
    report = import_customers(manager, workbook(book, rows), save=False)
    reasons = {error.row: error.reason for error in report.errors}
    assert reasons[2] == NEUTRAL and book.south.cif not in reasons[2]
    assert "C100" in reasons[3]
    assert reasons[4] == "Enter the customer's name."
    entries = duplicate_entries(manager)
    assert {(e.object_id, e.changes["visible"]) for e in entries} == {
        (str(book.south.pk), False),
        (str(book.mine.pk), True),
    }
    assert not Customer.objects.filter(cif__in=["N13", "N14", "N15"]).exists()
