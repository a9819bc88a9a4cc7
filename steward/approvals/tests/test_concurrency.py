"""PLT-09: two approvals at the same moment (a double click, two handlers) decide an application once.

Needs real row locks, so it runs on PostgreSQL only (SQLite serialises writers anyway).
"""

import threading

import pytest
from django.db import connection, connections

from steward.approvals import services
from steward.approvals.models import Application, Decision
from steward.approvals.permissions import APPROVE, HANDLE
from steward.approvals.tests.conftest import LEAVE, leave_payload
from steward.core.errors import DomainError
from steward.testing import EmployeeFactory, grant

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")


@pytest.mark.django_db(transaction=True)
def test_two_handlers_approving_at_once_decide_it_only_once(bank, people):
    deputy = EmployeeFactory(employee_no="NTL2", org=bank.north_team)
    grant(deputy, HANDLE, APPROVE, scope="team", org=bank.north_team)
    application = services.submit(people.rm, LEAVE, reason="家事", payload=leave_payload())
    assert application.handlers.count() == 2
    start = threading.Barrier(2)
    outcomes = []

    def approve_as(person):
        try:
            start.wait()
            services.approve(person, Application.objects.get(pk=application.pk))
            outcomes.append("approved")
        except DomainError as error:
            outcomes.append(str(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve_as, args=(p,)) for p in (people.lead, deputy)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["This application is already approved.", "approved"]
    assert Decision.objects.filter(application=application, action=Decision.Action.APPROVED).count() == 1
