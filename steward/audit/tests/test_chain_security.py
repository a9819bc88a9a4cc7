"""PLT-07: the audit chain cannot be re-forged.

The chain is keyed (HMAC under STEWARD_AUDIT_KEYS, outside the database); verification reports
every break in one run; the head is anchored outside the database so a rewrite of the whole
table is detected; PostgreSQL refuses TRUNCATE and keeps the chain-head row moving forward.
"""

import base64
import importlib
import json
import os
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from steward.audit import anchors as audit_anchors
from steward.audit import keys as audit_keys
from steward.audit.models import AuditChainHead, AuditEntry
from steward.audit.services import GENESIS, entry_hash, hash_input, legacy_entry_hash, log_event, verify_chain
from steward.jobs import services as job_services
from steward.jobs.models import JobRun

POSTGRES_ONLY = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the refusing triggers exist on PostgreSQL only"
)


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


@pytest.fixture(autouse=True)
def _fresh_keyring():
    audit_keys.keyring.cache_clear()
    yield
    audit_keys.keyring.cache_clear()


@pytest.fixture
def anchor_file(tmp_path, settings):
    path = tmp_path / "anchors.jsonl"
    settings.AUDIT_ANCHOR_SINKS = [f"file:{path}"]
    return path


def _sql(statement, params=()):
    """Someone with database access, behind the application's back (row triggers switched off
    on PostgreSQL, as the table's owner could)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
            cursor.execute("ALTER TABLE audit_auditchainhead DISABLE TRIGGER audit_head_forward")
        cursor.execute(statement, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only")
            cursor.execute("ALTER TABLE audit_auditchainhead ENABLE TRIGGER audit_head_forward")


def _rechain(hasher):
    """Re-hash every entry in order with `hasher(values)` and move the head: a re-forged chain."""
    prev = GENESIS
    for entry in AuditEntry.objects.order_by("seq"):
        entry.prev_hash = prev
        digest = hasher(hash_input(entry))
        _sql("UPDATE audit_auditentry SET prev_hash = %s, hash = %s WHERE id = %s", [prev, digest, entry.pk])
        prev = digest
        last = entry.seq
    _sql("UPDATE audit_auditchainhead SET last_seq = %s, last_hash = %s WHERE id = 1", [last, prev])


def _events(n, bank):
    return [log_event("test.event", bank.head, message=f"event {i}") for i in range(n)]


def test_entries_are_hashed_with_a_key_and_record_its_id(bank):
    """PLT-07: the hash is an HMAC under the configured key, not a hash anyone can recompute."""
    entry = log_event("test.event", bank.head)
    key_id, ring = audit_keys.keyring()
    assert entry.key_id == key_id
    assert entry.hash == entry_hash(hash_input(entry), ring[key_id])
    assert entry.hash != legacy_entry_hash(hash_input(entry))


def test_a_chain_re_forged_without_the_key_fails_verification(bank):
    """PLT-07: edit one entry, delete another, re-hash the whole chain as the old code did (and
    with a guessed key) and move the head: verify_audit still fails."""
    entries = _events(5, bank)
    _sql("UPDATE audit_auditentry SET message = 'forged' WHERE id = %s", [entries[1].pk])
    _sql("DELETE FROM audit_auditentry WHERE id = %s", [entries[3].pk])
    _sql("UPDATE audit_auditentry SET seq = seq - 1 WHERE seq > %s", [entries[3].seq])

    _rechain(legacy_entry_hash)
    with pytest.raises(CommandError, match="broken"):
        call_command("verify_audit")

    _rechain(lambda values: entry_hash(values, b"guessed key, not the bank's key"))
    report = verify_chain()
    assert not report.ok
    assert report.broken_at == 1  # every entry fails its keyed hash, from the first
    assert report.verified == 0


def test_every_break_is_reported_in_one_run(bank, capsys, anchor_file):
    """PLT-07: an altered, a missing and two reordered entries, and a rewritten tail are all named."""
    entries = _events(12, bank)
    call_command("verify_audit")
    audit_anchors.anchor_head()  # anchors the last of the 12
    last = entries[-1]
    seqs = [e.seq for e in entries]

    _sql("UPDATE audit_auditentry SET message = 'altered' WHERE id = %s", [entries[2].pk])
    _sql("DELETE FROM audit_auditentry WHERE id = %s", [entries[5].pk])
    # Reorder #8 and #9 (through a free number: seq is unique).
    _sql("UPDATE audit_auditentry SET seq = -1 WHERE id = %s", [entries[7].pk])
    _sql("UPDATE audit_auditentry SET seq = %s WHERE id = %s", [seqs[7], entries[8].pk])
    _sql("UPDATE audit_auditentry SET seq = %s WHERE id = %s", [seqs[8], entries[7].pk])
    # Rewrite the tail with the bank's own key (an insider holding it): only the anchor tells.
    key_id, ring = audit_keys.keyring()
    tail = AuditEntry.objects.get(pk=last.pk)
    tail.message = "rewritten"
    forged = entry_hash(hash_input(tail), ring[key_id])
    _sql("UPDATE audit_auditentry SET message = 'rewritten', hash = %s WHERE id = %s", [forged, last.pk])
    _sql("UPDATE audit_auditchainhead SET last_hash = %s WHERE id = 1", [forged])

    with pytest.raises(CommandError) as failure:
        call_command("verify_audit")

    out = capsys.readouterr().out
    assert f"entry #{seqs[2]}: does not match its keyed hash" in out
    assert f"entry #{seqs[5]} is missing" in out
    assert f"entries #{seqs[7]}–#{seqs[8]}: do not match their keyed hash" in out
    # Swapped: each of the two, and the entry after them, links to the wrong predecessor.
    assert f"entries #{seqs[7]}–#{seqs[9]}: do not link to the entry before" in out
    assert f"entry #{last.seq} differs from the anchor" in out
    assert "5 breaks in all" in str(failure.value)
    assert f"broken at entry #{seqs[2]}" in str(failure.value)


def test_removing_the_tail_after_an_anchor_is_detected(bank, anchor_file):
    """PLT-07: entries anchored yesterday and deleted today, head wound back: the anchor names them."""
    entries = _events(4, bank)
    audit_anchors.anchor_head()
    _sql("DELETE FROM audit_auditentry WHERE seq >= %s", [entries[2].seq])
    _sql(
        "UPDATE audit_auditchainhead SET last_seq = %s, last_hash = %s WHERE id = 1", [entries[1].seq, entries[1].hash]
    )

    report = verify_chain()

    assert [b.kind for b in report.breaks] == ["anchor"]
    assert f"entry #{entries[3].seq} was anchored at" in report.reason
    assert f"the chain ends at #{entries[1].seq}" in report.reason


def test_the_scheduled_verification_records_every_break(bank):
    """PLT-07: the job audit.verify_chain fails its run and lists each break, with their count."""
    entries = _events(6, bank)
    _sql("UPDATE audit_auditentry SET message = 'x' WHERE id = %s", [entries[1].pk])
    _sql("UPDATE audit_auditentry SET message = 'y' WHERE id = %s", [entries[4].pk])

    run = job_services.execute_job("audit.verify_chain")

    assert run.status == JobRun.Status.FAILED
    assert run.counts["breaks"] == 2 and run.counts["broken_at"] == entries[1].seq
    assert f"entry #{entries[1].seq}: does not match" in run.error
    assert f"entry #{entries[4].seq}: does not match" in run.error


def test_rotating_the_key_keeps_old_entries_verifiable(bank, monkeypatch):
    """PLT-07: entries record their key id; after rotation old entries verify with the old key,
    and a key removed from the list makes its entries fail verification with a clear reason."""
    old, new = _key(), _key()
    monkeypatch.setenv("STEWARD_AUDIT_KEYS", f"a1:{old}")
    audit_keys.keyring.cache_clear()
    first = log_event("test.before_rotation", bank.head)

    monkeypatch.setenv("STEWARD_AUDIT_KEYS", f"a2:{new},a1:{old}")
    audit_keys.keyring.cache_clear()
    second = log_event("test.after_rotation", bank.head)
    assert (first.key_id, second.key_id) == ("a1", "a2")
    report = verify_chain()
    assert [b.reason for b in report.breaks if b.first_seq >= first.seq] == []

    monkeypatch.setenv("STEWARD_AUDIT_KEYS", f"a2:{new}")
    audit_keys.keyring.cache_clear()
    reasons = [b.reason for b in verify_chain().breaks]
    assert f"entry #{first.seq}: signed with key 'a1', which STEWARD_AUDIT_KEYS does not list" in reasons


def test_production_refuses_to_run_without_the_audit_key(settings, monkeypatch):
    """PLT-07: without STEWARD_AUDIT_KEYS production neither writes nor verifies, and check --deploy says so."""
    from steward.audit.checks import audit_keys_configured

    monkeypatch.delenv("STEWARD_AUDIT_KEYS", raising=False)
    settings.DEBUG, settings.TESTING = False, False
    audit_keys.keyring.cache_clear()
    with pytest.raises(ImproperlyConfigured, match="STEWARD_AUDIT_KEYS must be set"):
        audit_keys.keyring()
    assert [e.id for e in audit_keys_configured()] == ["steward.E701"]
    monkeypatch.setenv("STEWARD_AUDIT_KEYS", "a1:not-base64!")
    assert [e.id for e in audit_keys_configured()] == ["steward.E702"]
    monkeypatch.setenv("STEWARD_AUDIT_KEYS", f"a1:{_key()}")
    assert audit_keys_configured() == []


# ---------------------------------------------------------------------------------- anchors


def test_the_daily_job_appends_the_head_to_a_file_and_verification_reads_it(bank, anchor_file):
    """PLT-07: audit.anchor_head appends (seq, hash, time) lines; verify_audit compares with them."""
    log_event("test.event", bank.head)
    run = job_services.execute_job("audit.anchor_head")
    assert run.status == JobRun.Status.SUCCEEDED, run.error
    log_event("test.event", bank.head)
    job_services.execute_job("audit.anchor_head")

    lines = [json.loads(line) for line in anchor_file.read_text().splitlines()]
    assert len(lines) == 2 and lines[0]["seq"] < lines[1]["seq"]
    anchored = AuditEntry.objects.get(seq=lines[1]["seq"])
    assert lines[1]["hash"] == anchored.hash and lines[1]["at"]
    report = verify_chain()
    assert report.ok and report.anchors_checked == 2


def test_a_whole_table_rewritten_with_the_key_disagrees_with_the_anchors(bank, anchor_file):
    """PLT-07: an insider with the key re-forges every entry (valid keyed hashes, head moved):
    the chain checks out on its own, but not against yesterday's anchor."""
    entries = _events(3, bank)
    audit_anchors.anchor_head()
    _sql("UPDATE audit_auditentry SET message = 'rewritten' WHERE id = %s", [entries[0].pk])
    key_id, ring = audit_keys.keyring()
    _rechain(lambda values: entry_hash(values, ring[values["key_id"]]))

    assert verify_chain(anchors=[]).ok  # the chain alone is consistent …
    report = verify_chain()  # … the anchor is not
    assert [b.kind for b in report.breaks] == ["anchor"]
    assert "the chain was rewritten" in report.reason
    with pytest.raises(CommandError, match="anchor"):
        call_command("verify_audit")


