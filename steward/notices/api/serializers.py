from rest_framework import serializers

from steward.access.models import Role
from steward.notices.models import Notice
from steward.org.models import Org


class NoticeSerializer(serializers.ModelSerializer):
    """A notice as administrators manage it; publishing goes through the publish/unpublish actions."""

    orgs = serializers.PrimaryKeyRelatedField(queryset=Org.objects.all(), many=True, required=False)
    roles = serializers.PrimaryKeyRelatedField(queryset=Role.objects.all(), many=True, required=False)

    class Meta:
        model = Notice
        fields = [
            "id",
            "title",
            "body",
            "level",
            "audience",
            "orgs",
            "roles",
            "valid_from",
            "valid_until",
            "is_published",
            "published_at",
            "org",
            "author",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["is_published", "published_at", "org", "author", "created_at", "updated_at"]
        extra_kwargs = {"valid_from": {"required": False}}


class MyNoticeSerializer(serializers.ModelSerializer):
    """A notice as its reader sees it, with the reader's own read state."""

    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notice
        fields = ["id", "title", "body", "level", "valid_from", "valid_until", "is_read"]
        read_only_fields = fields


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class NotificationSerializer(serializers.Serializer):
    """A personal notification as its recipient reads it: the text in the caller's language."""

    id = serializers.IntegerField()
    kind = serializers.CharField()
    text = serializers.CharField()
    url = serializers.CharField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class NotificationReadSerializer(serializers.Serializer):
    id = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="Id of one of my notifications")
