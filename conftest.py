"""Fixtures for the whole suite: a small bank tree that most tests build on."""

import pytest

from steward.org.models import Org
from steward.testing import EmployeeFactory, OrgFactory


class Bank:
    """Head office → two branches → one sub-branch each → one team each."""

    def __init__(self):
        self.head = OrgFactory(code="HO", name="总行", kind=Org.Kind.HEAD_OFFICE)
        self.north = OrgFactory(code="N", name="北方分行", kind=Org.Kind.BRANCH, parent=self.head)
        self.south = OrgFactory(code="S", name="南方分行", kind=Org.Kind.BRANCH, parent=self.head)
        self.north_sub = OrgFactory(code="N1", name="北方一支行", kind=Org.Kind.SUB_BRANCH, parent=self.north)
        self.south_sub = OrgFactory(code="S1", name="南方一支行", kind=Org.Kind.SUB_BRANCH, parent=self.south)
        self.north_team = OrgFactory(code="N1T1", name="北方一组", kind=Org.Kind.TEAM, parent=self.north_sub)
        self.south_team = OrgFactory(code="S1T1", name="南方一组", kind=Org.Kind.TEAM, parent=self.south_sub)
        self.north_rm = EmployeeFactory(employee_no="NRM", name="北方客户经理", org=self.north_team)
        self.north_rm2 = EmployeeFactory(employee_no="NRM2", name="北方客户经理二", org=self.north_team)
        self.south_rm = EmployeeFactory(employee_no="SRM", name="南方客户经理", org=self.south_team)
        self.north_manager = EmployeeFactory(employee_no="NBM", name="北方行长", org=self.north)
        self.admin = EmployeeFactory(employee_no="ADM", name="管理员", org=self.head)


@pytest.fixture
def bank(db):
    return Bank()


# On PostgreSQL the audit tables refuse TRUNCATE (PLT-07, audit migration 0005), but the teardown
# of a transactional test empties every table with one TRUNCATE. Those two triggers are therefore
# switched off just before that teardown and on again when the next database test starts.
_audit_truncate_triggers_off = False


def _set_audit_truncate_triggers(connection, enabled: bool) -> None:
    from steward.audit.migrations import TRUNCATE_TRIGGERS

    verb = "ENABLE" if enabled else "DISABLE"
    with connection.cursor() as cursor:
        for table, trigger in TRUNCATE_TRIGGERS:
            cursor.execute(f"ALTER TABLE {table} {verb} TRIGGER {trigger}")


@pytest.fixture(autouse=True)
def _audit_tables_refuse_truncate_except_for_test_flush(request):
    global _audit_truncate_triggers_off
    marker = request.node.get_closest_marker("django_db")
    names = request.fixturenames
    transactional = "transactional_db" in names or "live_server" in names
    if marker is not None:
        transactional = transactional or bool(marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    if not (transactional or marker is not None or "db" in names):
        yield
        return
    request.getfixturevalue("transactional_db" if transactional else "db")
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    if _audit_truncate_triggers_off:
        _set_audit_truncate_triggers(connection, enabled=True)  # committed only in a transactional test
        _audit_truncate_triggers_off = not transactional
    yield
    if transactional:
        _set_audit_truncate_triggers(connection, enabled=False)
        _audit_truncate_triggers_off = True


# CI runs the whole suite twice, on SQLite and on PostgreSQL. The exhaustive crawls (every URL ×
# method × body as three roles, the plain-data leak crawl of six roles, schemathesis) and the
# browser tests exercise the views, not the database engine, and take half the run's time: CI
# runs them once, on PostgreSQL, the production engine. `make test` on a developer's machine runs
# them on SQLite too. Set STEWARD_CRAWL_ON_SQLITE=1 to run them in CI on SQLite as well.
ONCE_IN_CI = (
    "tests/security/test_no_5xx.py::test_no_url_answers_5xx_to_any_method_or_body",
    "tests/security/test_leaks.py::test_no_plain_personal_data_anywhere",
    "tests/security/test_schemathesis.py::test_schemathesis_finds_no_server_error_anywhere_in_the_api",
    "tests/browser/",
)


def pytest_collection_modifyitems(config, items):
    import os
    import sys

    on_sqlite = not os.environ.get("DATABASE_URL", "").startswith("postgres")
    if not (os.environ.get("CI") and on_sqlite) or os.environ.get("STEWARD_CRAWL_ON_SQLITE"):
        return
    once = [item for item in items if any(part in item.nodeid for part in ONCE_IN_CI)]
    if not once:
        return
    notice = (
        f"CI on SQLite: {len(once)} crawl and browser tests run in the PostgreSQL run instead (conftest.ONCE_IN_CI)."
    )
    print(f"\n*** {notice} ***", file=sys.stderr)
    for item in once:
        item.add_marker(pytest.mark.skip(reason=notice))
