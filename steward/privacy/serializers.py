"""API responses mask personal data; unmasking is an explicit, permitted, audited request."""

from steward.privacy.masking import mask
from steward.privacy.services import pii_fields


class PiiMaskingSerializerMixin:
    """Masks every PII field of the model unless the view marked the request as unmasked
    (``?unmask=1`` by a holder of privacy.pii:unmask — see ScopedModelViewSet)."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if self.context.get("unmask"):
            return data
        for name, kind in pii_fields(type(instance)).items():
            if data.get(name):
                data[name] = mask(kind, data[name])
        return data
