import django_tables2 as tables
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from steward.core.tables import StewardTable
from steward.leads.models import Institution, Lead, LeadPool, ProtectionRule, RegionRoute


def channel_label(value) -> str:
    from steward.basedata.services import code_label

    return code_label("lead_channel", value) if value else "—"


class LeadTable(StewardTable):
    name = tables.Column(verbose_name=_("name"), linkify=True)
    org = tables.Column(verbose_name=_("org"), accessor="org__name")
    pool = tables.Column(verbose_name=_("pool"), accessor="pool__name", default="—")
    holder = tables.Column(verbose_name=_("holder"), accessor="holder__name", default="—")
    customer = tables.Column(verbose_name=_("existing customer"), accessor="customer__cif", default="—")
    protected_until = tables.DateTimeColumn(verbose_name=_("protected until"), format="Y-m-d H:i", default="—")
    created_at = tables.DateTimeColumn(verbose_name=_("created at"), format="Y-m-d H:i")
    required_columns = ("name",)

    def render_channel(self, value):
        return channel_label(value)

    def order_created_at(self, queryset, is_descending):
        """Ties (leads imported in the same second) by id in the sort's direction, as the model's
        default order and the big list's walk down `lead_created` (steward.leads.listing)."""
        if is_descending:
            return queryset.order_by("-created_at", "-pk"), True
        return queryset.order_by("created_at", "pk"), True

    class Meta(StewardTable.Meta):
        model = Lead
        fields = (
            "name",
            "mobile",
            "mobile_province",
            "mobile_city",
            "stage",
            "level",
            "source",
            "channel",
            "campaign",
            "org",
            "pool",
            "holder",
            "protected_until",
            "customer",
            "created_at",
        )


class ClaimableLeadTable(StewardTable):
    """Leads waiting in the pools the user may claim from, each with its Claim button."""

    name = tables.Column(verbose_name=_("name"))
    pool = tables.Column(verbose_name=_("pool"), accessor="pool__name")
    pooled_at = tables.DateTimeColumn(verbose_name=_("in the pool since"), format="Y-m-d H:i")
    claim = tables.Column(verbose_name="", accessor="pk", orderable=False, exclude_from_export=True)

    def render_channel(self, value):
        return channel_label(value)

    required_columns = ("name", "claim")

    class Meta(StewardTable.Meta):
        model = Lead
        fields = (
            "name",
            "mobile",
            "mobile_province",
            "mobile_city",
            "source",
            "channel",
            "campaign",
            "pool",
            "pooled_at",
        )

    def render_claim(self, value, record):
        # A lead still cooling after it entered the pool says from when it may be claimed.
        hours = record.pool.new_lead_cooling_hours if record.pool_id else 0
        if hours and record.pooled_at:
            from datetime import timedelta

            from django.utils import timezone

            opens = record.pooled_at + timedelta(hours=hours)
            if opens > timezone.now():
                return format_html(
                    '<span class="text-secondary small" data-testid="claimable-from">{}</span>',
                    _("Claimable from %(time)s") % {"time": f"{timezone.localtime(opens):%m-%d %H:%M}"},
                )
        return format_html(
            '<form method="post" action="{}" class="m-0"><input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<button class="btn btn-sm btn-primary" data-testid="claim">{}</button></form>',
            reverse("leads:claim", args=[record.pk]),
            get_token(self.request),
            _("Claim"),
        )


class RegionRouteTable(StewardTable):
    province = tables.Column(verbose_name=_("province"), linkify=True)
    city = tables.Column(verbose_name=_("city"), default="—")
    org = tables.Column(verbose_name=_("receiving org"), accessor="org__name")
    remove = tables.Column(verbose_name="", accessor="pk", orderable=False, exclude_from_export=True)
    required_columns = ("province", "remove")

    class Meta(StewardTable.Meta):
        model = RegionRoute
        fields = ("province", "city", "org")

    def before_render(self, request):
        from steward.access.services import has_permission
        from steward.leads.permissions import ROUTE_CHANGE

        # The Remove button only for those who may change the table.
        if not has_permission(request.user, ROUTE_CHANGE):
            self.columns.hide("remove")

    def render_remove(self, value, record):
        return format_html(
            '<form method="post" action="{}" class="m-0"><input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<button class="btn btn-sm btn-ghost-danger" data-testid="remove-route">{}</button></form>',
            reverse("leads:region_delete", args=[record.pk]),
            get_token(self.request),
            _("Remove"),
        )


