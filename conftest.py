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
