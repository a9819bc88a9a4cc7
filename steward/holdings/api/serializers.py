from rest_framework import serializers

from steward.holdings.intake import ENTITY_ORDER
from steward.holdings.models import IntakeBatch, IntakeDay, IntakeRejectedRow
from steward.holdings.reasons import shown_reason


class IntakeBatchSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    # Why the file was refused, failed or held, in the caller's language.
    error = serializers.SerializerMethodField()

    class Meta:
        model = IntakeBatch
        fields = [
            "id",
            "source",
            "entity",
            "data_date",
            "part",
            "status",
            "status_label",
            "file_name",
            "rows_read",
            "rows_loaded",
            "rows_rejected",
            "error",
            "runs",
            "started_at",
            "finished_at",
        ]

    def get_error(self, batch) -> str:
        return shown_reason(batch.error)


class IntakeRejectedRowSerializer(serializers.ModelSerializer):
    """A quarantined row: its file, the physical line in the file, why, and the row as delivered
    with its personal data masked (it is stored masked; there is no unmasked copy)."""

    source = serializers.CharField(source="batch.source", read_only=True)
    entity = serializers.CharField(source="batch.entity", read_only=True)
    data_date = serializers.DateField(source="batch.data_date", read_only=True)
    reason = serializers.SerializerMethodField()

    class Meta:
        model = IntakeRejectedRow
        fields = ["id", "batch", "source", "entity", "data_date", "line", "reason", "raw"]
        read_only_fields = fields

    def get_reason(self, row) -> str:
        return shown_reason(row.reason)


class IntakeUploadSerializer(serializers.Serializer):
    entity = serializers.ChoiceField(choices=ENTITY_ORDER)
    data_date = serializers.DateField()
    source = serializers.CharField(default="core", max_length=30)
    file = serializers.FileField()
    # False (default): an intra-day part whose rows are added to the day (DAT-07); True: the
    # source's full file of the day, replacing its earlier delivery.
    replace = serializers.BooleanField(default=False)


class IntakeDaySerializer(serializers.ModelSerializer):
    """A data date's figures state: waiting (for `waiting_for`), pending or derived."""

    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = IntakeDay
        fields = ["id", "data_date", "state", "state_label", "waiting_for", "derived_at", "updated_at"]


class ConfirmHeldSerializer(serializers.Serializer):
    source = serializers.CharField(max_length=30)
    data_date = serializers.DateField()
