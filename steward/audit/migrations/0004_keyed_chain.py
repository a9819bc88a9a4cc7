"""The one sanctioned rewrite of the audit trail: from an unkeyed to a keyed chain (PLT-07).

Entries written before this migration were chained with plain SHA-256, which anyone with
write access to the table could recompute. This migration

1. verifies the old, unkeyed chain from the first entry to the head; if it is broken the
   migration stops (nothing is re-hashed, so the evidence stays as it is) unless the operator
   sets STEWARD_AUDIT_REKEY_BROKEN=1 after investigating, in which case the breaks are written
   into the entry of step 4;
2. removes note texts that entries recorded before notes were declared unrecordable
   (``CustomerNote.audit_redacted_fields``): the change stays, the text goes;
3. re-hashes every entry with HMAC-SHA256 under the signing key of STEWARD_AUDIT_KEYS
   (in DEBUG and tests a key derived from SECRET_KEY), recording the key id;
4. appends one entry, ``audit.chain_rekeyed``, naming how many entries were re-hashed, the
   old head's sequence number and unkeyed hash, and what step 1 and 2 found — so the moment
   the chain was re-keyed is itself in the keyed chain.

Hashing is spelled out here (not imported) so this migration keeps doing what it did when the
hash format changes later. An empty trail needs no key and is left as it is.
"""

import datetime as dt
import hashlib
import hmac
import json
import os

from django.db import migrations
from django.utils import timezone

GENESIS = "0" * 64
FIELDS = (
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
# What step 2 removes, as the models declared it when this migration was written.
REDACTED_FIELDS = {"customers.customernote": ("body",)}
REDACTED = "[not recorded]"
REDACTED_REPR = {"customers.customernote": "customer note #{id}"}
BATCH = 2000


def _canonical(values: dict, keyed: bool) -> bytes:
    names = (*FIELDS, "key_id") if keyed else FIELDS
    return json.dumps(
        {name: values[name] for name in names}, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    ).encode("utf-8")


def _values(row: dict) -> dict:
    values = {name: row[name] for name in FIELDS}
    values["timestamp"] = row["timestamp"].astimezone(dt.UTC).isoformat()
    return values


def _scrub(row: dict) -> bool:
    fields = REDACTED_FIELDS.get(row["object_type"])
    if not fields:
        return False
    changed = False
    changes = row["changes"] if isinstance(row["changes"], dict) else {}
    for name in fields:
        pair = changes.get(name)
        if isinstance(pair, list) and len(pair) == 2:
            scrubbed = [None if v is None else REDACTED for v in pair]
            if scrubbed != pair:
                changes[name] = scrubbed
                changed = True
    neutral = REDACTED_REPR[row["object_type"]].format(id=row["object_id"])
    if row["object_repr"] != neutral:
        row["object_repr"] = neutral
        changed = True
    return changed


def rekey(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    connection = schema_editor.connection
    if not AuditEntry.objects.exists():
        return
    from steward.audit.keys import keyring

    key_id, ring = keyring()
    key = ring[key_id]
    postgres = connection.vendor == "postgresql"
    table = AuditEntry._meta.db_table
    columns = [*FIELDS, "id", "hash"]

    # Step 1: the old chain, unkeyed.
    breaks, expected_seq, expected_prev, count = [], 1, GENESIS, 0
    old_head_seq, old_head_hash = 0, GENESIS
    for row in AuditEntry.objects.order_by("seq").values(*columns).iterator(chunk_size=BATCH):
        seq = row["seq"]
        if seq != expected_seq:
            breaks.append(f"#{expected_seq}–#{seq - 1} missing")
        elif row["prev_hash"] != expected_prev:
            breaks.append(f"#{seq} unlinked")
        if hashlib.sha256(_canonical(_values(row), keyed=False)).hexdigest() != row["hash"]:
            breaks.append(f"#{seq} altered")
        expected_seq, expected_prev = seq + 1, row["hash"]
        old_head_seq, old_head_hash = seq, row["hash"]
        count += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_seq, head.last_hash) != (old_head_seq, old_head_hash):
        breaks.append(f"head #{head.last_seq} does not name the last entry #{old_head_seq}")
    if breaks and os.environ.get("STEWARD_AUDIT_REKEY_BROKEN") != "1":
        listed = "; ".join(breaks[:20]) + (f"; … {len(breaks) - 20} more" if len(breaks) > 20 else "")
        raise RuntimeError(
            f"The audit chain is broken before it is re-keyed ({listed}). Investigate first (docs/audit.md); "
            "to re-key it anyway and record these breaks in the chain, set STEWARD_AUDIT_REKEY_BROKEN=1."
        )

    # Steps 2 and 3: scrub, re-hash, write back in batches.
    scrubbed = 0
    prev = GENESIS
    pending_hash, pending_content = [], []

    def flush(cursor):
        if pending_hash:
            cursor.executemany(f"UPDATE {table} SET prev_hash = %s, hash = %s, key_id = %s WHERE id = %s", pending_hash)
            pending_hash.clear()
        if pending_content:
            cast = "::jsonb" if postgres else ""
            cursor.executemany(
                f"UPDATE {table} SET changes = %s{cast}, object_repr = %s WHERE id = %s", pending_content
            )
            pending_content.clear()

    with connection.cursor() as cursor:
        if postgres:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER audit_entry_append_only")
        # Stored hashes are unique: move them all out of the way first.
        cursor.execute(f"UPDATE {table} SET hash = 'rekey-' || CAST(id AS VARCHAR(20))")
        for row in AuditEntry.objects.order_by("seq").values(*columns).iterator(chunk_size=BATCH):
            if _scrub(row):
                scrubbed += 1
                pending_content.append(
                    [json.dumps(row["changes"], ensure_ascii=False), row["object_repr"][:200], row["id"]]
                )
            row["prev_hash"] = prev
            values = _values(row)
            values["key_id"] = key_id
            prev = hmac.new(key, _canonical(values, keyed=True), hashlib.sha256).hexdigest()
            pending_hash.append([values["prev_hash"], prev, key_id, row["id"]])
            if len(pending_hash) >= BATCH:
                flush(cursor)
        flush(cursor)
        if postgres:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER audit_entry_append_only")

    # Step 4: the re-keying is itself recorded, in the keyed chain.
    message = (
        f"Audit chain re-keyed with key {key_id}: {count} entries re-hashed with HMAC-SHA256. "
        f"The unkeyed chain ended at #{old_head_seq} with hash {old_head_hash}; "
        + (f"it was broken: {'; '.join(breaks[:100])}. " if breaks else "it verified before re-keying. ")
        + f"Note texts removed from {scrubbed} entries."
    )
    values = {
        "seq": old_head_seq + 1,
        "timestamp": timezone.now(),
        "actor_id": None,
        "actor_repr": "",
        "action": "audit.chain_rekeyed",
        "object_type": "",
        "object_id": "",
        "object_repr": "",
        "changes": {},
        "ids": [],
        "message": message,
        "request_id": "",
        "ip_address": "",
        "source": "migration:audit.0004",
        "prev_hash": prev,
        "key_id": key_id,
    }
    hashed = dict(values, timestamp=values["timestamp"].astimezone(dt.UTC).isoformat())
    digest = hmac.new(key, _canonical(hashed, keyed=True), hashlib.sha256).hexdigest()
    AuditEntry.objects.bulk_create([AuditEntry(hash=digest, **values)])
    AuditChainHead.objects.update_or_create(pk=1, defaults={"last_seq": values["seq"], "last_hash": digest})


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_entry_key_id")]
    operations = [migrations.RunPython(rekey, migrations.RunPython.noop)]
