from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from steward.privacy import crypto
from steward.privacy.fields import EncryptedPiiField

BATCH = 1000


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted personal-data value with the current key (the first of STEWARD_PII_KEYS). "
        "Run after putting a new key first; remove the old key once this reports nothing left under it."
    )

    def handle(self, *args, **options):
        current, _keys = crypto.keyring()
        total = 0
        for model in apps.get_models():
            fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedPiiField)]
            for field in fields:
                table, column = model._meta.db_table, field.column
                quoted_table, quoted_column = connection.ops.quote_name(table), connection.ops.quote_name(column)
                # Read raw tokens so that only values under an older key are touched.
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT {connection.ops.quote_name(model._meta.pk.column)}, {quoted_column} "
                        f"FROM {quoted_table} WHERE {quoted_column} IS NOT NULL AND {quoted_column} <> ''"
                    )
                    stale = [(pk, token) for pk, token in cursor.fetchall() if crypto.key_id_of(token) != current]
                for start in range(0, len(stale), BATCH):
                    chunk = stale[start : start + BATCH]
                    with transaction.atomic(), connection.cursor() as cursor:
                        cursor.executemany(
                            f"UPDATE {quoted_table} SET {quoted_column} = %s "
                            f"WHERE {connection.ops.quote_name(model._meta.pk.column)} = %s",
                            [(crypto.encrypt(crypto.decrypt(token)), pk) for pk, token in chunk],
                        )
                total += len(stale)
                self.stdout.write(f"{model._meta.label}.{field.name}: {len(stale)} values re-encrypted with {current}")
        self.stdout.write(self.style.SUCCESS(f"Done: {total} values now under key {current}."))
