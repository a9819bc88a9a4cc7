"""The Django admin of import runs and rejected rows: read-only, the runs the run pages show the user."""

import pytest

from steward.imports.tests.factories import ImportRejectionFactory, ImportRunFactory
from steward.testing import grant

pytestmark = pytest.mark.django_db


def test_runs_and_rejected_rows_are_shown_read_only_in_the_requesters_scope(bank, client):
    """CUS-13: a staff branch manager with the import permission sees the runs of their branch and
    their rejected rows (linked from the run), not another branch's; nothing can be changed."""
    manager = bank.north_manager
    manager.is_staff = True
    manager.save(update_fields=["is_staff"])
    grant(manager, "customers.customer:import", scope="subtree", org=bank.north)
    north = ImportRunFactory(requested_by=bank.north_rm, file_name="north-book.xlsx", rows_rejected=1)
    south = ImportRunFactory(requested_by=bank.south_rm, file_name="south-book.xlsx", rows_rejected=1)
    ImportRejectionFactory(run=north, line=7, reason="north reason")
    ImportRejectionFactory(run=south, line=9, reason="south reason")
    client.force_login(manager)

    runs = client.get("/django-admin/imports/importrun/").content.decode()
    assert "north-book.xlsx" in runs and "south-book.xlsx" not in runs
    assert f"/django-admin/imports/importrejection/?run__id__exact={north.pk}" in runs
    rows = client.get(f"/django-admin/imports/importrejection/?run__id__exact={north.pk}")
    assert rows.status_code == 200 and "north reason" in rows.content.decode()
    assert "south reason" not in client.get("/django-admin/imports/importrejection/").content.decode()
    detail = client.get(f"/django-admin/imports/importrun/{north.pk}/change/")
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert client.get(f"/django-admin/imports/importrun/{south.pk}/change/").status_code == 302  # not found
    assert client.get("/django-admin/imports/importrun/add/").status_code == 403
    assert client.post(f"/django-admin/imports/importrun/{north.pk}/delete/").status_code == 403


def test_staff_without_an_import_permission_do_not_see_the_runs(bank, client):
    """CUS-13: the admin shows import runs only to holders of an importer's permission."""
    bank.north_rm.is_staff = True
    bank.north_rm.save(update_fields=["is_staff"])
    ImportRunFactory(requested_by=bank.north_rm)
    client.force_login(bank.north_rm)
    assert client.get("/django-admin/imports/importrun/").status_code == 403
    assert client.get("/django-admin/imports/importrejection/").status_code == 403
