from rest_framework import serializers

from steward.core.parsers import BoundedJSONField
from steward.segments.models import Segment


class SegmentSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.name", read_only=True)
    definition = BoundedJSONField()

    class Meta:
        model = Segment
        fields = ["id", "name", "description", "kind", "definition", "owner", "owner_name", "taken_at", "updated_at"]
        read_only_fields = ["owner", "taken_at", "updated_at"]


class DefinitionSerializer(serializers.Serializer):
    definition = BoundedJSONField()


class CountSerializer(serializers.Serializer):
    count = serializers.IntegerField()
