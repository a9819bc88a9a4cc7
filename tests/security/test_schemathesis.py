"""PLT-11 (issue 11, point 10): schemathesis over the whole API, in process, with zero failures.

The OpenAPI schema is the one /api/schema/ serves (drf-spectacular), loaded through the WSGI
application itself; every operation gets generated requests (positive and negative data, a
fixed seed, a bounded number of examples: STEWARD_SCHEMATHESIS_EXAMPLES, 8 by default) sent as
the system administrator with an API token, on the seeded bank. Each request is rolled back
once answered. Checks on every request: no 5xx (``not_a_server_error``), and a documented answer
matches its schema (``response_schema_conformance``) and content type (``content_type_conformance``).
"""

from __future__ import annotations

import os
import time

import pytest
from django.core import signals
from django.db import close_old_connections, transaction

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.generation import GenerationMode  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
)

EXAMPLES = int(os.environ.get("STEWARD_SCHEMATHESIS_EXAMPLES", "8"))
# No 5xx; and a documented answer must match its schema and content type. Not the status-code check:
# the schema documents the success answers only, so every 400/403/404 would be "undocumented".
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def wsgi_app():
    """The project's WSGI application, called in this thread on the test's database connection:
    like Django's test client, the per-request connection cleanup is off meanwhile."""
    from django.core.wsgi import get_wsgi_application

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_schemathesis_finds_no_server_error_anywhere_in_the_api(seeded_bank, wsgi_app, capsys):
    """PLT-11: generated requests against every API operation (fixed seed, bounded) never get a 5xx."""
    from steward.access.services import issue_token

    admin = seeded_bank.users["admin"]
    _token, key = issue_token(admin, admin, name="schemathesis")
    auth = {"Authorization": f"Token {key}", "Host": "testserver"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app, headers=auth)

    failures: list[str] = []
    operations = examples = 0
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        calls: list[int] = []
        run = _runner(operation, auth, calls)
        try:
            run()
        except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 — every operation's failure is reported
            failures.append(f"{operation.label}: {str(error).strip()[:1500]}")
        examples += len(calls)

    with capsys.disabled():
        print(
            f"\n[schemathesis] {operations} operations, {examples} requests, {time.monotonic() - started:.1f} s, "
            f"{len(failures)} failing"
        )
    assert operations > 50, "the schema lists almost no operation"
    assert not failures, "\n\n".join(failures)


def _runner(operation, auth, calls):
    @given(case=operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(GenerationMode.NEGATIVE))
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        with transaction.atomic():  # the next case sees the same data
            response = case.call(headers=auth)
            transaction.set_rollback(True)
        calls.append(1)
        case.validate_response(response, checks=CHECKS, headers=auth)

    return run
