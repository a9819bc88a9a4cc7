import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from steward.core.tables import StewardTable
from steward.segments.models import Segment


class SegmentTable(StewardTable):
    name = tables.Column(linkify=True, verbose_name=_("name"))
    owner = tables.Column(accessor="owner__name", verbose_name=_("owner"))
    required_columns = ("name",)

    class Meta(StewardTable.Meta):
        model = Segment
        fields = ("name", "kind", "owner", "taken_at", "updated_at")
        order_by = ("name",)
