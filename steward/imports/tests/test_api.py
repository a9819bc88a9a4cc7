"""CUS-13 / PLT-11: GET /api/v1/import-runs/ (and a run, and its rejected rows) — read-only, scoped
exactly like the /imports/<id>/ pages, never a 500 on a bad id."""

import pytest
from rest_framework.test import APIClient

from steward.imports.tests.factories import ImportRejectionFactory, ImportRunFactory
from steward.testing import grant

pytestmark = pytest.mark.django_db
IMPORT = "customers.customer:import"


@pytest.fixture
def runs(bank):
    """A north RM's check with two rejected rows, and a south RM's run."""
    grant(bank.north_rm, IMPORT, scope="own")
    grant(bank.south_rm, IMPORT, scope="own")
    north = ImportRunFactory(requested_by=bank.north_rm, file_name="north.xlsx", rows_total=3, rows_rejected=2)
    ImportRejectionFactory(run=north, line=4, column="mobile", reason="Not a mobile number.")
    ImportRejectionFactory(run=north, line=2, column="org code", reason="Unknown org code.")
    south = ImportRunFactory(requested_by=bank.south_rm, file_name="south.xlsx")
    return north, south


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_requester_sees_their_run_and_its_rejected_rows_by_line(bank, runs):
    """CUS-13: the run with its counts and labels; its rejected rows with line, column and reason."""
    north, _south = runs
    client = _api(bank.north_rm)
    listed = client.get("/api/v1/import-runs/").json()["results"]
    assert [row["file_name"] for row in listed] == ["north.xlsx"]
    run = client.get(f"/api/v1/import-runs/{north.pk}/").json()
    assert run["status"] == "succeeded" and run["status_label"] == "Finished"
    assert run["kind_label"] == "customers" and run["requested_by"] == bank.north_rm.employee_no
    assert run["rows_rejected"] == 2 and run["progress_percent"] == 100
    rows = client.get(f"/api/v1/import-runs/{north.pk}/rejected-rows/").json()
    assert rows["count"] == 2
    assert [(r["line"], r["column"], r["reason"]) for r in rows["results"]] == [
        (2, "org code", "Unknown org code."),
        (4, "mobile", "Not a mobile number."),
    ]


def test_a_manager_sees_the_runs_of_their_subtree_only(bank, runs):
    """PLT-04: a north manager with the import permission over the north sees the north RM's run only."""
    north, south = runs
    grant(bank.north_manager, IMPORT, scope="subtree", org=bank.north)
    client = _api(bank.north_manager)
    assert [row["id"] for row in client.get("/api/v1/import-runs/").json()["results"]] == [north.pk]
    assert client.get(f"/api/v1/import-runs/{south.pk}/").status_code == 404
    assert client.get(f"/api/v1/import-runs/{south.pk}/rejected-rows/").status_code == 404


def test_outside_the_scope_or_without_the_permission_nothing_is_seen(bank, runs):
    """PLT-04: another RM with the permission sees none of the north's runs or rows; without the
    permission the API refuses (403); anonymous callers get 401."""
    north, _south = runs
    south = _api(bank.south_rm)
    assert [row["file_name"] for row in south.get("/api/v1/import-runs/").json()["results"]] == ["south.xlsx"]
    assert south.get(f"/api/v1/import-runs/{north.pk}/").status_code == 404
    assert south.get(f"/api/v1/import-runs/{north.pk}/rejected-rows/").status_code == 404
    outsider = _api(bank.north_rm2)
    assert outsider.get("/api/v1/import-runs/").status_code == 403
    assert outsider.get(f"/api/v1/import-runs/{north.pk}/rejected-rows/").status_code == 403
    assert APIClient().get("/api/v1/import-runs/").status_code == 401


@pytest.mark.parametrize("bad_id", ["0", "-1", "abc", str(2**70), "99999999"])
def test_bad_ids_are_404_never_500(bank, runs, bad_id):
    """PLT-11: a word, zero, a negative or an id beyond 64 bits is a 404 for the run and its rows."""
    client = _api(bank.north_rm)
    assert client.get(f"/api/v1/import-runs/{bad_id}/").status_code == 404
    assert client.get(f"/api/v1/import-runs/{bad_id}/rejected-rows/").status_code == 404


def test_the_api_only_reads(bank, runs):
    """PLT-11: writes are not served (405), and nothing changes."""
    north, _south = runs
    client = _api(bank.north_rm)
    assert client.post("/api/v1/import-runs/", {"kind": "customers"}, format="json").status_code == 405
    assert client.delete(f"/api/v1/import-runs/{north.pk}/").status_code == 405
    assert client.patch(f"/api/v1/import-runs/{north.pk}/", {"status": "failed"}, format="json").status_code == 405
    assert client.post(f"/api/v1/import-runs/{north.pk}/rejected-rows/").status_code == 405
    north.refresh_from_db()
    assert north.status == "succeeded"
