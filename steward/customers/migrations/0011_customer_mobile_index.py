"""Customer.mobile_index: the keyed blind index (HMAC) of the mobile number, so the call centre's
calls find their customer without a plain number being sent or stored beside them (SVC-05).

The backfill computes the index of every stored mobile in batches of 5,000 customers (read by
primary-key range, one UPDATE per row sent as one executemany per batch), so a bank of millions
never holds them all in memory."""

from django.db import migrations, models

import steward.privacy.fields

BATCH = 5000


def backfill(apps, schema_editor):
    from steward.privacy.crypto import blind_index

    Customer = apps.get_model("customers", "Customer")
    table = Customer._meta.db_table
    connection = schema_editor.connection
    last = 0
    while True:
        rows = list(
            Customer.objects.using(connection.alias)
            .filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "mobile")[:BATCH]
        )
        if not rows:
            return
        last = rows[-1][0]
        values = [(blind_index("mobile", mobile), pk) for pk, mobile in rows if mobile]
        if values:
            with connection.cursor() as cursor:
                cursor.executemany(f"UPDATE {table} SET mobile_index = %s WHERE id = %s", values)


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0010_customer_email_customer_email_subscribed"),
    ]

    operations = [
        migrations.AlterField(
            model_name="customer",
            name="mobile",
            field=steward.privacy.fields.PiiCharField(
                blank=True,
                db_index=True,
                index_field="mobile_index",
                max_length=20,
                pii_kind="mobile",
                verbose_name="mobile",
            ),
        ),
        migrations.AddField(
            model_name="customer",
            name="mobile_index",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=64),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
