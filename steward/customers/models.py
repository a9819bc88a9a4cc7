"""The customer master — CUS-01, CUS-09, CUS-10, CUS-15, CUS-16.

A personal customer as core banking knows it (customer number = CIF), with identity and
contact data protected as personal financial information, its managing org and primary RM
(管户). The figures the daily intake derives (AUM, average daily assets, tier) are in
`CustomerFigures`, one narrow row per customer (`customer.figures`).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import connection, models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from steward.access.scope import SCOPE_OWN, ScopedQuerySet, scope_condition
from steward.core.db_functions import MonthOf
from steward.core.models import TimeStampedModel
from steward.privacy.fields import EncryptedPiiField, PiiCharField, PiiEmailField

MONEY = {"max_digits": 20, "decimal_places": 2, "default": Decimal("0.00")}


class CustomerQuerySet(ScopedQuerySet):
    def visible_to(self, user, permission: str):
        """The data scope, then the confidentiality rule (CUS-10): a confidential customer is
        visible only to its owner and to users explicitly granted access — administrators included."""
        queryset = super().visible_to(user, permission)
        if user is None or not getattr(user, "is_authenticated", False):
            return queryset
        granted = ConfidentialGrant.objects.opening_to(user)
        return queryset.filter(Q(is_confidential=False) | Q(owner=user) | Q(pk__in=granted))


# A customer's identity, contact and profile columns as the bulk paths (the daily intake, the
# import) stage them, with their staging types; each path adds the columns it also sets.
STAGED_CUSTOMER_COLUMNS = [
    ("cif", "text"),
    ("name", "text"),
    ("id_type", "text"),
    ("id_number", "text"),
    ("id_number_index", "text"),
    ("birth_date", "date"),
    ("gender", "text"),
    ("mobile", "text"),
    ("mobile_province", "text"),
    ("mobile_city", "text"),
    ("mobile_carrier", "text"),
    ("mobile_index", "text"),
    ("address", "text"),
    ("occupation", "text"),
    ("education", "text"),
    ("income_band", "text"),
    ("risk_level", "text"),
]


class Customer(TimeStampedModel):
    class Gender(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")
        UNKNOWN = "U", _("Unknown")

    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("customer status", "Active")
        DORMANT = "dormant", _("Dormant")
        CLOSED = "closed", _("Closed")
        MERGED = "merged", _("Merged into another customer")

    class Kyc(models.TextChoices):
        PENDING = "pending", _("Pending")
        VERIFIED = "verified", _("Verified")
        EXPIRED = "expired", _("Expired")

    cif = models.CharField(_("customer number"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)  # indexed in Meta.indexes
    id_type = models.CharField(_("ID type"), max_length=10, default="01")
    id_number = EncryptedPiiField(
        pgettext_lazy("customer", "ID number"), pii_kind="id_number", index_field="id_number_index"
    )
    id_number_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    birth_date = models.DateField(_("birth date"), null=True, blank=True, db_index=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, default=Gender.UNKNOWN)
    mobile = PiiCharField(
        _("mobile"), max_length=20, blank=True, db_index=True, pii_kind="mobile", index_field="mobile_index"
    )
    # The mobile's blind index (HMAC): the call centre's calls find their customer by it (SVC-05).
    mobile_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    mobile_province = models.CharField(_("mobile province"), max_length=20, blank=True)
    mobile_city = models.CharField(_("mobile city"), max_length=30, blank=True)
    mobile_carrier = models.CharField(_("mobile carrier"), max_length=20, blank=True)
    address = PiiCharField(_("address"), max_length=200, blank=True, pii_kind="address")
    occupation = models.CharField(_("occupation"), max_length=10, blank=True)
    education = models.CharField(_("education"), max_length=10, blank=True)
    income_band = models.CharField(_("income band"), max_length=10, blank=True)
    risk_level = models.CharField(_("risk rating"), max_length=2, blank=True, db_index=True)
    risk_expires_on = models.DateField(_("risk rating expires on"), null=True, blank=True)
    kyc_status = models.CharField(_("KYC status"), max_length=10, choices=Kyc.choices, default=Kyc.PENDING)
    source = models.CharField(_("customer source"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    sms_subscribed = models.BooleanField(_("SMS notices"), default=False)
    phone_notice_subscribed = models.BooleanField(_("phone notices"), default=False)
    # E-mail and its subscription (CUS-16); messages go out through steward.channels (INT-05).
    email = PiiEmailField(_("e-mail"), blank=True, pii_kind="email")
    email_subscribed = models.BooleanField(_("e-mail notices"), default=False)
    org = models.ForeignKey(
        "org.Org", verbose_name=_("managing org"), on_delete=models.PROTECT, related_name="customers"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("relationship manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_customers",
    )
    is_confidential = models.BooleanField(_("confidential"), default=False)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    # When Steward last decided who owns the customer (an assignment, an approved transfer or
    # allocation, a leaver's reassignment, creation with an owner). From then on the core-banking
    # customers file no longer sets the owner, unless the installation lets it (CUS-09, see
    # steward/customers/mastering.py). Empty: Steward never decided, the file's owner applies.
    owner_decided_at = models.DateTimeField(_("owner decided in Steward at"), null=True, blank=True, editable=False)

    objects = CustomerQuerySet.as_manager()

    scope_org_field = "org"
    scope_owner_field = "owner"
    # The audit trail shows these only to readers who may see the customer's identity (CUS-10).
    audit_identity_fields = ("name", "cif", "id_number", "mobile", "address")
    audit_hidden_label = _("Confidential customer")

    class Meta:
        ordering = ["cif"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            models.Index(fields=["name"], name="customer_name"),
            # Quick search by name prefix (LIKE 'x%') on PostgreSQL. It carries what the data scope
            # tests, so counting a common surname's matches is an index-only scan. Created on
            # PostgreSQL only (migration 0005): elsewhere it would repeat customer_name.
            models.Index(
                fields=["name"],
                name="customer_name_prefix",
                opclasses=["varchar_pattern_ops"],
                include=["id", "is_confidential", "owner", "org"],
            ),
            # The birthday-month filter and segment rule (MonthOf, plain SQL). Besides finding a
            # month's customers, the index gives PostgreSQL statistics on the month: without them
            # it guessed 0.5 % of rows for any month (1/12 really) and walked a big list's AUM index
            # with parallel workers that read 34,000 customers for a page of 20 (311 → 37 ms cold).
            models.Index(MonthOf("birth_date"), name="customer_birth_month"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.cif})"

    @property
    def last_contact_at(self):
        """When the customer was last contacted (LastContact), None if never. A query that
        annotates `last_contact_at=F("last_contact__at")` sets it without a read per customer."""
        if "_last_contact_at" in self.__dict__:
            return self.__dict__["_last_contact_at"]
        try:
            return self.last_contact.at  # (cached as the relation, cleared by refresh_from_db)
        except LastContact.DoesNotExist:
            return None

    @last_contact_at.setter
    def last_contact_at(self, value) -> None:  # (an annotation of the same name)
        self.__dict__["_last_contact_at"] = value

    def get_absolute_url(self) -> str:
        # A list row links both its customer number and its name here: reversed once per record.
        if self.__dict__.get("_url_for_pk", (None,))[0] != self.pk:
            self.__dict__["_url_for_pk"] = (self.pk, reverse("customers:customer_detail", args=[self.pk]))
        return self.__dict__["_url_for_pk"][1]

    def age_on(self, today):
        """Age in whole years on `today`; derived from the birth date, never stored."""
        from steward.customers.identity import age_on

        return age_on(self.birth_date, today)

    @classmethod
    def audit_hidden(cls, user):
        """The customers whose identity `user` may not read in the audit trail: the confidential
        ones they neither own nor hold a grant for (CUS-10)."""
        granted = ConfidentialGrant.objects.opening_to(user)
        return cls.objects.filter(is_confidential=True).exclude(owner=user).exclude(pk__in=granted)

    @classmethod
    def scope_q(cls, user, grant):
        # "Own" customers are those the RM owns or co-manages (related customers, CUS-09).
        if grant.scope == SCOPE_OWN:
            # A sub-select, not a join: a join would repeat a customer once per co-manager.
            return Q(owner=user) | Q(pk__in=CoManager.objects.filter(user=user).values("customer_id"))
        return scope_condition(_Plain, user, grant)


class CustomerFigures(models.Model):
    """The figures the daily intake derives for one customer (DAT-04, CUS-06, CUS-07), as of `as_of`.

    A table of their own, one row per customer (created with the customer): every day's load
    rewrites every customer's averages, and rewriting the wide, heavily indexed customer row
    instead cost fifteen times as much. The running sums belong to the periods containing `as_of`,
    so a new day adds its own AUM instead of rescanning the period (see steward/holdings/figures.py).
    """

    customer = models.OneToOneField(Customer, primary_key=True, on_delete=models.CASCADE, related_name="figures")
    as_of = models.DateField(_("figures as of"), null=True, blank=True)
    aum = models.DecimalField(_("AUM"), db_index=True, **MONEY)
    aum_30_days_ago = models.DecimalField(_("AUM 30 days ago"), **MONEY)
    avg_daily_assets_month = models.DecimalField(_("average daily assets (month)"), **MONEY)
    avg_daily_assets_quarter = models.DecimalField(_("average daily assets (quarter)"), **MONEY)
    avg_daily_assets_year = models.DecimalField(_("average daily assets (year)"), **MONEY)
    tier = models.CharField(pgettext_lazy("customer", "tier"), max_length=20, blank=True)  # indexed in Meta
    contribution_ytd = models.DecimalField(_("contribution this year"), **MONEY)
    aum_sum_month = models.DecimalField(max_digits=24, decimal_places=2, default=Decimal("0"))
    aum_sum_quarter = models.DecimalField(max_digits=24, decimal_places=2, default=Decimal("0"))
    aum_sum_year = models.DecimalField(max_digits=24, decimal_places=2, default=Decimal("0"))
    contribution_sum_year = models.DecimalField(max_digits=24, decimal_places=4, default=Decimal("0"))

    class Meta:
        verbose_name = _("customer figures")
        verbose_name_plural = _("customer figures")
        # A plain index: tiers are compared whole, and every customer's row is rewritten by each
        # day's intake, so the pattern-ops twin db_index=True adds on PostgreSQL only cost time.
        indexes = [models.Index(fields=["tier"], name="customer_figures_tier")]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.aum} ({self.as_of})"


class LastContactManager(models.Manager):
    def move_forward(self, select_sql: str, params=()) -> int:
        """Set the last contact of the customers `select_sql` names — a SELECT of (customer_id, at),
        one row per customer — where it is later than the stored one or none is stored; never
        moves one back. One INSERT … ON CONFLICT DO UPDATE for all of them (an update in place
        where the row exists). Returns how many customers moved."""
        table = self.model._meta.db_table
        with connection.cursor() as cursor:
            # (The WHERE lets SQLite tell the upsert's ON CONFLICT from a join's ON.)
            cursor.execute(
                f"INSERT INTO {table} (customer_id, at) SELECT moved.customer_id, moved.at FROM ({select_sql}) moved "
                f"WHERE moved.at IS NOT NULL ORDER BY moved.customer_id "
                f"ON CONFLICT (customer_id) DO UPDATE SET at = excluded.at WHERE {table}.at < excluded.at",
                list(params),
            )
            return max(cursor.rowcount, 0)


class LastContact(models.Model):
    """When the customer was last contacted (SVC-05): the latest interaction that counts as a contact.
    No row: never contacted. Kept by steward.interactions (`services.touch_last_contact`, the
    end-of-day call matching), only ever moved forward.

    A narrow table of its own, not a column of the customer: the call matching alone moves the
    last contact of hundreds of thousands of customers a night, and rewriting the wide, encrypted,
    heavily indexed customer row for it cost most of the job (docs/benchmarks.md, `calls`). Nothing
    indexes `at`, and the pages keep room (fill factor, PostgreSQL), so a move is an update in place.
    Read it as `Customer.last_contact_at`, or filter on `last_contact__at`."""

    customer = models.OneToOneField(Customer, primary_key=True, on_delete=models.CASCADE, related_name="last_contact")
    at = models.DateTimeField(_("last contact"))

    objects = LastContactManager()

    class Meta:
        verbose_name = _("last contact")
        verbose_name_plural = _("last contacts")

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.at:%Y-%m-%d %H:%M}"


class _Plain:
    """Lets Customer.scope_q fall back to the standard org/owner rules for other scopes."""

    scope_org_field = "org"
    scope_owner_field = "owner"


class CoManager(models.Model):
    """A co-managing RM (协管) of a customer; sees it under "related customers"."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="co_managers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="co_managed")
    since = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["customer", "user"], name="uniq_co_manager")]


