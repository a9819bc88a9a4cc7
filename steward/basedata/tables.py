import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from steward.basedata.models import CalendarDay, CodeTable, SystemParameter
from steward.core.tables import StewardTable


class CodeTableTable(StewardTable):
    code = tables.Column(linkify=True, verbose_name=_("code"))
    display_name = tables.Column(verbose_name=_("name"), order_by=("name",))
    item_count = tables.Column(verbose_name=_("active items"))
    required_columns = ("code",)

    class Meta(StewardTable.Meta):
        model = CodeTable
        fields = ("code", "display_name", "item_count", "is_system", "updated_at")


class ParameterTable(StewardTable):
    key = tables.Column(verbose_name=_("key"))
    label = tables.Column(verbose_name=_("label"), empty_values=())
    required_columns = ("key",)
    _can_change = None

    class Meta(StewardTable.Meta):
        model = SystemParameter
        fields = ("group", "key", "label", "value", "value_type", "default", "updated_at")

    def render_key(self, value, record):
        # Only editors get a link to the edit page; viewers read the list.
        if self._can_change is None:
            from steward.access.services import has_permission

            self._can_change = bool(self.request) and has_permission(self.request.user, "basedata.parameter:change")
        if self._can_change:
            return format_html('<a href="{}">{}</a>', record.get_absolute_url(), value)
        return value

    def value_key(self, value):
        return value

    def render_label(self, record):
        from django.utils import translation

        if record.label_en and (translation.get_language() or "").startswith("en"):
            return record.label_en
        return record.label

    value_label = render_label


class CalendarDayTable(StewardTable):
    date = tables.DateColumn(verbose_name=_("date"), format="Y-m-d")
    weekday = tables.Column(verbose_name=_("weekday"), accessor="date", orderable=False)
    display_name = tables.Column(verbose_name=_("name"), order_by=("name",))
    required_columns = ("date",)
    _can_change = None

    class Meta(StewardTable.Meta):
        model = CalendarDay
        fields = ("date", "weekday", "kind", "display_name", "updated_at")

    def render_date(self, value, record):
        # Only editors get a link to the edit page; viewers read the list.
        if self._can_change is None:
            from steward.access.services import has_permission

            self._can_change = bool(self.request) and has_permission(self.request.user, "basedata.calendar:change")
        text = value.isoformat()
        if self._can_change:
            return format_html('<a href="{}">{}</a>', record.get_absolute_url(), text)
        return text

    def value_date(self, value):
        return value

    def render_weekday(self, value):
        from django.utils.dates import WEEKDAYS

        return WEEKDAYS[value.weekday()]

    def value_weekday(self, value):
        return str(self.render_weekday(value))
