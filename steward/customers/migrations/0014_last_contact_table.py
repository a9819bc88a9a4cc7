"""The last contact moves from a column of the customer to a narrow table of its own.

The end-of-day call matching moves the last contact of hundreds of thousands of customers a night;
rewriting the wide customer row for it was most of the job's time (docs/benchmarks.md, `calls`).
The values are copied across; on PostgreSQL the new table's pages keep room for updates in place."""

import django.db.models.deletion
from django.db import migrations, models


def copy_to_table(apps, schema_editor):
    schema_editor.execute(
        "INSERT INTO customers_lastcontact (customer_id, at) "
        "SELECT id, last_contact_at FROM customers_customer WHERE last_contact_at IS NOT NULL"
    )
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE customers_lastcontact SET (fillfactor = 70)")


def copy_back(apps, schema_editor):
    schema_editor.execute(
        "UPDATE customers_customer SET last_contact_at = "
        "(SELECT l.at FROM customers_lastcontact l WHERE l.customer_id = customers_customer.id)"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0013_customer_fillfactor"),
    ]

    operations = [
        migrations.CreateModel(
            name="LastContact",
            fields=[
                (
                    "customer",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="last_contact",
                        serialize=False,
                        to="customers.customer",
                    ),
                ),
                ("at", models.DateTimeField(verbose_name="last contact")),
            ],
            options={
                "verbose_name": "last contact",
                "verbose_name_plural": "last contacts",
            },
        ),
        migrations.RunPython(copy_to_table, copy_back),
        migrations.RemoveField(
            model_name="customer",
            name="last_contact_at",
        ),
    ]
