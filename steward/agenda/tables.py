import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from steward.agenda.models import CalendarNote
from steward.core.tables import LocalDateTimeColumn, StewardTable


class CalendarNoteTable(StewardTable):
    title = tables.Column(linkify=lambda record: record.get_absolute_url(), verbose_name=_("title"))
    starts_at = LocalDateTimeColumn(verbose_name=_("starts at"))
    ends_at = LocalDateTimeColumn(verbose_name=_("ends at"), default="—")
    customer = tables.Column(linkify=True, verbose_name=_("customer"), default="—")

    class Meta(StewardTable.Meta):
        model = CalendarNote
        fields = ("starts_at", "title", "all_day", "ends_at", "customer")
        order_by = ("-starts_at",)
