"""PLT-13: no personal data in logs — every handler redacts ID, mobile and card numbers.

Searches by ID number, mobile and card number go through the real request path (Django's test
client, then the web server exactly as scripts/run_demo.py starts it); everything the log
handlers write is captured and must hold none of the plain values.
"""

import contextlib
import io
import logging
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from steward.customers.tests.factories import CustomerFactory
from steward.privacy.logging import RedactPersonalData
from steward.testing import grant

ROOT = Path(__file__).resolve().parents[2]
PLAIN_ID = "110105199001011232"  # a valid resident ID (GB 11643 check digit)
PLAIN_MOBILE = "13812345678"
PLAIN_CARD = "6222021234567890"
PLAIN_CARD_GROUPED = "6222 0212 3456 7890"
SEARCHES = (PLAIN_ID, PLAIN_MOBILE, PLAIN_CARD, PLAIN_CARD_GROUPED)
PLAIN = (PLAIN_ID, PLAIN_MOBILE, PLAIN_CARD, "1381234", "19900101")
LOGGERS = ("", "django", "django.request", "django.server", "django.db.backends", "steward", "celery")


def _handlers():
    """Every handler a record of the loggers above can reach."""
    seen = []
    for name in LOGGERS:
        logger = logging.getLogger(name)
        while logger is not None:
            seen.extend(h for h in logger.handlers if h not in seen)
            logger = logger.parent if logger.propagate else None
    return seen


def _leaks(text: str) -> list[str]:
    digits = re.sub(r"[ +]|%2[0Bb]", "", text)
    return [value for value in PLAIN if value in text or value in digits]


def test_every_configured_handler_carries_the_redaction_filter():
    """PLT-13: settings.LOGGING puts the filter on every handler, including the access log."""
    for name, handler in settings.LOGGING["handlers"].items():
        assert "redact_pii" in handler.get("filters", []), name
    handlers = [
        h for h in _handlers() if type(h).__module__ != "_pytest.logging" and not isinstance(h, logging.NullHandler)
    ]
    assert handlers, "no log handler configured"
    for handler in handlers:
        assert any(isinstance(f, RedactPersonalData) for f in handler.filters), handler
    assert logging.getLogger("django.server").handlers, "the access log has its own handler"


@pytest.fixture
def captured():
    """What the configured handlers (root console, access log) write, captured."""
    buffer = io.StringIO()
    handlers = [h for h in _handlers() if isinstance(h, logging.StreamHandler) and type(h).__module__ == "logging"]
    old_streams = [h.setStream(buffer) for h in handlers]
    backends = logging.getLogger("django.db.backends")
    old_level = backends.level
    backends.setLevel(logging.DEBUG)  # SQL with its parameters: the searched values
    connection.force_debug_cursor = True
    try:
        yield buffer
    finally:
        connection.force_debug_cursor = False
        backends.setLevel(old_level)
        for handler, stream in zip(handlers, old_streams, strict=True):
            handler.setStream(stream)


@pytest.mark.django_db
def test_searches_by_id_mobile_and_card_leave_no_plain_value_in_the_logs(bank, client, captured, caplog):
    """PLT-13: a search by ID number, mobile or card number logs (SQL, request warnings, errors with
    tracebacks) only masked values."""
    grant(bank.north_rm, "customers.customer:view", "customers.orglist:view", scope="subtree")
    CustomerFactory(org=bank.north_team, owner=bank.north_rm, id_number=PLAIN_ID, mobile=PLAIN_MOBILE)
    client.force_login(bank.north_rm)
    caplog.set_level(logging.DEBUG)

    for value in SEARCHES:
        assert client.get("/customers/", {"q": value}).status_code == 200
        assert client.get("/customers/org/", {"q": value}).status_code == 200
        client.get("/api/v1/customers/", {"search": value, "unmask": "1"})  # refused: a 403 warning is logged
        client.get(f"/customers/{value}/")  # a 404 logged with the path
    try:
        raise ValueError(f"no customer with ID {PLAIN_ID} or mobile {PLAIN_MOBILE}")
    except ValueError:
        logging.getLogger("steward").exception("search for %s failed", PLAIN_CARD)

    written = captured.getvalue()
    assert "SELECT" in written and "138****5678" in written  # the SQL of the search was logged, masked
    assert "1****************2" in written and "6222 **** **** 7890" in written
    assert "Traceback" in written and "ValueError" in written
    assert _leaks(written) == []
    for record in caplog.records:
        text = record.getMessage() + (record.exc_text or "")
        assert _leaks(text) == [], text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX process handling")
def test_the_demo_web_servers_access_log_masks_query_strings(tmp_path):
    """PLT-13: the access lines of the web server as scripts/run_demo.py starts it (query strings
    of searches by ID, mobile and card number) are masked."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import run_demo
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    port = str(_free_port())
    env = {
        **os.environ,
        "DEBUG": "1",
        "PYTHONUNBUFFERED": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'logs.sqlite3'}",
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    output = tmp_path / "server.log"
    with output.open("w") as out:
        server = subprocess.Popen(
            run_demo.web_server_command("127.0.0.1", port), cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(120):
                try:
                    urllib.request.urlopen(f"{base}/login/", timeout=2).close()
                    break
                except OSError:
                    time.sleep(0.25)
            else:
                pytest.fail("the web server did not start:\n" + output.read_text())
            for value in SEARCHES:
                query = urllib.parse.urlencode({"q": value, "next": f"/customers/?q={value}"})
                for path in ("/login/", "/customers/", "/api/v1/customers/"):
                    # Redirects to the login and 403s are logged all the same.
                    with contextlib.suppress(OSError):
                        urllib.request.urlopen(f"{base}{path}?{query}", timeout=10).close()
            time.sleep(0.5)
        finally:
            server.terminate()
            server.wait(timeout=10)
    written = output.read_text()
    assert '"GET /login/?q=' in written  # the access lines were written
    assert "138****5678" in written and "1****************2" in written
    assert _leaks(written) == [], written


def test_the_celery_workers_log_handlers_get_the_filter_too():
    """PLT-13: the worker replaces the root handlers with its own; they are given the filter."""
    from celery.signals import after_setup_logger, after_setup_task_logger

    import steward.celery  # noqa: F401  (connects the signal receivers)

    for signal in (after_setup_logger, after_setup_task_logger):
        buffer = io.StringIO()
        logger = logging.Logger(f"worker-{signal.name}")
        logger.addHandler(logging.StreamHandler(buffer))
        signal.send(sender=None, logger=logger, loglevel=logging.INFO, logfile=None, format="", colorize=False)
        logger.warning("task for %s, card %s", PLAIN_MOBILE, PLAIN_CARD)
        assert buffer.getvalue().strip() == "task for 138****5678, card 6222 **** **** 7890"