def test_verify_audit_reads_anchors_kept_elsewhere(bank, tmp_path, settings, capsys):
    """PLT-07: anchors kept by syslog or a webhook receiver are compared with --anchors FILE."""
    settings.AUDIT_ANCHOR_SINKS = []
    entries = _events(2, bank)
    copy = tmp_path / "syslog-copy.log"
    copy.write_text(
        f'Dec  4 02:50:00 host steward-audit-anchor: {{"seq": {entries[1].seq}, "hash": "{"a" * 64}", "at": "x"}}\n'
        "an unrelated line\n"
    )
    with pytest.raises(CommandError, match="anchor"):
        call_command("verify_audit", "--anchors", str(copy))


def test_the_head_is_anchored_to_a_webhook_on_a_real_local_server(bank, settings):
    """PLT-07: the anchor is POSTed as JSON to the configured webhook (a real HTTP server here)."""
    received = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        settings.AUDIT_ANCHOR_SINKS = [f"http://127.0.0.1:{server.server_port}/anchors"]
        entry = log_event("test.event", bank.head)
        run = job_services.execute_job("audit.anchor_head")
    finally:
        server.shutdown()
        server.server_close()
    assert run.status == JobRun.Status.SUCCEEDED, run.error
    assert received == [
        {
            "seq": entry.seq,
            "hash": entry.hash,
            "key_id": entry.key_id,
            "at": received[0]["at"],
            "entry_time": received[0]["entry_time"],
        }
    ]


