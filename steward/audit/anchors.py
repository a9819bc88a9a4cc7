"""Anchoring the audit chain's head outside the database — PLT-07.

Once a day the job `audit.anchor_head` appends the head of the chain (sequence number, hash,
key id, time) to every configured append-only sink. `verify_audit` compares the chain with the
anchors it can read back, so a rewrite of the whole table — even one re-hashed with a valid
key — disagrees with the anchors written before it.

Sinks (setting AUDIT_ANCHOR_SINKS, from STEWARD_AUDIT_ANCHORS, comma-separated):

  file:/path/to/anchors.jsonl   one JSON line per anchor, appended (O_APPEND) and fsynced;
                                default var/audit-anchors.jsonl. Read back by verify_audit.
  syslog:/dev/log               one line to the local syslog socket (facility auth)
  syslog://host:514             one UDP syslog line to a remote collector
  https://…, http://…           a POST of the JSON anchor to a webhook (2xx expected)

Syslog and webhook anchors are kept by another system; pass a copy of them to
`verify_audit --anchors FILE` (lines holding the JSON anchor, e.g. the syslog file).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import logging.handlers
import os
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

SYSLOG_TAG = "steward-audit-anchor"
WEBHOOK_TIMEOUT = 10


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    key_id: str = ""
    at: str = ""  # when it was anchored (ISO 8601)
    entry_time: str = ""  # the anchored entry's own time
    source: str = ""  # where it was read from

    def as_dict(self) -> dict:
        return {
            "seq": self.seq,
            "hash": self.hash,
            "key_id": self.key_id,
            "at": self.at,
            "entry_time": self.entry_time,
        }


class AnchorError(Exception):
    """A sink refused or could not take the anchor."""


def default_sinks() -> list[str]:
    var = Path(getattr(settings, "VAR_DIR", Path(settings.BASE_DIR) / "var"))
    return [f"file:{var / 'audit-anchors.jsonl'}"]


def configured_sinks() -> list[str]:
    sinks = getattr(settings, "AUDIT_ANCHOR_SINKS", None)
    return default_sinks() if sinks is None else list(sinks)


def check_sink(sink: str) -> None:
    """Raise ImproperlyConfigured for a sink that is not understood."""
    if sink.startswith("file:") and len(sink) > len("file:"):
        return
    if sink.startswith("syslog:"):
        return
    parts = urlsplit(sink)
    if parts.scheme in ("http", "https") and parts.netloc:
        return
    raise ImproperlyConfigured(
        f"Audit anchor sink {sink!r}: use file:/path, syslog:/dev/log, syslog://host:port or an http(s) URL."
    )


# ------------------------------------------------------------------------------------ writing


def _write_file(path: str, line: str) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, (line + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_syslog(spec: str, line: str) -> None:
    rest = spec[len("syslog:") :]
    if rest.startswith("//"):
        parts = urlsplit("syslog:" + rest)
        address = (parts.hostname or "localhost", parts.port or 514)
        handler = logging.handlers.SysLogHandler(
            address=address, facility=logging.handlers.SysLogHandler.LOG_AUTH, socktype=socket.SOCK_DGRAM
        )
    else:
        handler = logging.handlers.SysLogHandler(
            address=rest or "/dev/log", facility=logging.handlers.SysLogHandler.LOG_AUTH
        )
    try:
        record = logging.LogRecord(SYSLOG_TAG, logging.INFO, __file__, 0, f"{SYSLOG_TAG}: {line}", None, None)
        handler.emit(record)
    finally:
        handler.close()


def _write_webhook(url: str, line: str) -> None:
    request = urllib.request.Request(
        url, data=line.encode("utf-8"), method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as response:  # noqa: S310 (configured URL)
            status = response.status
    except urllib.error.HTTPError as exc:
        raise AnchorError(f"the webhook {url} answered {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise AnchorError(f"the webhook {url} could not be reached: {exc}") from exc
    if not 200 <= status < 300:
        raise AnchorError(f"the webhook {url} answered {status}")


def write(anchor: Anchor, sinks: list[str] | None = None) -> list[str]:
    """Append the anchor to every sink; raise AnchorError naming each sink that failed."""
    sinks = configured_sinks() if sinks is None else sinks
    if not sinks:
        raise AnchorError("no anchor sink is configured (setting AUDIT_ANCHOR_SINKS, env STEWARD_AUDIT_ANCHORS)")
    line = json.dumps(anchor.as_dict(), sort_keys=True, separators=(",", ":"))
    failures = []
    for sink in sinks:
        check_sink(sink)
        try:
            if sink.startswith("file:"):
                _write_file(sink[len("file:") :], line)
            elif sink.startswith("syslog:"):
                _write_syslog(sink, line)
            else:
                _write_webhook(sink, line)
        except AnchorError as exc:
            failures.append(str(exc))
        except OSError as exc:
            failures.append(f"{sink}: {exc}")
    if failures:
        raise AnchorError("; ".join(failures))
    return sinks


def anchor_head(now=None, sinks: list[str] | None = None) -> Anchor:
    """Write the chain's current head to the sinks (the daily job). The head is checked first:
    the newest entry must match the chain-head row and its own keyed hash."""
    from steward.audit import keys as audit_keys
    from steward.audit.models import AuditChainHead, AuditEntry
    from steward.audit.services import entry_hash, hash_input

    now = now or timezone.now()
    newest = AuditEntry.objects.order_by("-seq").first()
    head = AuditChainHead.objects.filter(pk=1).first()
    if newest is None:
        anchor = Anchor(0, "0" * 64, "", now.isoformat(), "")
    else:
        _current, ring = audit_keys.keyring()
        key = ring.get(newest.key_id)
        if key is None or entry_hash(hash_input(newest), key) != newest.hash:
            raise AnchorError(f"entry #{newest.seq} does not match its keyed hash; not anchoring it")
        if head is None or head.last_seq != newest.seq or head.last_hash != newest.hash:
            raise AnchorError(f"the chain head does not name entry #{newest.seq}; not anchoring it")
        anchor = Anchor(
            newest.seq,
            newest.hash,
            newest.key_id,
            now.isoformat(),
            newest.timestamp.astimezone(dt.UTC).isoformat(),
        )
    write(anchor, sinks)
    return anchor


# ------------------------------------------------------------------------------------ reading


def parse_lines(lines, source: str = "") -> tuple[list[Anchor], int]:
    """Anchors found in lines holding one JSON anchor each (with any prefix, e.g. a syslog
    header); returns (anchors, lines that could not be read)."""
    anchors, unreadable = [], 0
    for raw in lines:
        line = raw.strip().strip("\x00").strip()  # syslog lines may end in a NUL
        if not line:
            continue
        start = line.find("{")
        try:
            data = json.loads(line[start:]) if start >= 0 else None
            anchor = Anchor(
                int(data["seq"]),
                str(data["hash"]),
                str(data.get("key_id", "")),
                str(data.get("at", "")),
                str(data.get("entry_time", "")),
                source,
            )
        except (ValueError, TypeError, KeyError):
            unreadable += 1
            continue
        anchors.append(anchor)
    return anchors, unreadable


def read_file(path: str) -> list[Anchor]:
    target = Path(path)
    if not target.exists():
        return []
    with target.open(encoding="utf-8") as handle:
        anchors, _bad = parse_lines(handle, str(target))
    return anchors


def read_configured() -> list[Anchor]:
    """The anchors of every configured file sink (syslog and webhooks cannot be read back)."""
    anchors = []
    for sink in configured_sinks():
        if sink.startswith("file:"):
            anchors.extend(read_file(sink[len("file:") :]))
    return anchors
