"""Products, accounts, balances and transactions — DAT-02, DAT-03; the daily intake — DAT-01;
the figures derived from it — DAT-04, DAT-06, CUS-06, CUS-07; reminders — DAT-05.

Holdings are not a table of their own: a customer's holding of a product is the balance of
the account (账户/持仓) through which they hold it. `DailyBalance` keeps each account's balance
per data date (the latest is the customer's `figures_as_of`). See docs/data-intake.md.

Rows about a customer are visible exactly when their customer is (`CustomerDataQuerySet`):
the user's grants for the permission asked are applied to the customer, including the
confidentiality rule.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from steward.access.scope import path_range_q
from steward.core.models import TimeStampedModel
from steward.customers.models import Customer
from steward.privacy.fields import PiiCharField

MONEY = {"max_digits": 20, "decimal_places": 2}
ZERO = Decimal("0.00")
PATH_SEGMENT_WIDTH = 4


class CustomerDataQuerySet(models.QuerySet):
    def visible_to(self, user, permission: str):
        """Rows whose customer `user` may see under `permission` (scope + confidentiality)."""
        return self.filter(customer_id__in=Customer.objects.visible_to(user, permission).values("pk"))


class BankWideQuerySet(models.QuerySet):
    def visible_to(self, user, permission: str):
        """Catalogue data: everyone holding the permission sees all of it."""
        from steward.access.services import has_permission

        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self if has_permission(user, permission) else self.none()


class ProductCategory(models.Model):
    """A node of the product category tree (materialized path, like steward.org.Org)."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    sort_order = models.PositiveSmallIntegerField(default=0)

    objects = BankWideQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")

    def __str__(self) -> str:
        from django.utils import translation

        if self.name_en and (translation.get_language() or "").startswith("en"):
            return self.name_en
        return self.name

    def save(self, *args, **kwargs):
        if self.pk is None:
            super().save(*args, **kwargs)
            kwargs.pop("force_insert", None)
        prefix = self.parent.path if self.parent_id else ""
        self.path = f"{prefix}{self.pk:0{PATH_SEGMENT_WIDTH}d}/"
        self.depth = self.path.count("/") - 1
        super().save(*args, **{k: v for k, v in kwargs.items() if k != "force_insert"})

    def subtree(self):
        return ProductCategory.objects.filter(path_range_q("path", self.path))

    @property
    def root_id(self) -> int:
        return int(self.path.split("/")[0])