def test_a_webhook_that_refuses_fails_the_run(bank, settings):
    """PLT-07: an anchor that was not taken is a failed run, not a silent success."""

    class Refuser(BaseHTTPRequestHandler):
        def do_POST(self):
            self.send_response(500)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Refuser)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings.AUDIT_ANCHOR_SINKS = [f"http://127.0.0.1:{server.server_port}/"]
        log_event("test.event", bank.head)
        run = job_services.execute_job("audit.anchor_head")
    finally:
        server.shutdown()
        server.server_close()
    assert run.status == JobRun.Status.FAILED
    assert "answered 500" in run.error


def test_the_head_is_anchored_to_syslog(bank, settings):
    """PLT-07: one syslog line (UDP, a real socket here) carries the anchor."""
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", 0))
    receiver.settimeout(5)
    try:
        settings.AUDIT_ANCHOR_SINKS = [f"syslog://127.0.0.1:{receiver.getsockname()[1]}"]
        entry = log_event("test.event", bank.head)
        audit_anchors.anchor_head()
        line = receiver.recv(4096).decode()
    finally:
        receiver.close()
    assert "steward-audit-anchor:" in line
    anchors, _bad = audit_anchors.parse_lines([line])
    assert (anchors[0].seq, anchors[0].hash) == (entry.seq, entry.hash)


