import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from steward.allocation.models import AllocationRule, AllocationRun
from steward.core.tables import StewardTable


class AllocationRuleTable(StewardTable):
    name = tables.Column(verbose_name=_("name"), linkify=True)
    org = tables.Column(verbose_name=_("org"), accessor="org__name")
    source_pool = tables.Column(verbose_name=_("source pool"), accessor="source_pool__name")
    required_columns = ("name",)

    class Meta(StewardTable.Meta):
        model = AllocationRule
        fields = ("name", "org", "source_pool", "path", "method", "mode", "run_at", "is_active")


class AllocationRunTable(StewardTable):
    at = tables.DateTimeColumn(verbose_name=_("at"), format="Y-m-d H:i", linkify=True)
    rule = tables.Column(verbose_name=_("rule"), accessor="rule__name", default="—")
    org = tables.Column(verbose_name=_("org"), accessor="org__name")
    run_by = tables.Column(verbose_name=_("run by"), accessor="run_by__name", default=_("Schedule"))
    required_columns = ("at",)

    class Meta(StewardTable.Meta):
        model = AllocationRun
        fields = ("at", "rule", "org", "mode", "method", "path", "leads_found", "leads_moved", "run_by")
