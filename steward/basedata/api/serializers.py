from rest_framework import serializers

from steward.basedata.models import CalendarDay, CodeItem, CodeTable, SystemParameter


class CodeItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = CodeItem
        fields = ["code", "label", "label_en", "sort_order", "is_active"]


class CodeTableSerializer(serializers.ModelSerializer):
    items = CodeItemSerializer(many=True, read_only=True)

    class Meta:
        model = CodeTable
        fields = ["id", "code", "name", "name_en", "description", "is_system", "items"]
        read_only_fields = ["is_system"]


class CodeItemsReplaceSerializer(serializers.Serializer):
    items = CodeItemSerializer(many=True)


class SystemParameterSerializer(serializers.ModelSerializer):
    typed_value = serializers.SerializerMethodField()

    class Meta:
        model = SystemParameter
        fields = [
            "id",
            "key",
            "value",
            "typed_value",
            "value_type",
            "default",
            "label",
            "label_en",
            "group",
            "min_value",
            "max_value",
            "updated_at",
        ]
        read_only_fields = [
            "key",
            "value_type",
            "default",
            "label",
            "label_en",
            "group",
            "min_value",
            "max_value",
            "updated_at",
        ]

    def get_typed_value(self, obj) -> str:
        from steward.basedata.models import parse_parameter

        try:
            return str(parse_parameter(obj.value_type, obj.value))
        except ValueError:
            return ""


class CalendarDaySerializer(serializers.ModelSerializer):
    class Meta:
        model = CalendarDay
        fields = ["id", "date", "kind", "name", "name_en", "updated_at"]
        read_only_fields = ["updated_at"]


class CalendarPasteSerializer(serializers.Serializer):
    lines = serializers.CharField(
        help_text="One day or range per line: YYYY-MM-DD[..YYYY-MM-DD] | holiday or workday | 中文名 | English name"
    )


class BusinessDayQuerySerializer(serializers.Serializer):
    date = serializers.DateField(required=False, help_text="Default: today.")
    add = serializers.IntegerField(required=False, default=0, min_value=-3660, max_value=3660)


class BusinessDayAnswerSerializer(serializers.Serializer):
    date = serializers.DateField()
    is_business_day = serializers.BooleanField()
    add = serializers.IntegerField()
    result = serializers.DateField(
        help_text="The business day `add` business days after `date` (0: `date` or the next)."
    )