class ConfidentialGrantQuerySet(models.QuerySet):
    def in_force(self, today=None):
        """Grants that open their customer on `today` (default: the local date): without an expiry
        date, or expiring today or later — the expiry date is the last day of access (CUS-10)."""
        today = today or timezone.localdate()
        return self.filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))

    def opening_to(self, user, today=None):
        """The ids of the confidential customers `user` holds a grant in force for — the one place
        the confidentiality rule reads grants (visibility and the audit trail's identity)."""
        return self.filter(user=user).in_force(today).values("customer_id")


class ConfidentialGrant(models.Model):
    """Explicit access to a confidential customer (CUS-10), until an optional expiry date."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="confidential_grants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("employee"), on_delete=models.CASCADE, related_name="+"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("granted by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    # The last day the grant opens the customer; empty: until revoked.
    expires_on = models.DateField(_("access until"), null=True, blank=True)

    objects = ConfidentialGrantQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_at", "-pk"]
        verbose_name = _("confidential access grant")
        verbose_name_plural = _("confidential access grants")
        constraints = [models.UniqueConstraint(fields=["customer", "user"], name="uniq_confidential_grant")]

    def __str__(self) -> str:
        return f"{self.customer_id} → {self.user_id}"

    def is_in_force(self, today=None) -> bool:
        return self.expires_on is None or self.expires_on >= (today or timezone.localdate())


class NoteQuerySet(models.QuerySet):
    def readable_by(self, user):
        """Public notes, and the reader's own private notes — never anyone else's (CUS-11)."""
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(Q(is_private=False) | Q(author=user))


class CustomerNote(models.Model):
    """A note on a customer (CUS-11): public to whoever sees the customer, or private to its author."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("note"), max_length=2000)
    is_private = models.BooleanField(_("private"), default=False)
    created_at = models.DateTimeField(_("written at"))

    objects = NoteQuerySet.as_manager()
    # The audit trail records that the text changed, never the text (CUS-11, PLT-07).
    audit_redacted_fields = ("body",)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("customer note")
        verbose_name_plural = _("customer notes")

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.body[:30]}"

    def get_absolute_url(self) -> str:
        return reverse("customers:customer_detail", args=[self.customer_id]) + "?tab=notes"


