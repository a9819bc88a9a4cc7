from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from steward.agenda.models import TEXT_MAX, TITLE_MAX, CalendarNote


class CalendarNoteSerializer(serializers.ModelSerializer):
    """A note in my own calendar (SVC-04), private to me. `customer` (id, optional) must be a customer
    in my data scope; an all-day note's times are its first and last day's midnight."""

    title = serializers.CharField(max_length=TITLE_MAX)
    text = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True)
    customer = serializers.IntegerField(
        source="customer_id", required=False, allow_null=True, min_value=1, max_value=2**63 - 1
    )
    customer_name = serializers.CharField(source="customer.name", read_only=True, default="")

    class Meta:
        model = CalendarNote
        fields = ["id", "title", "text", "starts_at", "ends_at", "all_day", "customer", "customer_name", "created_at"]
        read_only_fields = ["created_at"]

    def validate(self, attrs):
        start = attrs.get("starts_at", getattr(self.instance, "starts_at", None))
        end = attrs.get("ends_at", getattr(self.instance, "ends_at", None))
        for name, moment in (("starts_at", start), ("ends_at", end)):
            if moment is not None and not (1900 <= moment.year <= 2200):
                raise serializers.ValidationError({name: [_("Give a date between 1900 and 2200.")]})
        if start is not None and end is not None and end < start:
            raise serializers.ValidationError({"ends_at": [_("The end must not come before the start.")]})
        return attrs


class EntryCustomerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    url = serializers.CharField()


class EntryActionSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    url = serializers.CharField()


class CalendarEntrySerializer(serializers.Serializer):
    """One entry of my calendar, from any registered calendar source (reminders, my notes …).
    All-day entries have dates (`end` exclusive); timed ones times with the bank's offset."""

    id = serializers.CharField()
    source = serializers.CharField()
    type = serializers.CharField()
    type_label = serializers.CharField()
    color = serializers.CharField()
    title = serializers.CharField()
    start = serializers.CharField()
    end = serializers.CharField(allow_null=True)
    all_day = serializers.BooleanField()
    url = serializers.CharField()
    customer = EntryCustomerSerializer(allow_null=True)
    text = serializers.CharField()
    state = serializers.CharField()
    actions = EntryActionSerializer(many=True)