def test_a_forged_head_is_not_anchored(bank, anchor_file):
    """PLT-07: the job refuses to anchor a newest entry that fails its keyed hash."""
    entry = log_event("test.event", bank.head)
    _sql("UPDATE audit_auditentry SET message = 'forged' WHERE id = %s", [entry.pk])
    with pytest.raises(audit_anchors.AnchorError, match="does not match its keyed hash"):
        audit_anchors.anchor_head()
    assert not anchor_file.exists()


# ---------------------------------------------------------------------------------- migration


def _legacy_chain(rows):
    """An old installation's trail: entries as the code before the keyed chain wrote them
    (unkeyed SHA-256, no key id)."""
    from django.utils import timezone

    _sql("DELETE FROM audit_auditentry")
    _sql("DELETE FROM audit_auditchainhead")
    prev, now, made = GENESIS, timezone.now(), []
    for seq, (action, object_type, object_id, object_repr, changes) in enumerate(rows, start=1):
        entry = AuditEntry(
            seq=seq,
            timestamp=now,
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr,
            changes=changes,
            ids=[],
            prev_hash=prev,
            key_id="",
        )
        entry.hash = prev = legacy_entry_hash(hash_input(entry))
        made.append(entry)
    AuditEntry.objects.bulk_create(made)
    AuditChainHead.objects.update_or_create(pk=1, defaults={"last_seq": len(made), "last_hash": prev})
    return made


class _Editor:
    def __init__(self):
        self.connection = connection


def _migration():
    return importlib.import_module("steward.audit.migrations.0004_keyed_chain")


LEGACY_ROWS = [
    ("create", "org.org", "1", "总行", {"name": [None, "总行"]}),
    (
        "create",
        "customers.customernote",
        "7",
        "3: 私人备注原文",
        {"body": [None, "私人备注原文"], "is_private": [None, True]},
    ),
    ("update", "customers.customernote", "7", "3: 私人备注原文", {"body": ["私人备注原文", "改写后的原文"]}),
]