class NoteMention(models.Model):
    """A colleague @mentioned in a public note (SVC-12): told when it was written, and found by
    "notes that mention me". Written only for colleagues who may see the note's customer."""

    note = models.ForeignKey(CustomerNote, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("employee"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("note mention")
        verbose_name_plural = _("note mentions")
        constraints = [models.UniqueConstraint(fields=["note", "user"], name="uniq_note_mention")]
        indexes = [models.Index(fields=["user", "note"], name="note_mention_user")]

    def __str__(self) -> str:
        return f"{self.note_id} @{self.user_id}"


class OwnershipChange(models.Model):
    """Who moved a customer from whom to whom, when and why (CUS-09)."""

    class Kind(models.TextChoices):
        TRANSFER = "transfer", _("Transfer")
        ALLOCATION = "allocation", _("Allocation")
        LEAVER = "leaver", _("Owner left")
        MANUAL = "manual", _("Assigned")
        INTAKE = "intake", _("Core banking file")
        CONFLICT = "conflict", _("Ownership conflict resolved")
        LEAD = "lead", _("Converted from a potential customer")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="ownership_changes")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    from_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"))
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    application = models.ForeignKey(
        "approvals.Application", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("ownership change")
        verbose_name_plural = _("ownership changes")


class CorporateParty(TimeStampedModel):
    """A corporate counterparty a personal customer is related to (employer, own company …)."""

    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("corporate party")
        verbose_name_plural = _("corporate parties")

    def __str__(self) -> str:
        return self.name


class CustomerRelation(models.Model):
    """Person ↔ person or person ↔ corporate counterparty (CUS-15)."""

    class Kind(models.TextChoices):
        SPOUSE = "spouse", _("Spouse")
        PARENT = "parent", _("Parent")
        CHILD = "child", _("Child")
        SIBLING = "sibling", _("Sibling")
        RELATIVE = "relative", _("Other relative")
        FRIEND = "friend", _("Friend / referrer")
        LEGAL_REP = "legal_rep", _("Legal representative of")
        SHAREHOLDER = "shareholder", _("Shareholder of")
        EXECUTIVE = "executive", _("Executive of")
        EMPLOYEE = "employee", _("Employee of")

    PERSON_KINDS = ("spouse", "parent", "child", "sibling", "relative", "friend")
    CORPORATE_KINDS = ("legal_rep", "shareholder", "executive", "employee")
    INVERSE = {"spouse": "spouse", "parent": "child", "child": "parent", "sibling": "sibling"}

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="relations")
    kind = models.CharField(_("relation"), max_length=12, choices=Kind.choices)
    related_customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("customer")
    )
    corporate = models.ForeignKey(
        CorporateParty,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="relations",
        verbose_name=_("corporate party"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(related_customer__isnull=False, corporate__isnull=True)
                | Q(related_customer__isnull=True, corporate__isnull=False),
                name="relation_has_one_counterparty",
            ),
        ]


