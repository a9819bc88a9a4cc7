"""Writing and checking the audit trail — PLT-07.

* `log_event(action, obj, ...)` — an explicit business or security event.
* Automatic change capture (signals.py) writes create/update/delete entries for every
  model of a Steward app with no per-model code.
* `bulk_operation(...)` — inside it, per-row entries are collected and written as one
  summary entry per batch of ids; services that use `update()`/`bulk_create()` call
  `log_bulk(...)` themselves.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from steward.audit import context as audit_context
from steward.audit import keys as audit_keys
from steward.audit.models import AuditChainHead, AuditEntry

BULK_BATCH = 1000
GENESIS = "0" * 64
# The text an entry stores instead of a field value its model declares unrecordable
# (``audit_redacted_fields``): the change is recorded, the text is not.
REDACTED = "[not recorded]"
HASHED_FIELDS = (
    "seq",
    "timestamp",
    "actor_id",
    "actor_repr",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "ids",
    "message",
    "request_id",
    "ip_address",
    "source",
    "prev_hash",
    "key_id",
)


def to_json_value(value):
    """A JSON-native, stable representation of a field value (for storage and hashing)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [to_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json_value(v) for k, v in value.items()}
    return str(value)


_encode = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode


def canonical(values: dict) -> bytes:
    """The bytes an entry's hash covers: its content, the previous hash and the key id
    (JSON, keys sorted, no spaces, UTF-8)."""
    return _encode({name: values[name] for name in HASHED_FIELDS}).encode("utf-8")


def entry_hash(values: dict, key: bytes | None = None) -> str:
    """HMAC-SHA256 of the entry's canonical content under the key its `key_id` names."""
    if key is None:
        _current, ring = audit_keys.keyring()
        key = ring[values["key_id"]]
    return hmac.new(key, canonical(values), hashlib.sha256).hexdigest()