class LeadPoolTable(StewardTable):
    name = tables.Column(verbose_name=_("name"))
    org = tables.Column(verbose_name=_("org"), accessor="org__name")
    waiting = tables.Column(verbose_name=_("leads waiting"), orderable=True)
    edit = tables.Column(verbose_name="", accessor="pk", orderable=False, exclude_from_export=True)
    required_columns = ("name", "edit")

    class Meta(StewardTable.Meta):
        model = LeadPool
        fields = (
            "name",
            "kind",
            "org",
            "claimers",
            "daily_claim_cap",
            "max_held",
            "new_lead_cooling_hours",
            "reclaim_cooling_days",
            "waiting",
        )

    def before_render(self, request):
        from steward.access.services import has_permission
        from steward.leads.permissions import POOL_CHANGE

        if not has_permission(request.user, POOL_CHANGE):
            self.columns.hide("edit")

    def render_claimers(self, value, record):
        if record.kind in (LeadPool.Kind.PERSONAL, LeadPool.Kind.INVALID):
            return "—"
        return record.get_claimers_display()

    def render_edit(self, value, record):
        if record.kind == LeadPool.Kind.INVALID:
            return ""
        return format_html(
            '<a class="btn btn-sm" href="{}" data-testid="edit-pool">{}</a>',
            reverse("leads:pool_edit", args=[record.pk]),
            _("Rules"),
        )


class ProtectionRuleTable(StewardTable):
    org = tables.Column(
        verbose_name=_("org"),
        accessor="org__name",
        default=_("Whole bank"),
        linkify=lambda record: reverse("leads:protection_edit", args=[record.pk]),
    )
    level = tables.Column(verbose_name=_("lead level"))
    reclaim_target = tables.Column(verbose_name=_("reclaim to"), accessor="reclaim_to", orderable=False)
    remove = tables.Column(verbose_name="", accessor="pk", orderable=False, exclude_from_export=True)
    required_columns = ("org", "remove")

    class Meta(StewardTable.Meta):
        model = ProtectionRule
        fields = (
            "org",
            "level",
            "first_contact_days",
            "max_followups_without_intent",
            "min_valid_followups",
            "valid_window_days",
            "remind_days_before",
            "reclaim_target",
            "is_active",
        )

    def render_org(self, value, record):
        name = record.org.name if record.org_id else _("Whole bank")
        if record.pk in getattr(self, "editable", set()):
            return format_html('<a href="{}">{}</a>', reverse("leads:protection_edit", args=[record.pk]), name)
        return name

    def render_level(self, value, record):
        return Lead.Level(value).label if value in Lead.Level.values else _("Every level")

    def render_reclaim_target(self, value, record):
        if value == ProtectionRule.ReclaimTo.POOL and record.reclaim_pool:
            return record.reclaim_pool.name
        if value == ProtectionRule.ReclaimTo.PERSON and record.reclaim_person:
            return record.reclaim_person.name
        return ProtectionRule.ReclaimTo.ORG_POOL.label

    def before_render(self, request):
        from steward.access.services import has_permission
        from steward.leads.permissions import POOL_CHANGE
        from steward.leads.pool_admin import editable_rule_ids

        if not has_permission(request.user, POOL_CHANGE):
            self.columns.hide("remove")
            self.editable = set()
        else:
            self.editable = editable_rule_ids(request.user)

    def render_remove(self, value, record):
        if record.pk not in getattr(self, "editable", set()):
            return ""
        return format_html(
            '<form method="post" action="{}" class="m-0"><input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<button class="btn btn-sm btn-ghost-danger" data-testid="remove-rule">{}</button></form>',
            reverse("leads:protection_delete", args=[record.pk]),
            get_token(self.request),
            _("Remove"),
        )


class InstitutionTable(StewardTable):
    name = tables.Column(
        verbose_name=_("name"), linkify=lambda record: reverse("leads:institution_edit", args=[record.pk])
    )
    org = tables.Column(verbose_name=_("org"), accessor="org__name")
    lead_count = tables.Column(verbose_name=_("potential customers"))
    required_columns = ("name",)

    class Meta(StewardTable.Meta):
        model = Institution
        fields = ("code", "name", "kind", "org", "lead_count", "is_active")
