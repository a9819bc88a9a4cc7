from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0002_employee_id_number_employee_id_number_index_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="employee",
            name="extension",
            field=models.CharField(blank=True, db_index=True, max_length=20, verbose_name="telephone extension"),
        ),
    ]