def legacy_entry_hash(values: dict) -> str:
    """The unkeyed SHA-256 of entries written before the chain was keyed (migration 0004 only)."""
    legacy = {name: values[name] for name in HASHED_FIELDS if name != "key_id"}
    text = json.dumps(legacy, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def hash_input(entry) -> dict:
    """The hashed values of an entry (a model instance or anything with its attributes)."""
    return {
        "seq": entry.seq,
        "timestamp": entry.timestamp.astimezone(dt.UTC).isoformat(),
        "actor_id": entry.actor_id,
        "actor_repr": entry.actor_repr,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "changes": entry.changes,
        "ids": entry.ids,
        "message": entry.message,
        "request_id": entry.request_id,
        "ip_address": entry.ip_address,
        "source": entry.source,
        "prev_hash": entry.prev_hash,
        "key_id": entry.key_id,
    }


_hash_input = hash_input  # the former private name


@dataclass
class PendingEntry:
    action: str
    object_type: str = ""
    object_id: str = ""
    object_repr: str = ""
    changes: dict | None = None
    ids: list | None = None
    message: str = ""
    actor: object | None = None


def _append(pending: list[PendingEntry]) -> list[AuditEntry]:
    """Chain and store entries. The head row lock makes concurrent appends take turns."""
    if not pending:
        return []
    context = audit_context.current()
    default_actor = context.current_actor()
    now = timezone.now()
    key_id, ring = audit_keys.keyring()
    key = ring[key_id]
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            AuditChainHead.objects.get_or_create(pk=1)
            head = AuditChainHead.objects.select_for_update().get(pk=1)
        entries = []
        seq, prev = head.last_seq, head.last_hash
        for item in pending:
            actor = item.actor if item.actor is not None else default_actor
            seq += 1
            entry = AuditEntry(
                seq=seq,
                timestamp=now,
                actor_id=getattr(actor, "pk", None),
                actor_repr=str(actor)[:100] if actor is not None else "",
                action=item.action[:60],
                object_type=item.object_type[:60],
                object_id=str(item.object_id)[:64],
                object_repr=str(item.object_repr)[:200],
                changes=to_json_value(item.changes or {}),
                ids=to_json_value(item.ids or []),
                message=str(item.message),
                request_id=context.request_id[:64],
                ip_address=(context.ip_address or "")[:45],
                source=(context.source or "")[:60],
                prev_hash=prev,
                key_id=key_id,
            )
            entry.hash = entry_hash(hash_input(entry), key)
            prev = entry.hash
            entries.append(entry)
        AuditEntry.objects.bulk_create(entries, batch_size=500)
        AuditChainHead.objects.filter(pk=1).update(last_seq=seq, last_hash=prev)
    return entries


def object_type_of(obj_or_model) -> str:
    meta = obj_or_model._meta
    return f"{meta.app_label}.{meta.model_name}"


def log_event(
    action: str,
    obj=None,
    *,
    actor=None,
    message: str = "",
    changes: dict | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEntry:
    """Record one event, e.g. log_event("org.moved", org, changes={"parent": [old, new]})."""
    if obj is not None:
        object_type = object_type or object_type_of(obj)
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    return _append([PendingEntry(action, object_type, object_id, object_repr, changes, None, message, actor)])[0]


def log_bulk(
    action: str, model, ids, *, actor=None, message: str = "", changes: dict | None = None
) -> list[AuditEntry]:
    """One summary entry per batch of affected ids, never a row-by-row storm."""
    ids = list(ids)
    object_type = object_type_of(model)
    batches = [ids[i : i + BULK_BATCH] for i in range(0, len(ids), BULK_BATCH)] or [[]]
    return _append(
        [
            PendingEntry(
                action, object_type, "", f"{len(batch)} × {model._meta.verbose_name}", changes, batch, message, actor
            )
            for batch in batches
        ]
    )


@contextlib.contextmanager
def bulk_operation(message: str = ""):
    """Collect automatic per-row change entries inside; write batch summaries on the way out."""
    outer = audit_context.current()
    if outer.bulk_buffer is not None:  # already collecting
        yield
        return
    buffer: dict = {}
    context = audit_context.AuditContext(
        request=outer.request,
        actor=outer.actor,
        request_id=outer.request_id or uuid.uuid4().hex,
        ip_address=outer.ip_address,
        source=outer.source,
        bulk_buffer=buffer,
    )
    with audit_context.activate(context):
        yield
        for (action, model), ids in buffer.items():
            log_bulk(action, model, ids, message=message)


# ------------------------------------------------------------------------------------ verification

MAX_LISTED_BREAKS = 1000  # ranges kept for the report; any beyond are counted


@dataclass
class ChainBreak:
    """One break, or a run of consecutive entries broken the same way (first_seq–last_seq)."""

    kind: str  # missing | unlinked | altered | unknown_key | head | anchor
    first_seq: int
    last_seq: int
    reason: str

    def __str__(self) -> str:
        return self.reason


@dataclass
class ChainReport:
    checked: int = 0  # entries read
    verified: int = 0  # entries whose link and keyed hash hold
    breaks: list[ChainBreak] = field(default_factory=list)
    more_breaks: int = 0  # breaks beyond MAX_LISTED_BREAKS, counted only
    anchors_checked: int = 0
    last_seq: int = 0

    @property
    def ok(self) -> bool:
        return not self.breaks

    @property
    def break_count(self) -> int:
        return len(self.breaks) + self.more_breaks

    @property
    def broken_at(self) -> int | None:
        """The sequence number of the first break (None when the chain holds)."""
        return min((b.first_seq for b in self.breaks), default=None)

    @property
    def reason(self) -> str:
        first = min(self.breaks, key=lambda b: b.first_seq, default=None)
        return first.reason if first else ""

    def lines(self) -> list[str]:
        out = [b.reason for b in sorted(self.breaks, key=lambda b: (b.first_seq, b.kind))]
        if self.more_breaks:
            out.append(f"… and {self.more_breaks} more breaks not listed")
        return out


def _range(first: int, last: int) -> str:
    return f"#{first}" if first == last else f"#{first}–#{last}"


class _Breaks:
    """Collects breaks, merging consecutive entries broken the same way into one range."""

    def __init__(self, report: ChainReport):
        self.report = report
        self.open: dict[str, list[int]] = {}

    def add(self, kind: str, first: int, last: int | None = None) -> None:
        last = first if last is None else last
        run = self.open.get(kind)
        if run is not None and run[1] + 1 == first:
            run[1] = last
            return
        self._close(kind)
        self.open[kind] = [first, last]

    def _close(self, kind: str) -> None:
        run = self.open.pop(kind, None)
        if run is None:
            return
        noun = "entry" if run[0] == run[1] else "entries"
        if kind == "missing":
            text = f"{noun} {_range(*run)} {'is' if noun == 'entry' else 'are'} missing"
        elif kind == "unlinked":
            verb = "does not link" if noun == "entry" else "do not link"
            text = f"{noun} {_range(*run)}: {verb} to the entry before (inserted, moved or re-chained)"
        else:
            verb = "does not match its" if noun == "entry" else "do not match their"
            text = f"{noun} {_range(*run)}: {verb} keyed hash (altered, moved or forged)"
        self.other(kind, run[0], run[1], text)

    def other(self, kind: str, first: int, last: int, reason: str) -> None:
        if len(self.report.breaks) < MAX_LISTED_BREAKS:
            self.report.breaks.append(ChainBreak(kind, first, last, reason))
        else:
            self.report.more_breaks += 1

    def close_all(self) -> None:
        for kind in list(self.open):
            self._close(kind)


VERIFY_FIELDS = ("seq", "prev_hash", "hash", *[name for name in HASHED_FIELDS if name not in ("seq", "prev_hash")])


def verify_chain(chunk: int = 5000, anchors=None, progress=None) -> ChainReport:
    """Walk the whole chain in order and report every break in one run (PLT-07).

    Checks each entry's link to the one before it, its keyed hash (under the key its
    `key_id` names), gaps in the sequence, the chain-head row, and the anchors written
    outside the database (`anchors`: a list of steward.audit.anchors.Anchor; by default
    those of the configured file sinks). A rewrite of the whole table with a valid key
    still disagrees with the anchors written before it.
    """
    from steward.audit import anchors as audit_anchors

    report = ChainReport()
    breaks = _Breaks(report)
    _current, ring = audit_keys.keyring()
    macs = {key_id: hmac.new(key, digestmod=hashlib.sha256) for key_id, key in ring.items()}
    if anchors is None:
        anchors = audit_anchors.read_configured()
    anchored: dict[int, list] = {}
    for anchor in anchors:
        if anchor.seq > 0:
            anchored.setdefault(anchor.seq, []).append(anchor)

    expected_seq, expected_prev = 1, GENESIS
    last_hash = GENESIS
    rows = AuditEntry.objects.order_by("seq").values_list(*VERIFY_FIELDS)
    utc = dt.UTC
    encode = _encode
    hashed_names = VERIFY_FIELDS[3:]
    for row in rows.iterator(chunk_size=chunk):
        seq, prev_hash, stored = row[0], row[1], row[2]
        values = dict(zip(hashed_names, row[3:], strict=True))
        values["seq"], values["prev_hash"] = seq, prev_hash
        values["timestamp"] = values["timestamp"].astimezone(utc).isoformat()
        report.checked += 1
        good = True
        if seq != expected_seq:
            breaks.add("missing", expected_seq, seq - 1)
        elif prev_hash != expected_prev:
            breaks.add("unlinked", seq)
            good = False
        mac = macs.get(values["key_id"])
        if mac is None:
            breaks.other(
                "unknown_key",
                seq,
                seq,
                f"entry #{seq}: signed with key {values['key_id']!r}, which {audit_keys.ENV} does not list",
            )
            good = False
        else:
            mac = mac.copy()
            mac.update(encode(values).encode("utf-8"))
            if mac.hexdigest() != stored:
                breaks.add("altered", seq)
                good = False
        for anchor in anchored.get(seq, ()):
            report.anchors_checked += 1
            if anchor.hash != stored:
                breaks.other(
                    "anchor",
                    seq,
                    seq,
                    f"entry #{seq} differs from the anchor written at {anchor.at} (the chain was rewritten)",
                )
                good = False
        report.verified += good
        expected_seq, expected_prev, last_hash = seq + 1, stored, stored
        if progress is not None and report.checked % 100_000 == 0:
            progress(report.checked)
    breaks.close_all()
    last_seq = expected_seq - 1
    report.last_seq = last_seq

    for seq in sorted(s for s in anchored if s > last_seq):
        for anchor in anchored[seq]:
            report.anchors_checked += 1
            breaks.other(
                "anchor",
                seq,
                seq,
                f"entry #{seq} was anchored at {anchor.at}, but the chain ends at #{last_seq} (entries were removed)",
            )
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None:
        if head.last_seq > last_seq:
            breaks.other(
                "head",
                last_seq + 1,
                head.last_seq,
                f"entries {_range(last_seq + 1, head.last_seq)} are missing (the chain head is at #{head.last_seq})",
            )
        elif head.last_seq < last_seq:
            breaks.other(
                "head",
                head.last_seq + 1,
                last_seq,
                f"entries {_range(head.last_seq + 1, last_seq)} lie beyond the chain head "
                f"(#{head.last_seq}): written behind the application's back",
            )
        elif head.last_hash != last_hash:
            breaks.other("head", last_seq, last_seq, f"the chain head does not match entry #{last_seq}")
    return report
