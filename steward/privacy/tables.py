"""Table column for PII: masked for everyone; a reveal button for holders of the unmask permission."""

import functools

import django_tables2 as tables
from django.urls import get_script_prefix, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django_tables2.columns.base import library

from steward.privacy.masking import mask


@library.register
class PiiColumn(tables.Column):
    def __init__(self, *args, kind: str = "", **kwargs):
        self.kind = kind
        super().__init__(*args, **kwargs)

    @classmethod
    def from_field(cls, field, **kwargs):
        kind = getattr(field, "pii_kind", None)
        if kind:
            kwargs.setdefault("verbose_name", field.verbose_name)
            return cls(kind=kind, **kwargs)
        return None

    def render(self, value, record, table, bound_column):
        from steward.privacy.services import can_unmask

        masked_value = mask(self.kind, value)
        request = getattr(table, "request", None)
        if request is None:
            return masked_value
        allowed = getattr(table, "_can_unmask", None)
        if allowed is None:
            allowed = table._can_unmask = can_unmask(request.user)
        if not allowed:
            return masked_value
        return reveal_button(record, bound_column.accessor.split("__")[-1], masked_value)

    def value(self, value, record, table):
        # Exports: masked, unless the export view decided otherwise (and audited it).
        if getattr(table, "export_unmasked", False):
            return value
        return mask(self.kind, value)


_ANY_PK = 987654321


@functools.lru_cache(maxsize=256)
def _reveal_url(script_prefix: str, label: str, field_name: str) -> str:
    """The reveal URL with a stand-in primary key: a list draws a button per masked cell (200 on a
    page), and resolving the URL pattern for each cost more than the rest of the cell. The script
    prefix is an argument so that it is part of the cache key."""
    return reverse("privacy:reveal", args=[label, _ANY_PK, field_name])


def reveal_button(obj, field_name: str, masked_value: str):
    """The masked value with a button that reveals it. The server picks the permission the record
    must be visible under (privacy.services.REVEAL_PERMISSIONS): the button sends none."""
    url = _reveal_url(get_script_prefix(), obj._meta.label_lower, field_name).replace(str(_ANY_PK), str(obj.pk))
    return format_html(
        '<span class="pii" data-pii="{}">{} <button type="button" class="btn btn-link btn-sm p-0 ms-1" '
        'hx-post="{}" hx-target="closest .pii" hx-swap="outerHTML" '
        'title="{}" data-testid="unmask"><i class="ti ti-eye"></i></button></span>',
        field_name,
        masked_value,
        url,
        _("Unmask (recorded in the audit trail)"),
    )
