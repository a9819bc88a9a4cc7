"""Allocation of potential customers (分配, LEAD-03, LEAD-08).

An allocation rule says which waiting leads go where: from a pool of its org (narrowed by an
optional filter — stage, level, source, campaign, how recent, an import number) to targets —
either the org's direct child orgs (step-by-step: each level's public pool receives its share and
allocates it onward with its own rule) or named people (direct: straight to relationship
managers). The method (even, random, weighted) decides the shares; per-person caps (per day, and
the most leads held at once) and leave decide who is skipped. A rule runs by hand after a preview
(semi-automatic) or on its daily time (automatic); picking leads and people without a rule is
manual allocation. Every run is recorded with who got how many and who was skipped and why.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from steward.access.scope import ScopedQuerySet


class Method(models.TextChoices):
    EVEN = "even", pgettext_lazy("allocation method", "Even")
    RANDOM = "random", pgettext_lazy("allocation method", "Random")
    WEIGHTED = "weighted", pgettext_lazy("allocation method", "Weighted")


class Mode(models.TextChoices):
    MANUAL = "manual", pgettext_lazy("allocation mode", "Manual")
    SEMI_AUTOMATIC = "semi", pgettext_lazy("allocation mode", "Semi-automatic")
    AUTOMATIC = "auto", pgettext_lazy("allocation mode", "Automatic")


class Path(models.TextChoices):
    STEP = "step", _("Step by step (to the child orgs' pools)")
    DIRECT = "direct", _("Direct (to people)")


class AllocationRule(models.Model):
    """A saved allocation (LEAD-08 分配规则) of one org's waiting leads.

    Targets: for step-by-step, `target_orgs` (direct child orgs of `org`; none named means every
    active child org); for direct, `target_employees` (people of `org` or below). Both are plain
    many-to-many relations so a target that leaves or moves is seen at the next run.
    """

    name = models.CharField(_("name"), max_length=100)
    org = models.ForeignKey(
        "org.Org",
        verbose_name=_("org"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Whose rule: its leads and its targets lie in this org."),
    )
    source_pool = models.ForeignKey(
        "leads.LeadPool",
        verbose_name=_("source pool"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Narrows the pool's waiting leads: {"stages": [...], "levels": [...], "sources": [...],
    # "campaign": "...", "created_within_days": N, "import_number": "..."}; every key optional.
    lead_filter = models.JSONField(_("lead filter"), default=dict, blank=True)
    path = models.CharField(_("allocation path"), max_length=10, choices=Path.choices, default=Path.DIRECT)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices, default=Method.EVEN)
    target_orgs = models.ManyToManyField(
        "org.Org",
        verbose_name=_("target orgs"),
        blank=True,
        related_name="+",
        help_text=_("Step by step: the child orgs that receive a share. None chosen: every active child org."),
    )
    target_employees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("target people"),
        blank=True,
        related_name="+",
    )
    daily_cap = models.PositiveIntegerField(
        _("leads per person per day"),
        null=True,
        blank=True,
        help_text=_("Counts the leads a person was assigned or claimed today. Empty: no limit."),
    )
    total_cap = models.PositiveIntegerField(
        _("most leads held per person"),
        null=True,
        blank=True,
        help_text=_("A person holding this many open leads receives no more. Empty: no limit."),
    )
    per_run_limit = models.PositiveIntegerField(
        _("most leads per run"), null=True, blank=True, help_text=_("Empty: every waiting lead.")
    )
    mode = models.CharField(_("mode"), max_length=6, choices=Mode.choices, default=Mode.SEMI_AUTOMATIC)
    run_at = models.TimeField(
        _("daily run time"), null=True, blank=True, help_text=_("Automatic rules run once a day from this time.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    scope_org_field = "org"
    scope_owner_field = "created_by"

    class Meta:
        ordering = ["org__path", "name", "pk"]
        verbose_name = _("allocation rule")
        verbose_name_plural = _("allocation rules")
        constraints = [
            models.CheckConstraint(
                condition=~Q(mode="auto") | Q(run_at__isnull=False),
                name="allocation_rule_auto_has_time",
                violation_error_message=_("An automatic rule needs its daily run time."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("allocation:rule_detail", args=[self.pk])


class AllocationRun(models.Model):
    """One allocation carried out (LEAD-08): by a rule (by hand or on its schedule) or manual.

    `shares` lists who received how many: [{"id", "kind": "employee" | "org", "name", "count"}];
    `skipped` who received nothing and why: [{"id", "name", "reason"}] (on leave, left, at the
    daily cap, at the most held, weight 0)."""

    rule = models.ForeignKey(
        AllocationRule, verbose_name=_("rule"), null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    # The org whose leads were allocated: the rule's org, or for a manual allocation the nearest
    # org above every lead; the run is seen by those whose scope reaches it.
    org = models.ForeignKey("org.Org", verbose_name=_("org"), on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(_("mode"), max_length=6, choices=Mode.choices)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    path = models.CharField(_("allocation path"), max_length=10, choices=Path.choices)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("run by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty: the schedule."),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    leads_found = models.PositiveIntegerField(_("leads waiting"), default=0)
    leads_moved = models.PositiveIntegerField(_("leads allocated"), default=0)
    shares = models.JSONField(_("shares"), default=list, blank=True)
    skipped = models.JSONField(_("skipped"), default=list, blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_org_field = "org"
    scope_owner_field = "run_by"

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("allocation run")
        verbose_name_plural = _("allocation runs")
        indexes = [models.Index(fields=["rule", "mode", "at"], name="allocation_run_rule")]

    def __str__(self) -> str:
        return f"{self.rule or _('Manual allocation')} · {timezone.localtime(self.at):%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("allocation:run_detail", args=[self.pk])
