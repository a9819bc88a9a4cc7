"""Potential customers (潜在客户, "leads"): LEAD-01, LEAD-02, LEAD-05, LEAD-06.

A lead is a person who is not (or not known to be) a customer yet. It comes in from an external
channel (mobile banking, a partner site: the channel's own reference makes a re-sent lead add
nothing), is typed in by hand, imported, brought by an institution (a payroll company, a partner)
or saved from a search. Its mobile number's ownership (province, city, carrier) is kept and routes
it, through the editable `RegionRoute` table, to the branch that receives it, into that org's
public pool (`LeadPool`). A lead whose person is already a customer (same ID number, customer
number or mobile) is linked to that customer and goes to the customer's relationship manager
instead of a pool.

The number and the ID number are personal data: encrypted, masked on display, found by their
blind indexes (as the customer's are).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from steward.access.scope import ScopedManager, ScopedQuerySet
from steward.privacy.fields import EncryptedPiiField, PiiCharField

CHANNEL_REF_MAX = 64


class LeadPool(models.Model):
    """Where leads wait for a holder (LEAD-06): an org's public pool, a department's pool, a
    person's own pool, or the invalid pool (leads found not worth following, with a reason)."""

    class Kind(models.TextChoices):
        PUBLIC = "public", _("Public pool")
        DEPARTMENT = "department", _("Department pool")
        PERSONAL = "personal", _("Personal pool")
        INVALID = "invalid", _("Invalid pool")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    org = models.ForeignKey("org.Org", verbose_name=_("org"), on_delete=models.PROTECT, related_name="lead_pools")
    # A personal pool's person.
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("holder"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead_pools",
    )
    # The pool's rules for claiming (LEAD-06), edited by its administrators; empty: no limit.
    daily_claim_cap = models.PositiveIntegerField(
        _("claims per person per day"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    max_held = models.PositiveIntegerField(
        _("most leads held at once"),
        null=True,
        blank=True,
        help_text=_("A person at this number of leads (of every pool) claims no more. Empty: no limit."),
    )
    # Stages of lead that do not count towards max_held (e.g. "intent": being worked on).
    held_excludes_stages = models.JSONField(_("stages not counted as held"), default=list, blank=True)
    reclaim_cooling_days = models.PositiveIntegerField(
        _("days before a previous holder may claim a reclaimed lead again"), default=0
    )
    new_lead_cooling_hours = models.PositiveIntegerField(
        _("hours before a newly pooled lead may be claimed"), default=0
    )

    # Who may claim (besides holding leads.lead:claim): the staff of the pool's org and the orgs
    # below it, of the pool's org only, or only the people named.
    class Claimers(models.TextChoices):
        ORG_TREE = "org_tree", _("Staff of the org and the orgs below it")
        ORG = "org", _("Staff of the org itself")
        NAMED = "named", _("Only the people named")

    claimers = models.CharField(_("who may claim"), max_length=10, choices=Claimers.choices, default=Claimers.ORG_TREE)
    named_claimers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("people who may claim"), blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    scope_org_field = "org"
    scope_owner_field = "holder"

    class Meta:
        ordering = ["org__path", "kind", "name", "pk"]
        verbose_name = _("lead pool")
        verbose_name_plural = _("lead pools")
        constraints = [
            # One public and one invalid pool per org; one personal pool per person.
            models.UniqueConstraint(
                fields=["org", "kind"], condition=Q(kind__in=["public", "invalid"]), name="lead_pool_one_per_org"
            ),
            models.UniqueConstraint(fields=["holder"], condition=Q(kind="personal"), name="lead_pool_one_personal"),
            models.CheckConstraint(
                condition=Q(kind="personal", holder__isnull=False) | (~Q(kind="personal") & Q(holder__isnull=True)),
                name="lead_pool_holder_iff_personal",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RegionRoute(models.Model):
    """Which org receives the leads whose mobile number belongs to a province, or to one city of
    it (LEAD-02). A city's row wins over its province's; a region without a row goes to the
    default org (parameter leads.default_org)."""

    province = models.CharField(_("province"), max_length=20)
    city = models.CharField(_("city"), max_length=30, blank=True, help_text=_("Empty: the whole province."))
    org = models.ForeignKey("org.Org", verbose_name=_("receiving org"), on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager()

    class Meta:
        ordering = ["province", "city"]
        verbose_name = _("region route")
        verbose_name_plural = _("region routes")
        constraints = [models.UniqueConstraint(fields=["province", "city"], name="region_route_unique")]

    @classmethod
    def scope_q(cls, user, grant):
        return Q()  # one table for the whole bank

    def __str__(self) -> str:
        return f"{self.province}{self.city} → {self.org}"

    def get_absolute_url(self) -> str:
        return reverse("leads:region_edit", args=[self.pk])


class Institution(models.Model):
    """A body that brings leads in bulk (LEAD-01): a payroll company whose staff are offered an
    account, a partner institution. The lead carries it, so its leads can be counted and followed."""

    class Kind(models.TextChoices):
        PAYROLL = "payroll", _("Payroll company")
        PARTNER = "partner", _("Partner institution")
        OTHER = "other", _("Other institution")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PAYROLL)
    # The org that looks after the association (its leads are routed there unless the file says otherwise).
    org = models.ForeignKey("org.Org", verbose_name=_("org"), on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ScopedManager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")

    @classmethod
    def scope_q(cls, user, grant):
        return Q()  # a bank-wide list, like the region table

    def __str__(self) -> str:
        return self.name


class ProtectionRule(models.Model):
    """How long a holder keeps a lead without working it (LEAD-04, LEAD-09), per org (and below)
    and lead level; the nearest org's rule for the level wins, then its rule for every level, then
    the bank-wide default (org empty). A lead is reclaimed when its holder did not contact it within
    `first_contact_days` of getting it, or after `max_followups_without_intent` follow-ups without it
    reaching "intent", or when fewer than `min_valid_followups` valid follow-ups were recorded in any
    `valid_window_days` (each valid follow-up moves the deadline on)."""

    class ReclaimTo(models.TextChoices):
        ORG_POOL = "org_pool", _("The org's public pool")
        POOL = "pool", _("A named pool")
        PERSON = "person", _("A named person")

    org = models.ForeignKey(
        "org.Org",
        verbose_name=_("org"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty: the whole bank."),
    )
    level = models.CharField(_("lead level"), max_length=10, blank=True, help_text=_("Empty: every level."))
    first_contact_days = models.PositiveIntegerField(_("days to the first contact"), default=7)
    max_followups_without_intent = models.PositiveIntegerField(
        _("follow-ups allowed without reaching intent"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    min_valid_followups = models.PositiveIntegerField(_("valid follow-ups required"), default=1)
    valid_window_days = models.PositiveIntegerField(_("within days"), default=30)
    remind_days_before = models.PositiveIntegerField(_("remind the holder days before"), default=1)
    reclaim_to = models.CharField(_("reclaim to"), max_length=10, choices=ReclaimTo.choices, default=ReclaimTo.ORG_POOL)
    reclaim_pool = models.ForeignKey(
        LeadPool, verbose_name=_("pool"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reclaim_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedQuerySet.as_manager()

    scope_org_field = "org"

    class Meta:
        ordering = ["org__path", "level", "pk"]
        verbose_name = _("protection rule")
        verbose_name_plural = _("protection rules")
        constraints = [
            models.UniqueConstraint(fields=["org", "level"], name="protection_rule_one_per_org_level"),
        ]

    def __str__(self) -> str:
        return f"{self.org or _('Whole bank')} · {self.level or _('every level')}"


class Lead(models.Model):
    class Source(models.TextChoices):
        CHANNEL = "channel", _("External channel")
        MANUAL = "manual", _("Entered by hand")
        IMPORT = "import", pgettext_lazy("lead source", "Import")
        INSTITUTION = "institution", _("Institution")
        SEARCH = "search", _("Saved from a search")

    class Stage(models.TextChoices):
        NEW = "new", pgettext_lazy("lead stage", "New")
        CONTACTED = "contacted", pgettext_lazy("lead stage", "Contacted")
        INTENT = "intent", pgettext_lazy("lead stage", "Intent")
        VALID = "valid", pgettext_lazy("lead stage", "Valid")
        CONVERTED = "converted", pgettext_lazy("lead stage", "Converted")
        INVALID = "invalid", pgettext_lazy("lead stage", "Invalid")

    class Level(models.TextChoices):
        HIGH = "high", pgettext_lazy("lead level", "High")
        NORMAL = "normal", pgettext_lazy("lead level", "Normal")
        LOW = "low", pgettext_lazy("lead level", "Low")

    name = models.CharField(_("name"), max_length=100)  # indexed in Meta (lead_name)
    mobile = PiiCharField(_("mobile"), max_length=20, blank=True, pii_kind="mobile", index_field="mobile_index")
    mobile_index = models.CharField(max_length=64, blank=True, editable=False)  # indexed in Meta
    mobile_province = models.CharField(_("mobile province"), max_length=20, blank=True)
    mobile_city = models.CharField(_("mobile city"), max_length=30, blank=True)
    mobile_carrier = models.CharField(_("mobile carrier"), max_length=20, blank=True)
    id_number = EncryptedPiiField(
        pgettext_lazy("customer", "ID number"), pii_kind="id_number", index_field="id_number_index", blank=True
    )
    id_number_index = models.CharField(max_length=64, blank=True, editable=False)  # indexed in Meta
    # The org that received it (region routing, or the existing customer's org) and, once someone
    # follows it, its holder; a lead waiting for a holder sits in a pool.
    org = models.ForeignKey(
        "org.Org",
        verbose_name=_("org"),
        on_delete=models.PROTECT,
        related_name="leads",
        db_index=False,
        db_constraint=False,  # as the holder's, below
    )
    pool = models.ForeignKey(
        LeadPool,
        verbose_name=_("pool"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
        db_index=False,  # lead_pool, partial: a held lead has none
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("holder"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="held_leads",
        db_index=False,
        # Written in bulk by the hand-over, which reads the holder (and so the org) it sets in the
        # same transaction: no constraint check per lead at commit (100,000 for one allocation).
        # Django's PROTECT still refuses to delete an employee or org that holds leads, and
        # employees are never deleted, only marked as gone.
        db_constraint=False,
    )
    # The customer this person already is (matched on entry) or became (conversion).
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
        db_index=False,  # lead_customer, partial: most leads are nobody's customer yet
    )
    # When it last entered its pool (a pool's cooling period for new leads counts from here).
    pooled_at = models.DateTimeField(_("in the pool since"), null=True, blank=True)
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default=Stage.NEW)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.NORMAL)
    # The current holder's protection (LEAD-04): since when they hold it, until when it is theirs
    # without more work (the countdown), and their follow-ups since they got it.
    assigned_at = models.DateTimeField(_("held since"), null=True, blank=True)
    protected_until = models.DateTimeField(_("protected until"), null=True, blank=True)
    # The deadline its holder was last reminded of (one reminder per deadline, LEAD-09).
    reminded_for = models.DateTimeField(null=True, blank=True, editable=False)
    followups = models.PositiveIntegerField(_("follow-ups"), default=0)
    valid_followups = models.PositiveIntegerField(_("valid follow-ups"), default=0)
    last_followup_at = models.DateTimeField(_("last follow-up"), null=True, blank=True)
    # When it reached these stages (quotas count new intent leads per day, TASK-05).
    intent_at = models.DateTimeField(_("intent since"), null=True, blank=True)
    valid_at = models.DateTimeField(_("valid since"), null=True, blank=True)
    converted_at = models.DateTimeField(_("converted at"), null=True, blank=True)
    invalid_reason = models.CharField(_("why invalid"), max_length=200, blank=True)
    # The RM credited with the conversion: whoever held the lead when the person became a customer.
    converted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("converted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    # The next appointment the holder made (LEAD-10): on their calendar, with a reminder.
    appointment_at = models.DateTimeField(_("next appointment"), null=True, blank=True)
    appointment_note = models.CharField(_("appointment"), max_length=200, blank=True)
    # A duplicate merged into another lead (LEAD-05): kept for its history, hidden from lists.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    channel = models.CharField(_("channel"), max_length=40, blank=True)
    # The channel's own reference: a lead sent again with it adds nothing.
    channel_ref = models.CharField(_("channel reference"), max_length=CHANNEL_REF_MAX, blank=True)
    campaign = models.CharField(_("campaign"), max_length=100, blank=True)
    institution = models.ForeignKey(
        Institution,
        verbose_name=_("institution"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
        db_index=False,
    )
    import_number = models.CharField(_("import number"), max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    scope_org_field = "org"
    scope_owner_field = "holder"

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("potential customer")
        verbose_name_plural = _("potential customers")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "channel_ref"], condition=~Q(channel_ref=""), name="lead_channel_ref_unique"
            )
        ]
        indexes = [
            # The blind indexes are only ever compared whole: plain indexes, not also the
            # pattern-matching (`_like`) twins Django adds for `db_index=True` — two index entries
            # fewer for every lead a hand-over rewrites.
            models.Index(fields=["mobile_index"], name="lead_mobile_index"),
            # The quick search by a name's beginning: a range on SQLite, LIKE 'x%' on PostgreSQL
            # (the pattern operator class; SQLite has none and makes a plain index of it).
            models.Index(fields=["name"], name="lead_name", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["id_number_index"], name="lead_id_number_index"),
            models.Index(fields=["org", "stage"], name="lead_org_stage"),
            models.Index(fields=["holder", "stage"], name="lead_holder_stage"),
            # Partial: a hand-over of 100,000 leads writes no index entry for the pool they leave
            # or the customer they are not (the UPDATE is the allocation's and reclaim's cost).
            models.Index(fields=["pool", "pooled_at"], condition=Q(pool__isnull=False), name="lead_pool"),
            models.Index(fields=["customer"], condition=Q(customer__isnull=False), name="lead_customer"),
            # Deleting a lead checks who was merged into it: without this, a scan per lead deleted.
            models.Index(fields=["merged_into"], condition=Q(merged_into__isnull=False), name="lead_merged_into"),
            # The list's order (newest first): a page is read down this index, not sorted.
            models.Index(fields=["created_at", "id"], name="lead_created"),
            # The reclaim job's and the reminder's read: held leads by deadline.
            models.Index(fields=["protected_until"], condition=Q(holder__isnull=False), name="lead_protected_until"),
            # Few leads carry these: partial indexes, so the hand-over's and the reclaim's UPDATEs
            # of a million-row table do not write an index entry of NULL for every lead moved.
            models.Index(fields=["institution"], condition=Q(institution__isnull=False), name="lead_institution"),
            models.Index(
                fields=["converted_by", "converted_at"],
                condition=Q(converted_by__isnull=False),
                name="lead_converted_by",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("leads:detail", args=[self.pk])

    @property
    def channel_label(self) -> str:
        """The channel as users read it (the code table lead_channel; an unknown code as sent)."""
        from steward.basedata.services import code_label

        return code_label("lead_channel", self.channel) if self.channel else ""

    @property
    def is_existing_customer(self) -> bool:
        return self.customer_id is not None


class LeadMove(models.Model):
    """A lead changing hands (LEAD-06, LEAD-09): claimed from a pool, assigned, reclaimed to a pool.
    The history across holders; the claims of a day count against a pool's daily cap, and a
    reclaim keeps its previous holder out for the pool's cooling period."""

    class Kind(models.TextChoices):
        CLAIM = "claim", _("Claimed")
        ASSIGN = "assign", _("Assigned")
        RECLAIM = "reclaim", _("Reclaimed")
        RELEASE = "release", _("Given back to the pool")
        INVALIDATE = "invalidate", _("Moved to the invalid pool")
        MERGE = "merge", _("Merged into another lead")
        CONVERT = "convert", _("Converted into a customer")

    # History, written by the statement that locks and moves the lead (so the lead exists): no
    # database constraint to check at commit for each of the 100,000 moves an allocation writes
    # (Django still deletes a lead's moves with it).
    lead = models.ForeignKey(
        Lead,
        verbose_name=_("potential customer"),
        on_delete=models.CASCADE,
        related_name="moves",
        db_constraint=False,
        db_index=False,  # lead_move_lead (lead, kind, at) serves every read by lead
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    pool = models.ForeignKey(
        LeadPool,
        verbose_name=_("pool"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        # History: no database constraint to check for each of the 100,000 moves an allocation
        # writes (Django still sets it to NULL when the row it names is deleted).
        db_constraint=False,
    )
    from_holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    to_holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    # A reclaim's rule (LEAD-09: "each reclaim is logged with the rule that fired").
    rule = models.ForeignKey(
        ProtectionRule,
        verbose_name=_("rule"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("lead move")
        verbose_name_plural = _("lead moves")
        indexes = [
            models.Index(fields=["to_holder", "kind", "at"], name="lead_move_claims"),
            models.Index(fields=["lead", "kind", "at"], name="lead_move_lead"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.at:%Y-%m-%d %H:%M}"


class Opportunity(models.Model):
    """A chance of business with a lead (LEAD-11): what product, how much, how likely; it moves
    through its own stages while the lead is followed, and stays in the lead's history."""

    class Stage(models.TextChoices):
        IDENTIFIED = "identified", pgettext_lazy("opportunity stage", "Identified")
        PROPOSED = "proposed", pgettext_lazy("opportunity stage", "Proposal made")
        NEGOTIATING = "negotiating", pgettext_lazy("opportunity stage", "Negotiating")
        WON = "won", pgettext_lazy("opportunity stage", "Won")
        LOST = "lost", pgettext_lazy("opportunity stage", "Lost")

    lead = models.ForeignKey(
        Lead, verbose_name=_("potential customer"), on_delete=models.CASCADE, related_name="opportunities"
    )
    title = models.CharField(_("title"), max_length=100)
    product = models.CharField(_("product"), max_length=100, blank=True)
    amount = models.DecimalField(_("expected amount"), max_digits=18, decimal_places=2, null=True, blank=True)
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.IDENTIFIED)
    expected_on = models.DateField(_("expected by"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("leads:detail", args=[self.lead_id])
