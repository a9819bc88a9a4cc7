"""On PostgreSQL the database refuses TRUNCATE of the audit tables and lets the chain head
only move forward (PLT-07).

* TRUNCATE skips row triggers, so statement triggers refuse it on both audit tables.
* The single chain-head row may not be deleted; a second one may not be inserted; an update
  must move it forward (a higher sequence number) to the newest entry, with that entry's hash.
  The row can therefore never be wound back to hide removed entries, nor point at a forgery
  that is not the newest entry.
"""

from django.db import migrations

FORBID = """
CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION steward_audit_append_only();

CREATE OR REPLACE FUNCTION steward_audit_head_forward() RETURNS trigger AS $$
DECLARE
    newest_seq bigint;
    newest_hash varchar;
BEGIN
    IF TG_OP = 'TRUNCATE' OR TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'The audit chain head cannot be removed';
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM audit_auditchainhead) THEN
            RAISE EXCEPTION 'The audit trail has one chain head';
        END IF;
    ELSE
        IF NEW.id <> OLD.id OR NEW.last_seq <= OLD.last_seq THEN
            RAISE EXCEPTION 'The audit chain head only moves forward (from #% to #%)', OLD.last_seq, NEW.last_seq;
        END IF;
    END IF;
    SELECT seq, hash INTO newest_seq, newest_hash FROM audit_auditentry ORDER BY seq DESC LIMIT 1;
    IF newest_seq IS NULL AND NEW.last_seq = 0 AND NEW.last_hash = repeat('0', 64) THEN
        RETURN NEW;
    END IF;
    IF newest_seq IS DISTINCT FROM NEW.last_seq OR newest_hash IS DISTINCT FROM NEW.last_hash THEN
        RAISE EXCEPTION 'The audit chain head must name the newest entry (#%)', newest_seq;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_head_forward BEFORE INSERT OR UPDATE OR DELETE ON audit_auditchainhead
    FOR EACH ROW EXECUTE FUNCTION steward_audit_head_forward();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_auditchainhead
    FOR EACH STATEMENT EXECUTE FUNCTION steward_audit_head_forward();
"""
ALLOW = """
DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_auditchainhead;
DROP TRIGGER IF EXISTS audit_head_forward ON audit_auditchainhead;
DROP FUNCTION IF EXISTS steward_audit_head_forward();
DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_auditentry;
"""


def forbid(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORBID, params=None)


def allow(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ALLOW)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_keyed_chain")]
    operations = [migrations.RunPython(forbid, allow)]
