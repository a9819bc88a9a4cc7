from rest_framework import serializers

from steward.core.parsers import BoundedJSONField
from steward.tags.models import CustomerGroup, CustomerTag, GroupMember, Tag, TagCategory


class TagCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = TagCategory
        fields = ["id", "code", "name", "description", "sort_order", "is_active", "updated_at"]
        read_only_fields = ["updated_at"]


class TagSerializer(serializers.ModelSerializer):
    category_code = serializers.CharField(source="category.code", read_only=True)
    definition = BoundedJSONField(required=False, allow_null=True)

    class Meta:
        model = Tag
        fields = [
            "id",
            "category",
            "category_code",
            "code",
            "name",
            "kind",
            "definition",
            "description",
            "color",
            "is_active",
            "computed_at",
        ]
        read_only_fields = ["is_active", "computed_at"]


class CustomerTagSerializer(serializers.ModelSerializer):
    tag_code = serializers.CharField(source="tag.code", read_only=True)
    tag_name = serializers.CharField(source="tag.name", read_only=True)
    tagged_by_name = serializers.CharField(source="tagged_by.name", read_only=True, default=None, allow_null=True)

    class Meta:
        model = CustomerTag
        fields = ["id", "customer", "tag", "tag_code", "tag_name", "source", "tagged_by", "tagged_by_name", "tagged_at"]
        read_only_fields = ["source", "tagged_by", "tagged_at"]
        # Uniqueness is the service's concern (tagging twice is a no-op), not a 400.
        validators = []


class BulkTagSerializer(serializers.Serializer):
    tag = serializers.PrimaryKeyRelatedField(queryset=Tag.objects.all())
    customers = serializers.ListField(child=serializers.IntegerField(), allow_empty=False, max_length=20000)


class CustomerGroupSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.name", read_only=True, default=None, allow_null=True)

    class Meta:
        model = CustomerGroup
        fields = ["id", "name", "kind", "description", "owner", "owner_name", "org", "updated_at"]
        read_only_fields = ["owner", "updated_at"]


class GroupMemberSerializer(serializers.ModelSerializer):
    customer_cif = serializers.CharField(source="customer.cif", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)

    class Meta:
        model = GroupMember
        fields = ["id", "group", "customer", "customer_cif", "customer_name", "added_by", "added_at"]


class MemberIdsSerializer(serializers.Serializer):
    customers = serializers.ListField(child=serializers.IntegerField(), allow_empty=False, max_length=20000)


class AffectedCountSerializer(serializers.Serializer):
    count = serializers.IntegerField()


class RecomputeSerializer(serializers.Serializer):
    added = serializers.IntegerField()
    removed = serializers.IntegerField()
