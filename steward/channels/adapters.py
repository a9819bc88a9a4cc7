"""Channel adapters — INT-05: the one interface every channel is sent through.

``adapter_for(channel).send(message) -> SendResult(external_ref, status)``; an adapter raises
`TemporaryFailure` when trying again later may work (the gateway is down, answered 5xx or 429,
a time-out) and `PermanentFailure` when it will not (a 4xx: a bad number, a refused sender).

Which adapter serves a channel is the setting ``STEWARD_CHANNEL_ADAPTERS`` ({"sms": "gateway",
"email": "smtp", "push": "webhook"}; a name below or the dotted path of an adapter class). By
default a channel whose gateway is not configured writes to the console adapter, a file per
channel under ``var/outbox/`` (the demo). See docs/channels.md and docs/configuration.md.
"""

from __future__ import annotations

import json
import logging
import smtplib
import threading
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from email.utils import make_msgid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string

from steward.privacy.masking import mask

logger = logging.getLogger(__name__)

SENT = "sent"
DELIVERED = "delivered"


@dataclass(frozen=True)
class SendResult:
    """What the channel answered: its reference for the message and `sent` (accepted; a delivery
    report may follow) or `delivered`."""

    external_ref: str
    status: str = SENT


class SendFailure(Exception):
    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = str(detail)[:500]


class TemporaryFailure(SendFailure):
    """Trying again later may work: the message is retried with a growing wait."""


class PermanentFailure(SendFailure):
    """The channel refused the message; trying again will not help."""


class ChannelAdapter:
    """Base of every adapter. `has_receipts`: the channel reports delivery later (the message is
    settled by its delivery report, not when it is sent)."""

    name = ""
    has_receipts = False

    def send(self, message) -> SendResult:  # pragma: no cover - the interface
        raise NotImplementedError


# --- console / file (the demo) ---------------------------------------------------------------------

_file_lock = threading.Lock()


def outbox_dir() -> Path:
    return Path(getattr(settings, "STEWARD_OUTBOX_DIR", None) or Path(settings.VAR_DIR) / "outbox")


class ConsoleAdapter(ChannelAdapter):
    """Writes each message as one JSON line to ``<outbox>/<channel>.log`` instead of sending it
    (the demo, and any channel whose gateway is not configured). The address is written masked:
    the file is readable on the server, and the demo has no one to send it to."""

    name = "console"

    def send(self, message) -> SendResult:
        reference = f"console-{uuid.uuid4().hex[:16]}"
        kind = {"mobile": "mobile", "email": "email"}.get(message.address_field)
        line = {
            "at": timezone.localtime().isoformat(timespec="seconds"),
            "ref": reference,
            "message": message.pk,
            "purpose": message.purpose,
            "to": mask(kind, message.address) if kind else message.address,
            "subject": message.subject,
            "body": message.body,
        }
        folder = outbox_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with _file_lock, open(folder / f"{message.channel}.log", "a", encoding="utf-8") as handle:
                handle.write(json.dumps(line, ensure_ascii=False) + "\n")
        except OSError as error:
            raise TemporaryFailure(f"the outbox file could not be written: {error}") from error
        return SendResult(reference, SENT)


# --- HTTP (SMS gateway, push webhook) ----------------------------------------------------------------


