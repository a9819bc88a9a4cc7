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
import json
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from steward.audit import context as audit_context
from steward.audit.models import AuditChainHead, AuditEntry

BULK_BATCH = 1000
GENESIS = "0" * 64
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


def entry_hash(values: dict) -> str:
    canonical = json.dumps(
        {name: values[name] for name in HASHED_FIELDS},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _hash_input(entry: AuditEntry) -> dict:
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
    }


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
            )
            entry.hash = entry_hash(_hash_input(entry))
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


@dataclass
class ChainReport:
    checked: int
    broken_at: int | None = None  # seq of the first bad entry
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(chunk: int = 5000) -> ChainReport:
    """Walk the chain in order; report the first entry whose link or content does not hold."""
    expected_prev, expected_seq, checked = GENESIS, 1, 0
    last_seq = 0
    queryset = AuditEntry.objects.order_by("seq")
    for entry in queryset.iterator(chunk_size=chunk):
        if entry.seq != expected_seq:
            return ChainReport(checked, entry.seq, f"entry #{expected_seq} is missing (next found: #{entry.seq})")
        if entry.prev_hash != expected_prev:
            return ChainReport(checked, entry.seq, f"entry #{entry.seq} does not link to the entry before it")
        if entry_hash(_hash_input(entry)) != entry.hash:
            return ChainReport(checked, entry.seq, f"entry #{entry.seq} was altered after it was written")
        expected_prev, expected_seq, last_seq = entry.hash, entry.seq + 1, entry.seq
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_seq != last_seq:
        return ChainReport(checked, last_seq + 1, f"entries after #{last_seq} are missing (head is #{head.last_seq})")
    return ChainReport(checked)
