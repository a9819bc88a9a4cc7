"""Room on the customers' pages for updates in place (PostgreSQL only).

Every day's contacts move customers' `last_contact_at` (the end-of-day call matching alone touches
hundreds of thousands of customers at 1,000,000) and the intake rewrites master data. With free
room on the page and no indexed column changed, PostgreSQL updates the row in place (a HOT update)
instead of writing a new version into each of the table's 18 indexes: at 1,000,000 customers the
call matching's last-contact step went from 91.8 s to 20.4 s (docs/benchmarks.md, `calls`).
Existing pages keep their fill until rewritten (VACUUM FULL, or a dump and restore)."""

from django.db import migrations


def set_fillfactor(apps, schema_editor, value):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE customers_customer SET (fillfactor = {int(value)})")


class Migration(migrations.Migration):
    dependencies = [("customers", "0012_note_mentions")]

    operations = [
        migrations.RunPython(
            lambda apps, editor: set_fillfactor(apps, editor, 80),
            lambda apps, editor: set_fillfactor(apps, editor, 100),
        )
    ]