def _post_json(url: str, payload: dict, token: str, timeout: float) -> dict:
    """POST `payload` as JSON; the JSON answer (or {}). 5xx, 408, 429, time-outs and unreachable
    servers are temporary failures; other 4xx permanent."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        url, data=json.dumps(payload, ensure_ascii=False).encode("utf-8"), method="POST", headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (configured URL)
            raw = response.read(64 * 1024)
    except urllib.error.HTTPError as error:
        detail = f"HTTP {error.code}: {_excerpt(error)}"
        if error.code >= 500 or error.code in (408, 429):
            raise TemporaryFailure(detail) from error
        raise PermanentFailure(detail) from error
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise TemporaryFailure(f"{url} could not be reached: {reason}") from error
    try:
        answer = json.loads(raw.decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError):
        answer = {}
    return answer if isinstance(answer, dict) else {}


def _excerpt(error: urllib.error.HTTPError) -> str:
    try:
        text = error.read(300).decode("utf-8", "replace").strip()
    except Exception:  # noqa: BLE001 - the body is only for the details
        text = ""
    return text or str(error.reason)


def _reference(answer: dict) -> str:
    for key in ("id", "message_id", "messageId", "ref"):
        value = answer.get(key)
        if isinstance(value, (str, int)) and str(value).strip():
            return str(value).strip()[:100]
    return ""


def http_timeout() -> float:
    return float(getattr(settings, "STEWARD_CHANNEL_HTTP_TIMEOUT", 10) or 10)


class SmsGatewayAdapter(ChannelAdapter):
    """An SMS gateway over HTTP: ``POST <STEWARD_SMS_GATEWAY_URL>`` with
    ``Authorization: Bearer <STEWARD_SMS_GATEWAY_TOKEN>`` and the JSON
    ``{"to": "13812345678", "text": "…", "client_ref": "steward-42", "purpose": "marketing"}``; the
    gateway answers JSON with its message id (``{"id": "…"}``) and later posts the delivery report
    to ``/api/v1/outbound-messages/receipts/``."""

    name = "gateway"
    has_receipts = True

    def __init__(self, url: str | None = None, token: str | None = None):
        self.url = url or getattr(settings, "STEWARD_SMS_GATEWAY_URL", "")
        self.token = token if token is not None else getattr(settings, "STEWARD_SMS_GATEWAY_TOKEN", "")
        if not self.url:
            raise ImproperlyConfigured("The SMS gateway adapter needs STEWARD_SMS_GATEWAY_URL.")

    def send(self, message) -> SendResult:
        answer = _post_json(
            self.url,
            {
                "to": message.address,
                "text": message.body,
                "client_ref": f"steward-{message.pk}",
                "purpose": message.purpose,
            },
            self.token,
            http_timeout(),
        )
        return SendResult(_reference(answer), SENT)


class PushWebhookAdapter(ChannelAdapter):
    """App push through a webhook: ``POST <STEWARD_PUSH_WEBHOOK_URL>`` (bearer
    ``STEWARD_PUSH_WEBHOOK_TOKEN`` if set) with ``{"to": "<app user>", "title": "…", "body": "…",
    "client_ref": "steward-42", "purpose": "service"}``; the answer's id, if any, is kept."""

    name = "webhook"

    def __init__(self, url: str | None = None, token: str | None = None):
        self.url = url or getattr(settings, "STEWARD_PUSH_WEBHOOK_URL", "")
        self.token = token if token is not None else getattr(settings, "STEWARD_PUSH_WEBHOOK_TOKEN", "")
        if not self.url:
            raise ImproperlyConfigured("The push webhook adapter needs STEWARD_PUSH_WEBHOOK_URL.")

    def send(self, message) -> SendResult:
        answer = _post_json(
            self.url,
            {
                "to": message.address,
                "title": message.subject,
                "body": message.body,
                "client_ref": f"steward-{message.pk}",
                "purpose": message.purpose,
            },
            self.token,
            http_timeout(),
        )
        return SendResult(_reference(answer) or f"steward-{message.pk}", SENT)


# --- e-mail ------------------------------------------------------------------------------------------


class EmailAdapter(ChannelAdapter):
    """E-mail through Django's e-mail backend (``EMAIL_BACKEND``, SMTP by default: ``EMAIL_HOST``,
    ``EMAIL_PORT`` …), from ``STEWARD_EMAIL_FROM`` (else ``DEFAULT_FROM_EMAIL``). The reference is
    the Message-ID. A refused recipient or a 5xx answer is permanent; a 4xx answer, a dropped
    connection or a time-out temporary."""

    name = "smtp"

    def send(self, message) -> SendResult:
        from django.core.mail import EmailMessage, get_connection

        sender = getattr(settings, "STEWARD_EMAIL_FROM", "") or settings.DEFAULT_FROM_EMAIL
        domain = sender.rpartition("@")[2].strip(">") or None
        message_id = make_msgid(idstring=f"steward{message.pk}", domain=domain)
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=sender,
            to=[message.address],
            headers={"Message-ID": message_id},
            connection=get_connection(fail_silently=False, timeout=http_timeout()),
        )
        try:
            email.send()
        except smtplib.SMTPRecipientsRefused as error:
            raise PermanentFailure(f"the mail server refused the recipient: {_smtp_detail(error)}") from error
        except smtplib.SMTPResponseException as error:
            detail = f"SMTP {error.smtp_code}: {_smtp_text(error.smtp_error)}"
            if 400 <= error.smtp_code < 500:
                raise TemporaryFailure(detail) from error
            raise PermanentFailure(detail) from error
        except (smtplib.SMTPException, OSError) as error:
            raise TemporaryFailure(f"the mail server could not be reached: {error}") from error
        return SendResult(message_id[:100], SENT)


def _smtp_text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _smtp_detail(error: smtplib.SMTPRecipientsRefused) -> str:
    return "; ".join(f"{code} {_smtp_text(text)}" for code, text in error.recipients.values())


# --- choosing ------------------------------------------------------------------------------------------

ADAPTERS = {
    "console": ConsoleAdapter,
    "gateway": SmsGatewayAdapter,
    "smtp": EmailAdapter,
    "webhook": PushWebhookAdapter,
}


def configured_names() -> dict[str, str]:
    """{channel: adapter name or dotted path} from STEWARD_CHANNEL_ADAPTERS (console if unset)."""
    names = dict(getattr(settings, "STEWARD_CHANNEL_ADAPTERS", {}) or {})
    return {channel: names.get(channel) or "console" for channel in ("sms", "email", "push")}


def adapter_for(channel: str) -> ChannelAdapter:
    name = configured_names().get(channel)
    if name is None:
        raise ImproperlyConfigured(f"No adapter for the channel {channel!r}.")
    adapter_class = ADAPTERS.get(name)
    if adapter_class is None:
        try:
            adapter_class = import_string(name)
        except ImportError as error:
            raise ImproperlyConfigured(
                f"STEWARD_CHANNEL_ADAPTERS[{channel!r}] = {name!r} is neither {', '.join(ADAPTERS)} "
                "nor the dotted path of an adapter class."
            ) from error
    return adapter_class()
