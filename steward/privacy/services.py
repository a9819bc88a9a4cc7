"""Revealing personal data — each reveal is a deliberate, permitted, audited act (PLT-13)."""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from steward.access.services import has_permission, require_permission
from steward.audit.services import log_bulk, log_event
from steward.privacy.masking import mask

UNMASK = "privacy.pii:unmask"
EXPORT_UNMASKED = "privacy.pii:export_unmasked"


def can_unmask(user) -> bool:
    return has_permission(user, UNMASK)


def pii_fields(model) -> dict[str, str]:
    """{field name: PII kind} of a model."""
    return {f.name: f.pii_kind for f in model._meta.concrete_fields if getattr(f, "pii_kind", None)}


def masked(obj, field_name: str) -> str:
    kind = pii_fields(type(obj)).get(field_name)
    value = getattr(obj, field_name)
    return mask(kind, value) if kind else value


def reveal(actor, model_label: str, pk, field_name: str, view_permission: str) -> str:
    """The plain value of one PII field of one record the actor can see; audited."""
    require_permission(actor, UNMASK)
    try:
        model = apps.get_model(model_label)
    except (LookupError, ValueError):
        raise Http404 from None
    if field_name not in pii_fields(model):
        raise PermissionDenied(_("This field is not personal data that can be unmasked."))
    obj = model.objects.visible_to(actor, view_permission).filter(pk=pk).first()
    if obj is None:
        raise Http404
    log_event("privacy.unmasked", obj, actor=actor, message=field_name)
    return getattr(obj, field_name) or ""


def record_unmasked_read(actor, model, ids, fields, purpose: str) -> None:
    """An API read or export that returned plain values: one audit summary per batch."""
    log_bulk("privacy.unmasked", model, ids, actor=actor, message=f"{purpose}: {', '.join(sorted(fields))}")
