import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from steward.core.filters import StewardFilterSet
from steward.notices.models import Notice


class InboxFilterSet(StewardFilterSet):
    search_fields = ("title__icontains",)
    state = django_filters.ChoiceFilter(
        choices=[("unread", _("Unread")), ("read", _("Read"))], method="by_state", label=_("state")
    )
    period = django_filters.ChoiceFilter(
        choices=[("current", _("Current")), ("expired", _("Expired"))], method="by_period", label=_("period")
    )

    class Meta:
        model = Notice
        fields = ["q", "state", "period"]

    def by_state(self, queryset, name, value):
        return queryset.filter(is_read=(value == "read"))

    def by_period(self, queryset, name, value):
        now = timezone.now()
        live = Q(valid_until__isnull=True) | Q(valid_until__gt=now)
        return queryset.filter(live) if value == "current" else queryset.exclude(live)


class NoticeFilterSet(StewardFilterSet):
    search_fields = ("title__icontains",)
    level = django_filters.ChoiceFilter(choices=Notice.Level.choices, label=_("level"))
    audience = django_filters.ChoiceFilter(choices=Notice.Audience.choices, label=_("audience"))
    is_published = django_filters.BooleanFilter(label=_("published"))

    class Meta:
        model = Notice
        fields = ["q", "level", "audience", "is_published"]
