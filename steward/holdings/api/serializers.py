from rest_framework import serializers

from steward.holdings.intake import ENTITY_ORDER
from steward.holdings.models import IntakeBatch


class IntakeBatchSerializer(serializers.ModelSerializer):
    class Meta:
        model = IntakeBatch
        fields = [
            "id",
            "source",
            "entity",
            "data_date",
            "status",
            "file_name",
            "rows_read",
            "rows_loaded",
            "rows_rejected",
            "error",
            "runs",
            "started_at",
            "finished_at",
        ]


class IntakeUploadSerializer(serializers.Serializer):
    entity = serializers.ChoiceField(choices=ENTITY_ORDER)
    data_date = serializers.DateField()
    source = serializers.CharField(default="core", max_length=30)
    file = serializers.FileField()