class Product(TimeStampedModel):
    code = models.CharField(_("product code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    category = models.ForeignKey(
        ProductCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="products"
    )
    risk_level = models.CharField(_("risk level"), max_length=2, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    term_days = models.PositiveIntegerField(_("term (days)"), null=True, blank=True)
    maturity_date = models.DateField(_("maturity date"), null=True, blank=True, db_index=True)
    is_liability = models.BooleanField(_("liability (loan)"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    objects = BankWideQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Account(TimeStampedModel):
    """A customer's account or position in one product (master data; balances are in DailyBalance,
    so a new day does not rewrite every account row)."""

    number = PiiCharField(_("account number"), max_length=40, unique=True, pii_kind="account")
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="accounts"
    )
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="accounts")
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    expires_on = models.DateField(_("card expires on"), null=True, blank=True)
    # The data date of the file whose master fields (holder, product, dates) were last applied:
    # a re-delivered older day never moves them backwards (docs/data-intake.md).
    data_date = models.DateField(_("master data as of"), null=True, blank=True, editable=False)

    objects = CustomerDataQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        # expires_on: the daily card-expiry reminders read the next N days of it.
        indexes = [models.Index(fields=["customer", "product"]), models.Index(fields=["expires_on"])]

    def __str__(self) -> str:
        return f"{self.product.name} · …{self.number[-4:]}"


class DailyBalance(models.Model):
    # The daily fact tables carry no database foreign keys: checking and row-locking the account
    # and customer of every inserted row at commit was a third of a day's load. Every id comes from
    # a join inside the load's own transaction, and Django still cascades deletes.
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="daily_balances", db_constraint=False)
    customer = models.ForeignKey(  # denormalized; its lookups use the (customer, data_date) index
        Customer, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    data_date = models.DateField(_("data date"))
    # The source system that delivered it: a day is the union of its sources, and a source's
    # re-run replaces its own rows of the day only.
    source = models.CharField(_("source"), max_length=30, default="core")
    balance = models.DecimalField(_("balance"), **MONEY)

    objects = CustomerDataQuerySet.as_manager()

    class Meta:
        verbose_name = _("daily balance")
        verbose_name_plural = _("daily balances")
        constraints = [models.UniqueConstraint(fields=["data_date", "account"], name="uniq_daily_balance")]
        indexes = [models.Index(fields=["customer", "data_date"])]


class Transaction(models.Model):
    class Direction(models.TextChoices):
        CREDIT = "C", _("Credit (in)")
        DEBIT = "D", _("Debit (out)")

    reference = models.CharField(_("reference"), max_length=40)
    account = models.ForeignKey(  # no database foreign keys on the daily facts: see DailyBalance
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    customer = models.ForeignKey(  # denormalized; its lookups use the (customer, booked_at) index
        Customer, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    data_date = models.DateField(_("data date"))
    source = models.CharField(_("source"), max_length=30, default="core")  # see DailyBalance.source
    booked_at = models.DateTimeField(_("booked at"))
    amount = models.DecimalField(_("amount"), **MONEY)
    direction = models.CharField(_("direction"), max_length=1, choices=Direction.choices)
    channel = models.CharField(_("channel"), max_length=20, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)

    objects = CustomerDataQuerySet.as_manager()

    class Meta:
        ordering = ["-booked_at"]
        verbose_name = _("transaction")
        verbose_name_plural = _("transactions")
        # References are unique within a source system's day; two systems may use the same one.
        constraints = [
            models.UniqueConstraint(fields=["data_date", "source", "reference"], name="uniq_transaction_source_ref")
        ]
        indexes = [models.Index(fields=["customer", "booked_at"])]


# --- derived figures -------------------------------------------------------------------------


class DailyFigures(models.Model):
    """One customer's figures on one data date: the asset trend's daily points (DAT-06)."""

    # No index of its own: uniq_daily_figures (customer, data_date) serves the customer's lookups,
    # and a day's million inserts maintain one index fewer. No database foreign key either (see
    # DailyBalance): its check of every row at commit cost a million index probes a day.
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    data_date = models.DateField()
    aum = models.DecimalField(**MONEY)
    liabilities = models.DecimalField(**MONEY)
    contribution = models.DecimalField(max_digits=20, decimal_places=4)

    objects = CustomerDataQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["customer", "data_date"], name="uniq_daily_figures")]
        indexes = [models.Index(fields=["data_date"])]


class TierChange(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="tier_changes")
    data_date = models.DateField(_("data date"))
    old_tier = models.CharField(_("from"), max_length=20, blank=True)
    new_tier = models.CharField(_("to"), max_length=20)
    aum = models.DecimalField(_("AUM"), **MONEY)

    objects = CustomerDataQuerySet.as_manager()

    class Meta:
        ordering = ["-data_date", "-pk"]
        verbose_name = _("tier change")
        verbose_name_plural = _("tier changes")
        constraints = [models.UniqueConstraint(fields=["customer", "data_date"], name="uniq_tier_change")]
        # The workbench's "tier moves of the last 7 days": without it PostgreSQL scanned every
        # tier change of the bank to find the week's (35 ms at 1,000,000 customers).
        indexes = [models.Index(fields=["data_date"], name="tier_change_date")]


# --- reminders -------------------------------------------------------------------------------


# A large-transaction reminder's text is the transaction's direction code; readers see these.
DIRECTION_WORDS = {"C": _("Money in"), "D": _("Money out")}


class ReminderQuerySet(CustomerDataQuerySet):
    """Reminders follow the customer (SVC-03): whose they are is the customer's owner *now*, never
    the owner stored when the reminder was raised (steward.holdings.reminders.reminders_of)."""

    @staticmethod
    def current_q(today) -> models.Q:
        """The condition of `current`, for a query that needs it as a value (an annotation)."""
        return models.Q(state=Reminder.State.OPEN) | models.Q(state=Reminder.State.SNOOZED, snoozed_until__lte=today)

    def current(self, today):
        """Reminders to act on: open ones, and snoozed ones whose snooze date has come."""
        return self.filter(self.current_q(today))

    def in_state(self, state: str, today):
        """Reminders in `state` as a reader sees it on `today`: a snoozed reminder whose date has
        come reads open again."""
        if state == Reminder.State.OPEN:
            return self.current(today)
        if state == Reminder.State.SNOOZED:
            return self.filter(state=Reminder.State.SNOOZED, snoozed_until__gt=today)
        return self.filter(state=state)


class Reminder(models.Model):
    """A reminder about a customer (DAT-05, SVC-03): raised by the daily intake (large transactions,
    maturities, birthdays, card and risk-assessment expiries, important dates) and by the
    market-events file (IPO subscriptions, dividends), for whoever owns the customer.

    Its state is what the RM did with it: open, done, dismissed, or snoozed until a date on which
    it comes back by itself. `owner` records whom it was raised for; the reminder centre and the
    calendar list the reminders of the customers a user owns now (`reminders.reminders_of`).
    `is_done` stays true for a handled (done or dismissed) reminder, for the readers of that flag."""

    class Kind(models.TextChoices):
        LARGE_TRANSACTION = "large_txn", _("Large transaction")
        MATURITY = "maturity", _("Product maturity")
        BIRTHDAY = "birthday", _("Birthday")
        CARD_EXPIRY = "card_expiry", _("Card expiry")
        RISK_EXPIRY = "risk_expiry", _("Risk assessment expiry")
        IMPORTANT_DATE = "important_date", _("Important date")
        IPO = "ipo", _("IPO subscription")
        DIVIDEND = "dividend", _("Dividend")

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("reminder state", "Open")
        DONE = "done", pgettext_lazy("reminder state", "Done")
        DISMISSED = "dismissed", pgettext_lazy("reminder state", "Dismissed")
        SNOOZED = "snoozed", pgettext_lazy("reminder state", "Snoozed")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # Its lookups use the uniq_reminder_customer_due index (customer, date, …).
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # Whom it was raised for (history): nothing looks reminders up by it — they follow the customer's
    # owner now — so no index (every day's intake writes hundreds of thousands of reminders, and
    # each index is written per row). Employees are never deleted (they leave), so SET_NULL's
    # look-up without an index does not arise in practice.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised for"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    subject = models.CharField(_("subject"), max_length=60, blank=True)  # a transaction ref / account number
    due_on = models.DateField(_("date"))
    data_date = models.DateField(_("data date"))
    amount = models.DecimalField(_("amount"), null=True, blank=True, **MONEY)
    text = models.CharField(_("text"), max_length=200, blank=True)
    is_done = models.BooleanField(_("handled"), default=False)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    snoozed_until = models.DateField(_("snoozed until"), null=True, blank=True)
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # (as `owner`: never looked up by it)
    )
    acted_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        # One reminder per (kind, customer, subject, date), and the one index the reads need: the
        # reminder centre and the calendar find the customers a user owns now (the customer's owner
        # index), then each one's reminders by date through this one — customer and date lead. The
        # day's intake writes hundreds of thousands of reminders, each into every index of the
        # table, so there is no second index on (customer, date) (ON CONFLICT names the columns in
        # any order).
        constraints = [
            models.UniqueConstraint(fields=["customer", "due_on", "kind", "subject"], name="uniq_reminder_customer_due")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.due_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("holdings:reminder_detail", args=[self.pk])

    @property
    def shown_text(self) -> str:
        """The text as its reader reads it: a large transaction's stored direction code (C/D, the
        transaction's) as "Money in" / "Money out" in the reader's language (PLT-12)."""
        if self.kind == self.Kind.LARGE_TRANSACTION and self.text in DIRECTION_WORDS:
            return str(DIRECTION_WORDS[self.text])
        return self.text

    def state_on(self, today) -> str:
        """The state a reader sees on `today`: a snooze whose date has come reads open."""
        if self.state == self.State.SNOOZED and self.snoozed_until is not None and self.snoozed_until <= today:
            return self.State.OPEN
        return self.state

    def shown_state(self, today) -> str:
        state = self.state_on(today)
        if state == self.State.SNOOZED:
            return _("Snoozed until %(date)s") % {"date": self.snoozed_until.isoformat()}
        return str(self.State(state).label)


class ImportantDate(models.Model):
    """A date that matters to a customer (a wedding anniversary, a child's graduation, a policy's
    renewal): yearly or once. The daily intake raises an `important_date` reminder for its owner
    ahead of it (parameter holdings.important_date_reminder_days) — SVC-03."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="important_dates"
    )
    date = models.DateField(_("date"))
    label = models.CharField(_("what"), max_length=100)
    yearly = models.BooleanField(_("every year"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CustomerDataQuerySet.as_manager()

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("important date")
        verbose_name_plural = _("important dates")
        indexes = [models.Index(fields=["customer", "date"], name="important_date_customer")]

    def __str__(self) -> str:
        return f"{self.label} · {self.date:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("holdings:important_date_edit", args=[self.pk])

    @property
    def reminder_subject(self) -> str:
        """The subject of the reminders this date raises (one per occurrence)."""
        return f"date:{self.pk}"

    def next_on_or_after(self, day):
        """The date's next occurrence on or after `day` (None for a one-off date already past).
        A yearly 29 February falls on 28 February in other years."""
        if not self.yearly:
            return self.date if self.date >= day else None
        for year in (day.year, day.year + 1):
            occurrence = yearly_occurrence(self.date, year)
            if occurrence >= day:
                return occurrence
        return None


def yearly_occurrence(date, year: int):
    """`date`'s month and day in `year` (29 February → 28 February outside leap years)."""
    try:
        return date.replace(year=year)
    except ValueError:
        return date.replace(year=year, day=28)


class MarketEvent(models.Model):
    """An IPO subscription period or a dividend date of a product, from the T+1 market-events file
    (docs/reminders-calendar.md). Its holders get an `ipo` / `dividend` reminder — SVC-03, SVC-04.

    A file is keyed by (source, data date): loading it again replaces that day's events of the
    source, so a re-run never duplicates."""

    class Kind(models.TextChoices):
        IPO = "ipo", _("IPO subscription")
        DIVIDEND = "dividend", _("Dividend")

    source = models.CharField(_("source"), max_length=30, default="core")
    data_date = models.DateField(_("data date"))
    line = models.PositiveIntegerField(_("line"), default=0)
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("event type"), max_length=10, choices=Kind.choices)
    event_date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = BankWideQuerySet.as_manager()

    class Meta:
        ordering = ["event_date", "pk"]
        verbose_name = _("market event")
        verbose_name_plural = _("market events")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "data_date", "product", "kind", "event_date"], name="uniq_market_event"
            )
        ]
        indexes = [models.Index(fields=["event_date"], name="market_event_date")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.product_id} · {self.event_date:%Y-%m-%d}"


