from django.conf import settings
from django.db import migrations, models


class AddIndexOnPostgreSQL(migrations.AddIndex):
    """The covering LIKE-prefix index exists on PostgreSQL only: other databases ignore the operator
    class and the INCLUDE columns, so there it would repeat customer_name."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0004_customer_figures"),
        ("org", "0002_employee_id_number_employee_id_number_index_and_more"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="customer",
            name="name",
            field=models.CharField(max_length=100, verbose_name="name"),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(fields=["name"], name="customer_name"),
        ),
        AddIndexOnPostgreSQL(
            model_name="customer",
            index=models.Index(
                fields=["name"],
                include=("id", "is_confidential", "owner", "org"),
                name="customer_name_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
        ),
    ]
