import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from steward.core.tables import LocalDateTimeColumn, StewardTable
from steward.notices.models import Notice

LEVEL_BADGE = {"info": "bg-secondary-lt", "important": "bg-orange text-white", "urgent": "bg-red text-white"}


class LevelColumn(tables.Column):
    def render(self, value, record):
        # django-tables2 hands over the choice's label; the code is on the record.
        return format_html(
            '<span class="badge {}">{}</span>', LEVEL_BADGE.get(record.level, ""), record.get_level_display()
        )

    def value(self, value, record):
        return record.get_level_display()


class InboxTable(StewardTable):
    """Staff's own notification list: unread notices in bold, with a read/unread badge."""

    title = tables.Column(verbose_name=_("title"))
    level = LevelColumn(verbose_name=_("level"))
    valid_from = LocalDateTimeColumn(verbose_name=_("valid from"))
    valid_until = LocalDateTimeColumn(verbose_name=_("valid until"), default="—")
    is_read = tables.Column(verbose_name=_("state"), orderable=True)
    required_columns = ("title",)

    class Meta(StewardTable.Meta):
        model = Notice
        fields = ("title", "level", "valid_from", "valid_until", "is_read")
        row_attrs = {"data-unread": lambda record: "0" if record.is_read else "1"}

    def render_title(self, value, record):
        if record.is_read:
            return format_html('<a href="{}">{}</a>', record.get_reader_url(), value)
        return format_html('<a class="fw-bold" href="{}">{}</a>', record.get_reader_url(), value)

    def value_title(self, value, record):
        return value

    def render_is_read(self, value, record):
        if value:
            return format_html('<span class="badge bg-secondary-lt">{}</span>', _("read"))
        return format_html('<span class="badge bg-blue text-white">{}</span>', _("unread"))


class NoticeTable(StewardTable):
    """Administrators' list of notices in their scope."""

    title = tables.Column(linkify=True, verbose_name=_("title"))
    level = LevelColumn(verbose_name=_("level"))
    valid_from = LocalDateTimeColumn(verbose_name=_("valid from"))
    valid_until = LocalDateTimeColumn(verbose_name=_("valid until"), default="—")
    author = tables.Column(verbose_name=_("author"), accessor="author__name", order_by=("author__name",))
    org = tables.Column(verbose_name=_("publishing org"), accessor="org__name", order_by=("org__path",))
    read_count = tables.Column(verbose_name=_("read by"), orderable=True)
    required_columns = ("title",)

    class Meta(StewardTable.Meta):
        model = Notice
        fields = ("title", "level", "audience", "valid_from", "valid_until", "is_published", "author", "org")
        sequence = (
            "title",
            "level",
            "audience",
            "valid_from",
            "valid_until",
            "is_published",
            "read_count",
            "author",
            "org",
        )
