import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from steward.core.tables import StewardTable
from steward.tags.models import CustomerGroup, Tag, TagCategory


class TagTable(StewardTable):
    name = tables.Column(linkify=True, verbose_name=_("name"))
    category = tables.Column(accessor="category__name", verbose_name=_("category"))
    customers = tables.Column(verbose_name=_("customers"), orderable=True)
    required_columns = ("name",)

    class Meta(StewardTable.Meta):
        model = Tag
        fields = ("name", "code", "category", "kind", "customers", "is_active", "computed_at")
        order_by = ("category", "code")


class CategoryTable(StewardTable):
    name = tables.Column(linkify=True, verbose_name=_("name"))
    tag_count = tables.Column(verbose_name=_("tags"))
    required_columns = ("name",)

    class Meta(StewardTable.Meta):
        model = TagCategory
        fields = ("name", "code", "description", "sort_order", "tag_count", "is_active")
        order_by = ("sort_order",)


class GroupTable(StewardTable):
    name = tables.Column(linkify=True, verbose_name=_("name"))
    owner = tables.Column(accessor="owner__name", verbose_name=_("owner"), default="—")
    org = tables.Column(accessor="org__name", verbose_name=_("org"), default="—")
    required_columns = ("name",)

    class Meta(StewardTable.Meta):
        model = CustomerGroup
        fields = ("name", "kind", "owner", "org", "description", "updated_at")
        order_by = ("kind", "name")
