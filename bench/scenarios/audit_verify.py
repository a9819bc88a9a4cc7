"""Audit-chain verification at scale (issue 11, PLT-07): how fast `verify_audit` walks a keyed chain.

BENCH_AUDIT_ENTRIES entries (default 10,000; the issue asks for 1,000,000) are added to the
trail with valid keyed hashes in the setup — computed in Python with the project's own hash
function, then written set-based (`COPY … FROM STDIN` on PostgreSQL, batched INSERTs on
SQLite), never through the ORM one by one — and the chain head is moved to the last of them.
The tables are settled (VACUUM ANALYZE), then the whole chain is verified, with one anchor to
compare, as the nightly job does. The figure to read is entries per second from the median.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import time

from bench.registry import scenario

NOT_HTTP = (None,)
COLUMNS = (
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
    "hash",
    "key_id",
)
ACTIONS = (
    ("update", "customers.customer", {"risk_level": ["R2", "R3"], "mobile": ["138****5678", "139****1234"]}),
    ("create", "org.org", {"name": [None, "某某支行"], "code": [None, "B0001"]}),
    ("auth.login", "org.employee", {}),
    ("export", "customers.customer", {"filters": {"q": "张"}}),
    ("update", "customers.customernote", {"body": ["[not recorded]", "[not recorded]"]}),
)


def _rows(count: int, start_seq: int, prev: str, key_id: str, key: bytes, actor_ids: list[int]):
    """Yield (row tuple, hash) for `count` chained entries after `start_seq`/`prev`."""
    from steward.audit.services import canonical

    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    mac = hmac.new(key, digestmod=hashlib.sha256)
    for i in range(count):
        seq = start_seq + 1 + i
        action, object_type, changes = ACTIONS[i % len(ACTIONS)]
        timestamp = base + dt.timedelta(seconds=i * 7, microseconds=i % 1_000_000)
        actor_id = actor_ids[i % len(actor_ids)]
        ids = list(range(i, i + 50)) if action == "export" else []
        values = {
            "seq": seq,
            "timestamp": timestamp.isoformat(),
            "actor_id": actor_id,
            "actor_repr": f"员工{actor_id}" if actor_id else "",
            "action": action,
            "object_type": object_type,
            "object_id": str(100_000 + i),
            "object_repr": f"记录 {100_000 + i}",
            "changes": changes,
            "ids": ids,
            "message": "" if i % 3 else "bench entry",
            "request_id": f"{i:032x}",
            "ip_address": f"10.0.{i % 250}.{i % 200}",
            "source": "web",
            "prev_hash": prev,
            "key_id": key_id,
        }
        digest = mac.copy()
        digest.update(canonical(values))
        prev = digest.hexdigest()
        row = (
            seq,
            timestamp,
            actor_id,
            values["actor_repr"],
            action,
            object_type,
            values["object_id"],
            values["object_repr"],
            json.dumps(changes, ensure_ascii=False),
            json.dumps(ids),
            values["message"],
            values["request_id"],
            values["ip_address"],
            "web",
            values["prev_hash"],
            prev,
            key_id,
        )
        yield row, prev


def load_chain(count: int) -> tuple[int, float, float]:
    """Append `count` keyed entries set-based; returns (last seq, seconds hashing+writing, seconds settling)."""
    from django.db import connection, transaction

    from bench.database import settle_tables
    from steward.audit import keys as audit_keys
    from steward.audit.models import AuditChainHead, AuditEntry
    from steward.org.models import Employee

    key_id, ring = audit_keys.keyring()
    newest = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first() or (0, "0" * 64)
    actor_ids = list(Employee.objects.values_list("pk", flat=True)[:200]) or [None]
    started = time.perf_counter()
    last_seq, last_hash = newest
    table = AuditEntry._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        rows = _rows(count, newest[0], newest[1], key_id, ring[key_id], actor_ids)
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row, digest in rows:
                    copy.write_row(row)
                    last_seq, last_hash = row[0], digest
        else:
            sql = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
            batch = []
            for row, digest in rows:
                batch.append(row)
                last_seq, last_hash = row[0], digest
                if len(batch) >= 10_000:
                    cursor.executemany(sql, batch)
                    batch.clear()
            if batch:
                cursor.executemany(sql, batch)
        AuditChainHead.objects.filter(pk=1).update(last_seq=last_seq, last_hash=last_hash)
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    settle_tables()
    return last_seq, loaded, time.perf_counter() - started


@scenario("audit-verify", "Audit chain: verify_audit over N keyed entries (BENCH_AUDIT_ENTRIES, default 10,000)")
def audit_verify(ctx):
    from steward.audit.anchors import Anchor
    from steward.audit.models import AuditEntry
    from steward.audit.services import log_event, verify_chain

    count = int(os.environ.get("BENCH_AUDIT_ENTRIES", "10000"))
    log_event("bench.start")  # the chain has a head row before the set-based load
    last_seq, load_seconds, settle_seconds = load_chain(count)
    total = AuditEntry.objects.count()
    ctx.check(total >= count, f"expected at least {count:,} entries, found {total:,}")
    newest = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").get(seq=last_seq)
    anchors = [Anchor(newest[0], newest[1], at="bench")]

    reports = []

    def verify(_):
        report = verify_chain(anchors=anchors)
        reports.append(report)
        return None

    measurement = ctx.measure(f"verify_chain: {total:,} entries, 1 anchor", verify, expect_status=NOT_HTTP)
    report = reports[-1]
    ctx.check(report.ok, f"the loaded chain must verify: {report.lines()[:5]}")
    ctx.check(report.checked == total, f"verified {report.checked:,} of {total:,} entries")
    ctx.check(report.anchors_checked == 1, "the anchor must be compared")
    rate = total / (measurement.median_ms / 1000)
    ctx.note(
        f"{total:,} entries verified in {measurement.median_ms / 1000:.1f} s (median): {rate:,.0f} entries/s. "
        f"Setup: hashing and writing {count:,} entries set-based took {load_seconds:.1f} s "
        f"({count / load_seconds:,.0f} entries/s), settling {settle_seconds:.1f} s."
    )
