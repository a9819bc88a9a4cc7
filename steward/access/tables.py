import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from steward.access.models import Role
from steward.core.tables import StewardTable


class RoleTable(StewardTable):
    code = tables.Column(linkify=True, verbose_name=_("code"))
    display_name = tables.Column(verbose_name=_("name"), order_by=("name",))
    holders = tables.Column(verbose_name=_("current holders"), orderable=True)
    permission_count = tables.Column(verbose_name=_("permissions"), orderable=True)
    required_columns = ("code",)

    class Meta(StewardTable.Meta):
        model = Role
        fields = ("code", "display_name", "default_scope", "holders", "permission_count", "is_active")
