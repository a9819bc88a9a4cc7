"""Model fields that carry personal data.

* `PiiCharField` / `PiiEmailField` — stored as entered, but declared PII (`pii_kind`): every
  table, serializer, export, form and audit entry masks them. A `PiiCharField` may name an
  `index_field` too (`Customer.mobile` → `mobile_index`): kept on every save, so another system
  that knows only the value (the call centre, by phone number) finds the row by its blind index
  without ever sending or storing the value beside it.
* `EncryptedPiiField` — stored encrypted (AES-GCM); its sibling `<name>_index` holds the
  keyed blind index used for exact-match lookup (`Model.objects.filter(id_number_index=
  blind_index("id_number", value))`). The plain value never reaches the database.
"""

from __future__ import annotations

from django.db import models
from django.db.models.signals import pre_save

from steward.privacy import crypto


class PiiFieldMixin:
    def __init__(self, *args, pii_kind: str, **kwargs):
        self.pii_kind = pii_kind
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["pii_kind"] = self.pii_kind
        return name, path, args, kwargs


def _connect_blind_index(field, cls, name) -> None:
    """Keep `field.index_field` = the blind index of the field's value on every model save (the
    bulk paths — bulk_create, the intake, the import — compute it themselves)."""

    def set_blind_index(sender, instance, **kw):
        value = getattr(instance, field.attname)
        setattr(instance, field.index_field, crypto.blind_index(field.pii_kind, value) if value else "")

    pre_save.connect(set_blind_index, sender=cls, weak=False, dispatch_uid=f"blind-index-{cls._meta.label}-{name}")


class PiiCharField(PiiFieldMixin, models.CharField):
    """Text that is personal data: stored as entered (searchable by prefix), shown masked;
    `index_field` (optional) names the CharField that receives its blind index."""

    def __init__(self, *args, index_field: str | None = None, **kwargs):
        self.index_field = index_field
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.index_field:
            kwargs["index_field"] = self.index_field
        return name, path, args, kwargs

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        if self.index_field and not cls._meta.abstract:
            _connect_blind_index(self, cls, name)


class PiiEmailField(PiiFieldMixin, models.EmailField):
    """An e-mail address that is personal data: shown masked."""


class EncryptedPiiField(PiiFieldMixin, models.TextField):
    """Encrypted text; `index_field` names the CharField that receives the blind index."""

    def __init__(self, *args, index_field: str | None = None, **kwargs):
        self.index_field = index_field
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.index_field:
            kwargs["index_field"] = self.index_field
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return crypto.decrypt(value)

    def to_python(self, value):
        return value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return crypto.encrypt(str(value))

    def get_lookup(self, lookup_name):
        if lookup_name not in ("isnull",):
            return None  # encrypted values cannot be compared; use the blind index field
        return super().get_lookup(lookup_name)

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        if self.index_field and not cls._meta.abstract:
            _connect_blind_index(self, cls, name)
