"""Real components for the channel tests: an HTTP gateway and an SMTP server on free local ports."""

from __future__ import annotations

import datetime as dt
import json
import threading
import zoneinfo
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.cache import cache

from steward.channels.tests.factories import people_of

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(hour: int, minute: int = 0, day: int = 2, second: int = 0) -> dt.datetime:
    """A moment of March 2026 in the bank's time zone (the 2nd is a Monday)."""
    return dt.datetime(2026, 3, day, hour, minute, second, tzinfo=SHANGHAI)


def set_parameter(key: str, value: str) -> None:
    from steward.basedata.models import SystemParameter
    from steward.basedata.services import PARAMETERS_KEY

    SystemParameter.objects.filter(key=key).update(value=value)
    cache.delete(PARAMETERS_KEY)


class Gateway:
    """A local HTTP server standing in for the SMS gateway or the push webhook. It records every
    request (path, headers, JSON) and answers from `answers` — (status, JSON) pairs, taken in
    order — and then 200 with a fresh id."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answers: list[tuple[int, dict]] = []
        self.counter = 0
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                gateway.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "json": json.loads(raw.decode("utf-8"))}
                )
                if gateway.answers:
                    status, answer = gateway.answers.pop(0)
                else:
                    gateway.counter += 1
                    status, answer = 200, {"id": f"gw-{gateway.counter}"}
                body = json.dumps(answer).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/send"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def outbox(settings, tmp_path):
    """Every channel on the console adapter, writing under a temporary folder (the demo's default)."""
    settings.STEWARD_OUTBOX_DIR = tmp_path / "outbox"
    settings.STEWARD_CHANNEL_ADAPTERS = {"sms": "console", "email": "console", "push": "console"}
    return tmp_path / "outbox"


@pytest.fixture
def gateway(settings, outbox):
    """SMS through a real local HTTP gateway with a bearer token; push through it too."""
    with Gateway() as server:
        settings.STEWARD_SMS_GATEWAY_URL = server.url
        settings.STEWARD_SMS_GATEWAY_TOKEN = "gateway-secret"
        settings.STEWARD_PUSH_WEBHOOK_URL = server.url.replace("/send", "/push")
        settings.STEWARD_PUSH_WEBHOOK_TOKEN = ""
        settings.STEWARD_CHANNEL_HTTP_TIMEOUT = 5
        settings.STEWARD_CHANNEL_ADAPTERS = {"sms": "gateway", "email": "console", "push": "webhook"}
        yield server


@pytest.fixture
def smtp_server(settings, outbox):
    """A real SMTP server (aiosmtpd) on a free local port; e-mail goes through Django's SMTP backend."""
    import socket

    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(
                {
                    "from": envelope.mail_from,
                    "to": list(envelope.rcpt_tos),
                    "data": envelope.content.decode("utf-8", "replace"),
                    "raw": envelope.content,
                }
            )
            return "250 Message accepted for delivery"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.STEWARD_EMAIL_FROM = "客户服务 <service@bank.example>"
        settings.STEWARD_CHANNEL_ADAPTERS = {"sms": "console", "email": "smtp", "push": "console"}
        yield received
    finally:
        controller.stop()


@pytest.fixture
def people(bank):
    return people_of(bank)


@pytest.fixture
def settled():
    """Every message_settled the test causes: a list of {id: status}."""
    from steward.channels.signals import message_settled

    seen: list[dict] = []

    def receiver(sender, message_ids, statuses, now, **kwargs):
        assert list(statuses) == list(message_ids)
        seen.append(dict(statuses))

    message_settled.connect(receiver, dispatch_uid="channels-test-settled")
    yield seen
    message_settled.disconnect(dispatch_uid="channels-test-settled")