class HouseholdQuerySet(models.QuerySet):
    def visible_to(self, user, permission: str):
        """Households with at least one member `user` may see under `permission` (CUS-08)."""
        visible = Customer.objects.visible_to(user, permission).values("pk")
        return self.filter(pk__in=HouseholdMember.objects.filter(customer__in=visible).values("household_id"))


class Household(TimeStampedModel):
    """A family (CUS-08): customers grouped for a household view; its AUM is the sum of its members'."""

    name = models.CharField(_("name"), max_length=100)
    head = models.ForeignKey(
        Customer,
        verbose_name=_("head of household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    org = models.ForeignKey("org.Org", verbose_name=_("managing org"), on_delete=models.PROTECT, related_name="+")

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("customers:household_detail", args=[self.pk])


class HouseholdMember(models.Model):
    """A customer's place in a household; a customer belongs to at most one household."""

    class Role(models.TextChoices):
        HEAD = "head", _("Head")
        SPOUSE = "spouse", _("Spouse")
        CHILD = "child", _("Child")
        PARENT = "parent", _("Parent")
        OTHER = "other", _("Other")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="household_membership")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.OTHER)
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    class Meta:
        ordering = ["household", "pk"]
        verbose_name = _("household member")
        verbose_name_plural = _("household members")


class CustomerAlias(models.Model):
    """A customer number that now means another customer (CUS-12).

    When a duplicate is merged, its number becomes an alias of the survivor: the next days'
    files that still name it (customers, accounts) land on the survivor, and the duplicate, kept
    as MERGED, never comes back. Aliases are kept flat — when the survivor is merged in turn, its
    aliases move on to the new survivor — so one lookup always reaches the final survivor."""

    cif = models.CharField(_("customer number"), max_length=32, unique=True)
    customer = models.ForeignKey(
        Customer, verbose_name=_("now known as"), on_delete=models.CASCADE, related_name="aliases"
    )
    merged_customer = models.ForeignKey(
        Customer, verbose_name=_("merged customer"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["cif"]
        verbose_name = _("customer number alias")
        verbose_name_plural = _("customer number aliases")

    def __str__(self) -> str:
        return f"{self.cif} → {self.customer_id}"


class OwnershipConflictQuerySet(models.QuerySet):
    def visible_to(self, user, permission: str):
        """Conflicts of the customers `user` may see under `permission` (scope and confidentiality)."""
        return self.filter(customer__in=Customer.objects.visible_to(user, permission).values("pk"))


class OwnershipConflict(models.Model):
    """The core-banking file names another owner than the one Steward decided (CUS-09).

    Recorded by the daily intake instead of applying the file's owner (unless the installation
    lets core banking override Steward); an administrator keeps Steward's owner or takes the
    file's, which then goes through the ownership service and its history. One open conflict per
    customer: a later file refreshes it. Once Steward's owner was kept against a file owner, the
    same disagreement is not raised again."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        KEPT = "kept", _("Steward's owner kept")
        TAKEN = "taken", _("File's owner taken")
        MERGED = "merged", _("Customer merged")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="ownership_conflicts"
    )
    steward_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner in Steward"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    file_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner in the file"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField(_("source system"), max_length=20)
    data_date = models.DateField(_("data date"))
    # The intake batch (holdings.IntakeBatch) that last reported it; a plain id, as holdings builds on customers.
    intake_batch_id = models.BigIntegerField(_("intake batch"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    detected_at = models.DateTimeField(_("detected at"))
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    objects = OwnershipConflictQuerySet.as_manager()

    class Meta:
        ordering = ["-data_date", "-pk"]
        verbose_name = _("ownership conflict")
        verbose_name_plural = _("ownership conflicts")
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=Q(status="open"), name="uniq_open_ownership_conflict"
            )
        ]
        indexes = [models.Index(fields=["status", "data_date"], name="ownership_conflict_status")]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.steward_owner_id} / {self.file_owner_id}"

    @property
    def source_label(self) -> str:
        from steward.customers.sources import source_label

        return source_label(self.source)
