"""The period running sums and the current AUM by category move out of the daily load: the sums
live in customers.CustomerFigures, the category split is read from the day's balances."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("holdings", "0002_default_categories"),
        ("customers", "0004_customer_figures"),
    ]

    operations = [
        migrations.DeleteModel(name="CategoryAum"),
        migrations.DeleteModel(name="PeriodTotal"),
    ]
