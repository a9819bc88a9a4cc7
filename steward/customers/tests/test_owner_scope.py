"""CUS-09 / PLT-04 (issue 11, point 7): creating, assigning, co-managing and transferring accept
only owners inside the actor's data scope — in the pages and the API alike."""

import pytest
from rest_framework.test import APIClient

from steward.approvals.models import Application
from steward.customers.models import CoManager, Customer, OwnershipChange
from steward.customers.tests.conftest import SUPERVISOR_PERMISSIONS
from steward.customers.tests.factories import resident_id
from steward.testing import EmployeeFactory, grant


@pytest.fixture
def lead(book):
    """A team lead of the north team: the supervisor's permissions, team scope."""
    lead = EmployeeFactory(employee_no="NTL", name="北方组长", org=book.bank.north_team)
    grant(lead, *SUPERVISOR_PERMISSIONS, scope="team")
    return lead


@pytest.fixture
def actors(book, lead):
    """RM (own scope), team lead (team) and branch manager (subtree of the north branch), each
    with an owner inside their scope."""
    bank = book.bank
    return {
        "rm": (bank.north_rm, bank.north_rm),
        "team lead": (lead, bank.north_rm),
        "branch manager": (bank.north_manager, bank.north_rm2),
    }


def api_for(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def payload(book, cif, owner, n):
    return {
        "cif": cif,
        "name": "吴十",
        "org": book.bank.north_team.pk,
        "owner": owner.pk,
        "id_type": "01",
        "id_number": resident_id(5000 + n),
        "kyc_status": "pending",
        "status": "active",
        "gender": "U",
    }


@pytest.mark.parametrize("who", ["rm", "team lead", "branch manager"])
def test_creating_a_customer_owned_by_an_rm_of_another_branch_is_refused(book, actors, client, who):
    """CUS-09: POST /api/v1/customers/ with an owner of the south branch is a 400 naming `owner`;
    the create page neither offers that owner nor accepts a forged post naming them."""
    actor, in_scope = actors[who]
    api = api_for(actor)
    response = api.post("/api/v1/customers/", payload(book, "X1", book.bank.south_rm, 1), format="json")
    assert response.status_code == 400, response.content
    assert "outside your data scope" in response.json()["owner"][0]
    assert not Customer.objects.filter(cif="X1").exists()

    response = api.post("/api/v1/customers/", payload(book, "X2", in_scope, 2), format="json")
    assert response.status_code == 201, response.content
    assert Customer.objects.get(cif="X2").owner == in_scope

    client.force_login(actor)
    choices = client.get("/customers/add/").context["form"].fields["owner"].queryset
    assert book.bank.south_rm not in choices and in_scope in choices

    response = client.post("/customers/add/", payload(book, "X3", book.bank.south_rm, 3))
    assert response.status_code == 200
    assert "owner" in response.context["form"].errors
    assert not Customer.objects.filter(cif="X3").exists()


def test_an_own_scoped_rm_reaches_only_their_own_team(book):
    """CUS-09: an RM (own scope) may name themself or a colleague of their team — nobody above or
    beside it: not their branch manager, not an RM of another branch."""
    api = api_for(book.bank.north_rm)
    refused = api.post("/api/v1/customers/", payload(book, "X4", book.bank.north_manager, 4), format="json")
    assert refused.status_code == 400 and "owner" in refused.json()
    assert api.post("/api/v1/customers/", payload(book, "X5", book.bank.north_rm2, 5), format="json").status_code == 201


@pytest.mark.parametrize("who", ["team lead", "branch manager"])
def test_assigning_refuses_an_owner_outside_scope_in_page_and_api(book, actors, client, who):
    """CUS-09: direct assignment (page and API; several customers at once) to an RM of another
    branch changes nothing and names the new-owner field."""
    actor, in_scope = actors[who]
    client.force_login(actor)
    form = client.get("/customers/assign/").context["form"]
    assert book.bank.south_rm not in form.fields["new_owner"].queryset
    response = client.post(
        "/customers/assign/", {"customers": "C400 C100", "new_owner": book.bank.south_rm.pk, "reason": "x"}
    )
    assert response.status_code == 200 and "new_owner" in response.context["form"].errors

    api = api_for(actor)
    response = api.post(
        "/api/v1/customers/assign/",
        {"customers": ["C400", "C100"], "new_owner": book.bank.south_rm.employee_no, "reason": "x"},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "outside your data scope" in response.json()["new_owner"][0]
    assert not OwnershipChange.objects.exists()
    assert Customer.objects.get(cif="C400").owner is None

    response = api.post(
        "/api/v1/customers/assign/",
        {"customers": ["C400"], "new_owner": in_scope.employee_no, "reason": "分配"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert Customer.objects.get(cif="C400").owner == in_scope


@pytest.mark.parametrize("who", ["team lead", "branch manager"])
def test_a_co_manager_from_another_branch_is_refused_in_page_and_api(book, actors, client, who):
    """CUS-09: co-managers obey the same rule as owners."""
    actor, in_scope = actors[who]
    client.force_login(actor)
    response = client.post(
        f"/customers/{book.colleague.pk}/co-managers/", {"employee_no": book.bank.south_rm.employee_no}, follow=True
    )
    assert "outside your data scope" in response.content.decode()
    api = api_for(actor)
    response = api.post(
        f"/api/v1/customers/{book.colleague.pk}/co-managers/", {"user": book.bank.south_rm.pk}, format="json"
    )
    assert response.status_code == 400 and "outside your data scope" in response.json()["user"][0]
    assert not CoManager.objects.exists()

    response = api.post(f"/api/v1/customers/{book.mine.pk}/co-managers/", {"user": book.bank.north_rm2.pk})
    assert response.status_code == 200, response.content
    assert [row["employee_no"] for row in response.json()] == ["NRM2"]


@pytest.mark.parametrize("who", ["rm", "team lead", "branch manager"])
def test_a_transfer_to_an_rm_of_another_branch_cannot_be_requested(book, actors, client, who):
    """CUS-09: a transfer application naming a new owner outside the submitter's scope is refused
    at submission (page: form error; API: 400 on new_owner); none is filed."""
    actor, _in_scope = actors[who]
    client.force_login(actor)
    assert book.bank.south_rm not in client.get("/customers/transfer/").context["form"].fields["new_owner"].queryset
    response = client.post(
        "/customers/transfer/", {"customers": "C100", "new_owner": book.bank.south_rm.pk, "reason": "x"}
    )
    assert response.status_code == 200 and "new_owner" in response.context["form"].errors

    response = api_for(actor).post(
        "/api/v1/customers/transfer/", {"customers": ["C100"], "new_owner": "SRM", "reason": "x"}, format="json"
    )
    assert response.status_code == 400, response.content
    assert "outside your data scope" in response.json()["new_owner"][0]
    assert not Application.objects.exists()


def test_the_import_refuses_an_rm_of_another_branch_as_owner(book):
    """CUS-13 / CUS-09: an imported row obeys the same rule — its RM must work inside the
    importer's scope; the row is reported on the RM column."""
    import io

    from openpyxl import Workbook

    from steward.customers.importing import COLUMNS, import_customers

    manager = book.bank.north_manager
    grant(manager, "customers.customer:import", scope="subtree")
    wb = Workbook()
    sheet = wb.active
    sheet.append([str(label) for _name, label in COLUMNS])
    for cif, owner, n in (("X6", "SRM", 6), ("X7", "NRM2", 7)):
        row = {"cif": cif, "name": "陈七", "id_type": "01", "id_number": resident_id(5000 + n)}
        row |= {"org": book.bank.north_team.code, "owner": owner}
        sheet.append([row.get(name, "") for name, _label in COLUMNS])
    upload = io.BytesIO()
    wb.save(upload)
    upload.seek(0)
    report = import_customers(manager, upload, save=True, good_rows_only=True)
    assert [(e.row, e.column) for e in report.errors] == [(2, "RM employee number")]
    assert "outside your data scope" in report.errors[0].reason
    assert list(Customer.objects.filter(cif__in=["X6", "X7"]).values_list("cif", flat=True)) == ["X7"]
