"""What an audit reader may see of an entry — CUS-10, CUS-11, PLT-07.

A model whose records' identity is restricted declares it; the audit app has no per-model code:

* ``audit_hidden(user)`` — a classmethod returning the records whose identity `user` may not
  read (Customer: the confidential customers they neither own nor hold a grant for);
* ``audit_identity_fields`` — the fields that identify a record (name, customer number …);
* ``audit_hidden_label`` — the placeholder shown instead (default "Confidential record").

For such a reader, an entry about a hidden record shows the placeholder instead of its name and
message, and its identity fields' before/after values; hidden records among a bulk entry's ids
are shown as the placeholder; the free-text search does not look at what is hidden. The page,
its export, the detail and the API all read through ``Visibility``.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.apps import apps
from django.db.models import BooleanField, CharField, ExpressionWrapper, Q, Value
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from steward.audit.services import REDACTED

DEFAULT_LABEL = _("Confidential record")
REDACTED_LABEL = _("changed (text not recorded)")


def hiding_models() -> dict[str, type]:
    """{object type: model} of the models that restrict their identity in the trail."""
    return {
        f"{model._meta.app_label}.{model._meta.model_name}": model
        for model in apps.get_models()
        if callable(getattr(model, "audit_hidden", None))
    }


class Visibility:
    def __init__(self, user):
        self.user = user
        self.models = hiding_models() if getattr(user, "is_authenticated", False) else {}
        self._hidden_ids: dict[str, set[str]] = {}

    # ---------------------------------------------------------------- querysets
    def hidden_q(self) -> Q | None:
        """Entries whose object is a record hidden from the reader."""
        conditions = [
            Q(
                object_type=object_type,
                object_id__in=model.audit_hidden(self.user)
                .annotate(_audit_key=Cast("pk", CharField()))
                .values("_audit_key"),
            )
            for object_type, model in self.models.items()
        ]
        return reduce(or_, conditions) if conditions else None

    def annotate(self, queryset):
        """Adds `identity_hidden` to every entry (one sub-select, no query per row)."""
        condition = self.hidden_q()
        if condition is None:
            return queryset.annotate(identity_hidden=Value(False, output_field=BooleanField()))
        return queryset.annotate(identity_hidden=ExpressionWrapper(condition, output_field=BooleanField()))

    def search_q(self, value: str) -> Q:
        """Free-text search: the request id anywhere; name and message only where not hidden."""
        text = Q(object_repr__icontains=value) | Q(message__icontains=value)
        condition = self.hidden_q()
        if condition is not None:
            text &= ~condition
        return Q(request_id=value) | text

    # ---------------------------------------------------------------- one entry
    def is_hidden(self, entry) -> bool:
        hidden = getattr(entry, "identity_hidden", None)
        if hidden is not None:
            return bool(hidden)
        return entry.object_type in self.models and str(entry.object_id) in self.hidden_ids(
            entry.object_type, [entry.object_id]
        )

    def label(self, object_type: str):
        model = self.models.get(object_type)
        return getattr(model, "audit_hidden_label", None) or DEFAULT_LABEL

    def hidden_ids(self, object_type: str, candidates) -> set[str]:
        """Which of `candidates` (ids of records of `object_type`) are hidden from the reader."""
        model = self.models.get(object_type)
        if model is None:
            return set()
        wanted = {str(c) for c in candidates if str(c).isdigit()} - set(self._hidden_ids.get(object_type, ()))
        known = self._hidden_ids.setdefault(object_type, set())
        checked = self._hidden_ids.setdefault(f"{object_type}#checked", set())
        wanted -= checked
        if wanted:
            found = model.audit_hidden(self.user).filter(pk__in=[int(c) for c in wanted]).values_list("pk", flat=True)
            known.update(str(pk) for pk in found)
            checked.update(wanted)
        return {str(c) for c in candidates} & known

    def prefetch(self, entries) -> None:
        """Looks up the hidden ids of a page of entries at once (one query per restricted type)."""
        by_type: dict[str, list] = {}
        for entry in entries:
            if entry.object_type in self.models:
                by_type.setdefault(entry.object_type, []).extend([entry.object_id, *(entry.ids or [])])
        for object_type, candidates in by_type.items():
            self.hidden_ids(object_type, candidates)

    def object_repr(self, entry) -> str:
        return str(self.label(entry.object_type)) if self.is_hidden(entry) else entry.object_repr

    def message(self, entry) -> str:
        return str(self.label(entry.object_type)) if self.is_hidden(entry) and entry.message else entry.message

    def ids(self, entry) -> list:
        if not entry.ids or entry.object_type not in self.models:
            return list(entry.ids or [])
        hidden = self.hidden_ids(entry.object_type, entry.ids)
        label = str(self.label(entry.object_type))
        return [label if str(i) in hidden else i for i in entry.ids]

    def changes(self, entry) -> dict:
        """Before/after per field, as the reader may see them."""
        changes = dict(entry.changes or {})
        model = self.models.get(entry.object_type)
        if model is not None and self.is_hidden(entry):
            label = str(self.label(entry.object_type))
            for name in getattr(model, "audit_identity_fields", ()):
                pair = changes.get(name)
                if isinstance(pair, (list, tuple)) and len(pair) == 2:
                    changes[name] = [None if v in (None, "") else label for v in pair]
        return changes


def display_value(value):
    """A stored before/after value as a page shows it (the redaction marker in words)."""
    if value == REDACTED:
        return str(REDACTED_LABEL)
    return value
