"""Revealing personal data — each reveal is a deliberate, permitted, audited act (PLT-13).

`unmask()` is the one way plain personal data leaves Steward: the reveal button, the API's
``?unmask=1`` (every serializer with personal-data fields, including the tag, segment and group
member lists) and unmasked exports all call it. It checks the permission, refuses more than
`bulk_unmask_threshold()` records at once without ``privacy.pii:bulk_unmask``, and writes the
``privacy.unmasked`` audit entry with the affected record ids.
"""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from steward.access.services import has_permission
from steward.audit.services import log_bulk, log_event
from steward.privacy.masking import mask

UNMASK = "privacy.pii:unmask"
BULK_UNMASK = "privacy.pii:bulk_unmask"
EXPORT_UNMASKED = "privacy.pii:export_unmasked"
BULK_THRESHOLD_KEY = "privacy.bulk_unmask_threshold"
DEFAULT_BULK_THRESHOLD = 50

# The permission that guards the page showing each revealable model's records: a reveal is
# allowed only for a record the actor can see under *this* permission, whatever the browser
# sends. Every model with personal-data fields must be listed (a test checks).
REVEAL_PERMISSIONS: dict[str, str] = {
    "customers.customer": "customers.customer:view",
    "org.employee": "org.employee:view",
    "holdings.account": "holdings.account:view",  # the customer's accounts page (CustomerAccountsView)
}


def can_unmask(user) -> bool:
    return has_permission(user, UNMASK)


def pii_fields(model) -> dict[str, str]:
    """{field name: PII kind} of a model."""
    return {f.name: f.pii_kind for f in model._meta.concrete_fields if getattr(f, "pii_kind", None)}


def masked(obj, field_name: str) -> str:
    kind = pii_fields(type(obj)).get(field_name)
    value = getattr(obj, field_name)
    return mask(kind, value) if kind else value


def bulk_unmask_threshold() -> int:
    """How many records one request may unmask without privacy.pii:bulk_unmask (system parameter)."""
    from steward.basedata.services import parameter

    try:
        return int(parameter(BULK_THRESHOLD_KEY))
    except (KeyError, TypeError, ValueError):
        return DEFAULT_BULK_THRESHOLD


def reveal_permission(model_label: str) -> str:
    """The permission under which a record of this model must be visible to be revealed."""
    try:
        return REVEAL_PERMISSIONS[model_label.lower()]
    except KeyError:
        raise Http404 from None


def unmask(actor, model, ids, *, fields, purpose: str, permission: str = UNMASK, obj=None) -> None:
    """Allow plain personal data of `ids` (records of `model`) to leave, or raise PermissionDenied.

    The single gate of PLT-13: `permission` is privacy.pii:unmask (pages, API) or
    privacy.pii:export_unmasked (exports, which are bulk by nature); more than
    `bulk_unmask_threshold()` records through privacy.pii:unmask also need privacy.pii:bulk_unmask.
    On success one ``privacy.unmasked`` audit entry per batch names the record ids and fields.
    """
    if permission not in (UNMASK, EXPORT_UNMASKED):
        raise ValueError(f"Personal data is unmasked under {UNMASK} or {EXPORT_UNMASKED}, not {permission!r}")
    if actor is None or not getattr(actor, "is_authenticated", False) or not has_permission(actor, permission):
        raise PermissionDenied(
            _("Unmasking personal data needs the permission %(permission)s.") % {"permission": permission}
        )
    ids = list(ids)
    if permission == UNMASK and len(ids) > bulk_unmask_threshold() and not has_permission(actor, BULK_UNMASK):
        raise PermissionDenied(
            _(
                "Unmasking more than %(count)s records at once needs the permission %(permission)s; "
                "ask for fewer records (page_size)."
            )
            % {"count": bulk_unmask_threshold(), "permission": BULK_UNMASK}
        )
    fields = sorted(fields)
    if not ids:  # nothing returned, nothing to record
        return
    if obj is not None:  # one value revealed on a page: an entry on the record itself
        log_event("privacy.unmasked", obj, actor=actor, message=", ".join(fields))
        return
    log_bulk("privacy.unmasked", model, ids, actor=actor, message=f"{purpose}: {', '.join(fields)}")


def reveal(actor, model_label: str, pk, field_name: str) -> str:
    """The plain value of one PII field of one record the actor can see; audited.

    Visibility is checked under the permission the server assigns to the model
    (REVEAL_PERMISSIONS), never one the caller names."""
    if not can_unmask(actor):
        raise PermissionDenied(
            _("Unmasking personal data needs the permission %(permission)s.") % {"permission": UNMASK}
        )
    permission = reveal_permission(model_label)
    try:
        model = apps.get_model(model_label)
    except (LookupError, ValueError):
        raise Http404 from None
    if field_name not in pii_fields(model):
        raise PermissionDenied(_("This field is not personal data that can be unmasked."))
    obj = model.objects.visible_to(actor, permission).filter(pk=pk).first()
    if obj is None:
        raise Http404
    unmask(actor, model, [obj.pk], fields=[field_name], purpose="reveal", obj=obj)
    return getattr(obj, field_name) or ""