def test_the_migration_re_keys_an_intact_legacy_chain_and_removes_note_texts(db):
    """PLT-07/CUS-11: the one sanctioned re-hash: the old chain is verified, note texts removed,
    every entry re-hashed under the key, and the re-keying recorded in the keyed chain."""
    legacy = _legacy_chain(LEGACY_ROWS)
    assert not verify_chain(anchors=[]).ok  # unkeyed entries do not verify as keyed ones

    from django.apps import apps

    _migration().rekey(apps, _Editor())

    report = verify_chain(anchors=[])
    assert report.ok, report.lines()
    rekeyed = AuditEntry.objects.get(action="audit.chain_rekeyed")
    assert f"The unkeyed chain ended at #3 with hash {legacy[-1].hash}" in rekeyed.message
    assert "it verified before re-keying" in rekeyed.message and "Note texts removed from 2 entries" in rekeyed.message
    stored = " ".join(str(e.changes) + e.object_repr for e in AuditEntry.objects.all())
    assert "私人备注原文" not in stored and "改写后的原文" not in stored
    assert AuditEntry.objects.get(seq=3).changes == {"body": ["[not recorded]", "[not recorded]"]}
    assert AuditEntry.objects.get(seq=2).object_repr == "customer note #7"
    assert set(AuditEntry.objects.values_list("key_id", flat=True)) == {audit_keys.keyring()[0]}


def test_the_migration_refuses_to_re_key_a_broken_legacy_chain(db, monkeypatch):
    """PLT-07: re-keying a tampered chain would launder it: the migration stops, changing nothing,
    unless the operator explicitly accepts it — then the breaks are written into the chain."""
    from django.apps import apps

    legacy = _legacy_chain(LEGACY_ROWS)
    _sql("UPDATE audit_auditentry SET object_repr = '改过' WHERE id = %s", [legacy[0].pk])
    with pytest.raises(RuntimeError, match=r"broken before it is re-keyed \(#1 altered\)"):
        _migration().rekey(apps, _Editor())
    assert AuditEntry.objects.get(seq=2).hash == legacy[1].hash

    monkeypatch.setenv("STEWARD_AUDIT_REKEY_BROKEN", "1")
    _migration().rekey(apps, _Editor())
    assert "it was broken: #1 altered" in AuditEntry.objects.get(action="audit.chain_rekeyed").message
    assert verify_chain(anchors=[]).ok


# ---------------------------------------------------------------------------------- PostgreSQL


@POSTGRES_ONLY
def test_postgresql_refuses_to_truncate_the_audit_tables(bank):
    """PLT-07: TRUNCATE skips row triggers; statement triggers refuse it on both tables."""
    log_event("test.event", bank.head)
    for table in ("audit_auditentry", "audit_auditchainhead"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {table} CASCADE")
    assert AuditEntry.objects.exists() and AuditChainHead.objects.exists()


@POSTGRES_ONLY
def test_postgresql_lets_the_chain_head_only_move_forward_to_the_newest_entry(bank):
    """PLT-07: the head row cannot be wound back, pointed elsewhere, deleted or duplicated."""
    entries = _events(3, bank)
    head = AuditChainHead.objects.get(pk=1)
    assert (head.last_seq, head.last_hash) == (entries[-1].seq, entries[-1].hash)
    attempts = [
        (
            "UPDATE audit_auditchainhead SET last_seq = %s, last_hash = %s WHERE id = 1",
            [entries[0].seq, entries[0].hash],
        ),
        ("UPDATE audit_auditchainhead SET last_hash = %s WHERE id = 1", ["f" * 64]),
        ("UPDATE audit_auditchainhead SET last_seq = last_seq + 5 WHERE id = 1", []),
        ("DELETE FROM audit_auditchainhead", []),
        ("INSERT INTO audit_auditchainhead (id, last_seq, last_hash) VALUES (2, 0, %s)", [GENESIS]),
    ]
    for statement, params in attempts:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, params)
    head.refresh_from_db()
    assert (head.last_seq, head.last_hash) == (entries[-1].seq, entries[-1].hash)
    nxt = log_event("test.event", bank.head)  # the application still moves it forward
    head.refresh_from_db()
    assert (head.last_seq, head.last_hash) == (nxt.seq, nxt.hash)
