"""The reminder centre (SVC-03, DAT-05): reminder states and who acted, the index the centre reads
through (customer, date), important dates and market events."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0009_confidential_grant_expiry"),
        ("holdings", "0010_rejected_reason_in_readers_language"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ImportantDate",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("date", models.DateField(verbose_name="date")),
                ("label", models.CharField(max_length=100, verbose_name="what")),
                ("yearly", models.BooleanField(default=True, verbose_name="every year")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
            ],
            options={
                "verbose_name": "important date",
                "verbose_name_plural": "important dates",
                "ordering": ["date", "pk"],
            },
        ),
        migrations.CreateModel(
            name="MarketEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("source", models.CharField(default="core", max_length=30, verbose_name="source")),
                ("data_date", models.DateField(verbose_name="data date")),
                ("line", models.PositiveIntegerField(default=0, verbose_name="line")),
                (
                    "kind",
                    models.CharField(
                        choices=[("ipo", "IPO subscription"), ("dividend", "Dividend")],
                        max_length=10,
                        verbose_name="event type",
                    ),
                ),
                ("event_date", models.DateField(verbose_name="date")),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="note")),
            ],
            options={
                "verbose_name": "market event",
                "verbose_name_plural": "market events",
                "ordering": ["event_date", "pk"],
            },
        ),
        migrations.AddField(
            model_name="reminder",
            name="acted_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="handled at"),
        ),
        migrations.AddField(
            model_name="reminder",
            name="acted_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="handled by",
            ),
        ),
        migrations.AddField(
            model_name="reminder",
            name="snoozed_until",
            field=models.DateField(blank=True, null=True, verbose_name="snoozed until"),
        ),
        migrations.AddField(
            model_name="reminder",
            name="state",
            field=models.CharField(
                choices=[("open", "Open"), ("done", "Done"), ("dismissed", "Dismissed"), ("snoozed", "Snoozed")],
                default="open",
                max_length=10,
                verbose_name="state",
            ),
        ),
        migrations.AlterField(
            model_name="reminder",
            name="is_done",
            field=models.BooleanField(default=False, verbose_name="handled"),
        ),
        migrations.AlterField(
            model_name="reminder",
            name="kind",
            field=models.CharField(
                choices=[
                    ("large_txn", "Large transaction"),
                    ("maturity", "Product maturity"),
                    ("birthday", "Birthday"),
                    ("card_expiry", "Card expiry"),
                    ("risk_expiry", "Risk assessment expiry"),
                    ("important_date", "Important date"),
                    ("ipo", "IPO subscription"),
                    ("dividend", "Dividend"),
                ],
                max_length=20,
                verbose_name="kind",
            ),
        ),
        migrations.AlterField(
            model_name="reminder",
            name="owner",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="raised for",
            ),
        ),
        migrations.AlterField(
            model_name="reminder",
            name="customer",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="customers.customer",
                verbose_name="customer",
            ),
        ),
        migrations.AddIndex(
            model_name="reminder",
            index=models.Index(fields=["customer", "due_on"], name="reminder_customer_due"),
        ),
        migrations.AddField(
            model_name="importantdate",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="entered by",
            ),
        ),
        migrations.AddField(
            model_name="importantdate",
            name="customer",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="important_dates",
                to="customers.customer",
                verbose_name="customer",
            ),
        ),
        migrations.AddField(
            model_name="marketevent",
            name="product",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="holdings.product",
                verbose_name="product",
            ),
        ),
        migrations.AddIndex(
            model_name="importantdate",
            index=models.Index(fields=["customer", "date"], name="important_date_customer"),
        ),
        migrations.AddIndex(
            model_name="marketevent",
            index=models.Index(fields=["event_date"], name="market_event_date"),
        ),
        migrations.AddConstraint(
            model_name="marketevent",
            constraint=models.UniqueConstraint(
                fields=("source", "data_date", "product", "kind", "event_date"), name="uniq_market_event"
            ),
        ),
        # Reminders handled before the reminder centre had states read as done (one UPDATE).
        migrations.RunSQL(
            "UPDATE holdings_reminder SET state = 'done' WHERE is_done",
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