# --- intake bookkeeping ----------------------------------------------------------------------


class IntakeBatch(models.Model):
    """One file of one day from one source: the unit a load is keyed, replaced and reported by.

    `part` is empty for the day's delivery (a full snapshot of that source's entity: a re-run
    replaces it); an intra-day API upload (DAT-07) is a part of its own, named at upload, whose
    rows are added to the day and replace nothing else."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        LOADED = "loaded", _("Loaded")
        REFUSED = "refused", _("Refused")
        FAILED = "failed", _("Failed")
        # Checked but not applied: the snapshot shrank sharply against the source's previous day;
        # an operator confirms it (services.confirm_held_day) or the source delivers again.
        HELD = "held", _("Held for confirmation")

    source = models.CharField(_("source"), max_length=30)
    entity = models.CharField(_("entity"), max_length=30)
    data_date = models.DateField(_("data date"))
    part = models.CharField(_("part"), max_length=40, blank=True, default="")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    # Where the file was read from (the drop folder or the upload area): a held file is loaded
    # from there once confirmed.
    file_path = models.CharField(_("file path"), max_length=500, blank=True, editable=False)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_loaded = models.PositiveIntegerField(_("rows loaded"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    # Why the file was refused, failed or held (shown on the intake page).
    error = models.TextField(_("error"), blank=True)
    runs = models.PositiveIntegerField(_("runs"), default=0)
    started_at = models.DateTimeField(_("started at"), null=True)
    finished_at = models.DateTimeField(_("finished at"), null=True)
    # The last time a run of this file was applied (a later refused or held run keeps what it applied).
    last_loaded_at = models.DateTimeField(_("last loaded at"), null=True, blank=True)
    # "host:pid" of the process running it: a run whose process is gone is recovered at once.
    runner = models.CharField(_("runner"), max_length=120, blank=True, editable=False)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = BankWideQuerySet.as_manager()

    class Meta:
        ordering = ["-data_date", "source", "entity", "part"]
        verbose_name = _("intake batch")
        verbose_name_plural = _("intake batches")
        constraints = [
            models.UniqueConstraint(fields=["source", "entity", "data_date", "part"], name="uniq_intake_batch_part")
        ]

    def __str__(self) -> str:
        # Named as readers name it (filters, the audit trail), not by its source and entity codes.
        return self.label

    @property
    def source_label(self) -> str:
        from steward.customers.sources import source_label

        return source_label(self.source)

    @property
    def entity_label(self) -> str:
        """What the file holds, in the reader's language (the entity code is the file's name)."""
        return str(ENTITY_LABELS.get(self.entity, self.entity))

    @property
    def label(self) -> str:
        """The file as a reader names it: "Core banking · Accounts and balances · 2026-03-31"."""
        part = f" · {self.part}" if self.part else ""
        return f"{self.source_label} · {self.entity_label} · {self.data_date:%Y-%m-%d}{part}"


# The files of a day (steward.holdings.intake.LAYOUTS), as the intake pages name them.
ENTITY_LABELS = {
    "products": _("Products"),
    "customers": _("Customers"),
    "accounts": _("Accounts and balances"),
    "transactions": _("Transactions"),
    # Loaded by its own command and job (steward.holdings.reminders), not by the day's intake.
    "market_events": _("Market events"),
}


class IntakeDay(models.Model):
    """The state of a data date's derived figures: a day whose figures are not derived is never
    reported as loaded, and the drop-folder job derives every day left pending (a crash, a kill)."""

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting for files")
        PENDING = "pending", _("Figures to derive")
        DERIVED = "derived", _("Figures derived")

    data_date = models.DateField(_("data date"), unique=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    # What the day still waits for, e.g. "core: accounts (held)" (shown on the intake page).
    waiting_for = models.CharField(_("waiting for"), max_length=500, blank=True)
    derived_at = models.DateTimeField(_("figures derived at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = BankWideQuerySet.as_manager()

    class Meta:
        ordering = ["-data_date"]
        verbose_name = _("intake day")
        verbose_name_plural = _("intake days")

    def __str__(self) -> str:
        return f"{self.data_date:%Y-%m-%d} · {self.get_state_display()}"


class IntakeRejectedRow(models.Model):
    batch = models.ForeignKey(IntakeBatch, on_delete=models.CASCADE, related_name="rejected_rows")
    line = models.PositiveIntegerField(_("line"))
    # Stored as its source text and parameters (steward.holdings.reasons): the load runs in a
    # worker, the reader reads in his own language.
    reason = models.TextField(_("reason"))
    raw = models.TextField(_("raw row"))

    objects = BankWideQuerySet.as_manager()

    class Meta:
        ordering = ["batch", "line"]
        verbose_name = _("rejected row")
        verbose_name_plural = _("rejected rows")


class IntakeFingerprint(models.Model):
    """The digest of the raw file row the intake last applied for a key (a customer's cif), so an
    unchanged row of a daily full snapshot is skipped before it is parsed and encrypted.

    `stamp` is the record's `updated_at` right after that row was applied: a fingerprint counts only
    while the record still carries that stamp, so any later change (a user's edit, an ownership
    move, a merge) makes the next file apply core banking's values again."""

    entity = models.CharField(max_length=30)
    key = models.CharField(max_length=64)
    digest = models.CharField(max_length=32)
    stamp = models.DateTimeField()
    # The data date of the file that row came from: an older day's row never overwrites it.
    data_date = models.DateField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entity", "key"], name="uniq_intake_fingerprint")]

    def __str__(self) -> str:
        return f"{self.entity}/{self.key}"
