# The PostgreSQL triggers that refuse TRUNCATE on the audit tables (migration 0005).
TRUNCATE_TRIGGERS = (
    ("audit_auditentry", "audit_entry_no_truncate"),
    ("audit_auditchainhead", "audit_head_no_truncate"),
)
