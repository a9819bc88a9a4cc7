from rest_framework import serializers

from steward.audit.models import AuditEntry
from steward.audit.visibility import Visibility


class AuditEntrySerializer(serializers.ModelSerializer):
    """One entry as its reader may see it: a record whose identity they may not read (a
    confidential customer without a grant) shows a placeholder (steward/audit/visibility.py)."""

    object_repr = serializers.SerializerMethodField()
    message = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField()
    ids = serializers.SerializerMethodField()

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "seq",
            "timestamp",
            "actor",
            "actor_repr",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "changes",
            "ids",
            "message",
            "request_id",
            "ip_address",
            "source",
            "prev_hash",
            "hash",
            "key_id",
        ]
        read_only_fields = fields

    def _visibility(self) -> Visibility:
        if "audit_visibility" not in self.context:
            request = self.context.get("request")
            self.context["audit_visibility"] = Visibility(getattr(request, "user", None))
        return self.context["audit_visibility"]

    def get_object_repr(self, entry) -> str:
        return self._visibility().object_repr(entry)

    def get_message(self, entry) -> str:
        return self._visibility().message(entry)

    def get_changes(self, entry) -> dict:
        return self._visibility().changes(entry)

    def get_ids(self, entry) -> list:
        return self._visibility().ids(entry)
