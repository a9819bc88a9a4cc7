"""API responses mask personal data; unmasking is an explicit, permitted, audited request (PLT-13).

Every serializer of a model with personal-data fields uses `PiiMaskingSerializerMixin`. When
the view marked the request as asking for plain values (``context["unmask"]``, set by
ScopedModelViewSet for ``?unmask=1``), the serializer asks `privacy.services.unmask` for the
records it is about to return — once per list, with all their ids — and that function checks
the permission and the bulk threshold and writes the audit entry. A serializer built by hand
in an extra action (the tag, segment and group member lists) goes through the same gate.
"""

from django.db import models
from rest_framework import serializers

from steward.privacy.masking import mask
from steward.privacy.services import pii_fields, unmask


def _allow_plain(serializer, instances) -> bool:
    """True when these records may be returned plain; audited. Raises PermissionDenied."""
    context = serializer.context
    if not context.get("unmask"):
        return False
    model = serializer.Meta.model
    fields = [name for name in pii_fields(model) if name in serializer.fields]
    if not fields:
        return False
    request = context.get("request")
    unmask(
        getattr(request, "user", None),
        model,
        [instance.pk for instance in instances],
        fields=fields,
        purpose=f"API read {request.path}" if request is not None else "API read",
    )
    return True


class PiiListSerializer(serializers.ListSerializer):
    """A list decides once, for all its records, whether they leave plain."""

    def to_representation(self, data):
        items = list(data.all() if isinstance(data, models.manager.BaseManager) else data)
        self.child._pii_plain = _allow_plain(self.child, items)
        try:
            return [self.child.to_representation(item) for item in items]
        finally:
            del self.child._pii_plain


class PiiMaskingSerializerMixin:
    """Masks every PII field of the model unless the request asked for plain values and
    `privacy.services.unmask` allowed (and audited) it."""

    @classmethod
    def many_init(cls, *args, **kwargs):
        serializer = super().many_init(*args, **kwargs)
        if type(serializer) is serializers.ListSerializer:
            serializer.__class__ = PiiListSerializer
        return serializer

    def to_representation(self, instance):
        plain = getattr(self, "_pii_plain", None)
        if plain is None:  # a single record, not inside a list
            plain = _allow_plain(self, [instance])
        data = super().to_representation(instance)
        if plain:
            return data
        for name, kind in pii_fields(type(instance)).items():
            if data.get(name):
                data[name] = mask(kind, data[name])
        return data
