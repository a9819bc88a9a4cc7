"""Merging duplicate customers — CUS-12.

One person with several customer numbers: the duplicates are merged into one survivor, in one
transaction and one audit entry. Every record that names a duplicate follows the survivor, or is
dropped for a reason the preview shows (the survivor has it already, it would relate the survivor
to itself …). The duplicates stay as MERGED records pointing at the survivor, and their numbers
become aliases of it (`CustomerAlias`), so that the daily files still naming them land on the
survivor and never bring them back (see steward/customers/mastering.py).

`MERGE_RULES` names, for every foreign key to Customer in the project, what a merge does with it.
A test fails when a model gains a foreign key to Customer without a rule here, so that no module
can forget its records when customers are merged.

Every move is a set-based UPDATE or DELETE (one statement per kind, whatever the number of rows);
a batch merge moves the records of all its duplicates at once, and where the duplicates between
them hold the same thing twice (a tag, a group), the survivor's own wins, then the oldest record.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from steward.access.services import require_permission, require_visible
from steward.audit.services import log_event
from steward.core.errors import DomainError
from steward.core.services import service
from steward.customers.models import (
    CoManager,
    ConfidentialGrant,
    Customer,
    CustomerAlias,
    CustomerFigures,
    CustomerNote,
    CustomerRelation,
    Household,
    HouseholdMember,
    LastContact,
    OwnershipChange,
    OwnershipConflict,
)

MERGE = "customers.customer:merge"
MAX_DUPLICATES = 50


@dataclass
class MergeLine:
    """What a merge does with one kind of record: how many follow the survivor, how many are
    dropped and why."""

    key: str
    label: str
    moved: int = 0
    dropped: int = 0
    reason: str = ""

    def as_dict(self) -> dict:
        return {
            "kind": self.key,
            "label": self.label,
            "moved": self.moved,
            "dropped": self.dropped,
            "reason": self.reason,
        }


@dataclass
class MergePlan:
    survivor: Customer
    duplicates: list[Customer]
    lines: list[MergeLine] = field(default_factory=list)

    def line(self, key: str) -> MergeLine:
        return next(line for line in self.lines if line.key == key)

    def as_dict(self) -> dict:
        return {
            "survivor": self.survivor.cif,
            "duplicates": [d.cif for d in self.duplicates],
            "kinds": [line.as_dict() for line in self.lines if line.moved or line.dropped],
        }


def _raw_delete(queryset) -> int:
    # One DELETE statement: the merge's own audit entry records what went, not a signal per row.
    return queryset._raw_delete(queryset.db)


class _Merge:
    """One merge (preview or execution): `execute` False only counts."""

    def __init__(self, survivor: Customer, duplicates: list[Customer], execute: bool):
        self.survivor = survivor
        self.duplicates = duplicates
        self.s = survivor.pk
        self.dups = [d.pk for d in duplicates]
        self.group = [self.s, *self.dups]
        self.execute = execute
        self.lines: list[MergeLine] = []

    def add(self, key, label, moved=0, dropped=0, reason="") -> None:
        self.lines.append(MergeLine(key, str(label), moved, dropped, str(reason) if dropped else ""))

    # --- generic rules

    def move(self, key, label, model, fk="customer", **also) -> None:
        """Every row naming a duplicate names the survivor."""
        rows = model.objects.filter(**{f"{fk}_id__in": self.dups})
        moved = rows.count()
        if self.execute and moved:
            rows.update(**{f"{fk}_id": self.s}, **also)
        self.add(key, label, moved)

    def move_unique(self, key, label, model, unique: tuple[str, ...], reason, fk="customer", extra_drop=None) -> None:
        """Rows naming a duplicate follow the survivor unless the survivor (or an older row of
        another duplicate) holds the same already (`unique`: the other fields of the unique key):
        those are dropped for `reason`."""
        rows = model.objects.filter(**{f"{fk}_id__in": self.dups})
        same = model.objects.filter(**{f"{fk}_id__in": self.group}, **{name: OuterRef(name) for name in unique})
        clash = Exists(same.filter(Q(**{f"{fk}_id": self.s}) | Q(pk__lt=OuterRef("pk"))))
        dropping = rows.filter(clash | extra_drop) if extra_drop is not None else rows.filter(clash)
        dropped_ids = list(dropping.values_list("pk", flat=True))
        moved = rows.count() - len(dropped_ids)
        if self.execute:
            if dropped_ids:
                _raw_delete(model.objects.filter(pk__in=dropped_ids))
            if moved:
                model.objects.filter(**{f"{fk}_id__in": self.dups}).update(**{f"{fk}_id": self.s})
        self.add(key, label, moved, len(dropped_ids), reason)

    # --- the kinds of records

    def accounts(self) -> None:
        from steward.holdings.models import Account, DailyBalance, Transaction

        # Balances and transactions carry their account's customer (denormalized): they follow too.
        self.move("accounts", gettext_lazy("Accounts"), Account)
        self.move("balances", gettext_lazy("Daily balances"), DailyBalance)
        self.move("transactions", gettext_lazy("Transactions"), Transaction)

    def daily_figures(self) -> None:
        """The duplicates' daily figures (the asset trend) are added into the survivor's, day by day:
        the survivor now holds the accounts they were computed from."""
        from steward.holdings.models import DailyFigures

        rows = DailyFigures.objects.filter(customer_id__in=self.dups)
        days = rows.values("data_date").distinct().count()
        self.add("daily_figures", gettext_lazy("Daily figures (asset trend)"), days)
        if not (self.execute and days):
            return
        table = DailyFigures._meta.db_table
        dups = ", ".join(["%s"] * len(self.dups))
        sums = {c: f"(SELECT SUM(d.{c}) FROM {table} d WHERE d.customer_id IN ({dups}) AND d.data_date = {table}.data_date)"
                for c in ("aum", "liabilities", "contribution")}  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {', '.join(f'{c} = {c} + {expr}' for c, expr in sums.items())} "
                f"WHERE customer_id = %s AND data_date IN (SELECT d.data_date FROM {table} d WHERE d.customer_id IN ({dups}))",
                [*self.dups * 3, self.s, *self.dups],
            )
            cursor.execute(
                f"INSERT INTO {table} (customer_id, data_date, aum, liabilities, contribution) "
                f"SELECT %s, d.data_date, SUM(d.aum), SUM(d.liabilities), SUM(d.contribution) FROM {table} d "
                f"WHERE d.customer_id IN ({dups}) AND NOT EXISTS "
                f"(SELECT 1 FROM {table} x WHERE x.customer_id = %s AND x.data_date = d.data_date) GROUP BY d.data_date",
                [self.s, *self.dups, self.s],
            )
        _raw_delete(rows)

    def figures(self) -> None:
        """The current figures (AUM, averages, running sums) are sums over accounts: the duplicates'
        are added to the survivor's and theirs emptied, so no total counts them twice. The tier
        follows the new AUM."""
        from steward.holdings.figures import tier_for

        self.add("figures", gettext_lazy("Current figures (AUM, averages)"), len(self.dups))
        if not self.execute:
            return
        additive = [
            "aum", "aum_30_days_ago", "avg_daily_assets_month", "avg_daily_assets_quarter", "avg_daily_assets_year",
            "contribution_ytd", "aum_sum_month", "aum_sum_quarter", "aum_sum_year", "contribution_sum_year",
        ]  # fmt: skip
        figures = list(CustomerFigures.objects.filter(customer_id__in=self.group))
        survivor = next((f for f in figures if f.customer_id == self.s), None)
        if survivor is None:
            return
        for other in figures:
            if other.customer_id == self.s:
                continue
            for name in additive:
                setattr(survivor, name, getattr(survivor, name) + getattr(other, name))
            survivor.as_of = max(filter(None, [survivor.as_of, other.as_of]), default=None)
        survivor.tier = tier_for(survivor.aum) if survivor.as_of else survivor.tier
        CustomerFigures.objects.filter(pk=self.s).update(
            as_of=survivor.as_of, tier=survivor.tier, **{name: getattr(survivor, name) for name in additive}
        )
        CustomerFigures.objects.filter(customer_id__in=self.dups).update(tier="", **dict.fromkeys(additive, 0))

    def relations(self) -> None:
        group = self.group
        self_relation = CustomerRelation.objects.filter(Q(customer_id__in=self.dups) | Q(related_customer_id__in=self.dups)).filter(
            customer_id__in=group, related_customer_id__in=group
        )  # fmt: skip
        # Outgoing: the survivor's relations to the same counterpart win.
        outgoing = CustomerRelation.objects.filter(customer_id__in=self.dups).exclude(related_customer_id__in=group)
        earlier = Q(customer_id=self.s) | Q(pk__lt=OuterRef("pk"))
        same_person = CustomerRelation.objects.filter(
            customer_id__in=group, related_customer_id=OuterRef("related_customer_id")
        ).filter(earlier)
        same_company = CustomerRelation.objects.filter(
            customer_id__in=group, corporate_id=OuterRef("corporate_id"), kind=OuterRef("kind")
        ).filter(earlier)
        outgoing_dropped = outgoing.filter(
            (Q(related_customer__isnull=False) & Exists(same_person))
            | (Q(corporate__isnull=False) & Exists(same_company))
        )
        # Incoming: another customer's relation to a duplicate now points at the survivor.
        incoming = CustomerRelation.objects.filter(related_customer_id__in=self.dups).exclude(customer_id__in=group)
        same_incoming = CustomerRelation.objects.filter(
            customer_id=OuterRef("customer_id"), related_customer_id__in=group
        ).filter(Q(related_customer_id=self.s) | Q(pk__lt=OuterRef("pk")))
        incoming_dropped = incoming.filter(Exists(same_incoming))
        drop_self = list(self_relation.values_list("pk", flat=True))
        drop_out = list(outgoing_dropped.values_list("pk", flat=True))
        drop_in = list(incoming_dropped.values_list("pk", flat=True))
        out_moved, in_moved = outgoing.count() - len(drop_out), incoming.count() - len(drop_in)
        if self.execute:
            _raw_delete(CustomerRelation.objects.filter(pk__in=drop_self + drop_out + drop_in))
            CustomerRelation.objects.filter(customer_id__in=self.dups).update(customer_id=self.s)
            CustomerRelation.objects.filter(related_customer_id__in=self.dups).update(related_customer_id=self.s)
        self.add(
            "relations",
            gettext_lazy("Relations"),
            out_moved,
            len(drop_self) + len(drop_out),
            gettext_lazy("they would relate the survivor to itself, or the survivor has the same relation"),
        )
        self.add(
            "related_from",
            gettext_lazy("Relations of other customers to the duplicate"),
            in_moved,
            len(drop_in),
            gettext_lazy("the other customer is related to the survivor already"),
        )

    def household(self) -> None:
        households = list(
            HouseholdMember.objects.filter(customer_id__in=self.dups).values_list("household_id", flat=True)
        )
        self.move_unique(
            "household",
            gettext_lazy("Household membership"),
            HouseholdMember,
            (),
            gettext_lazy("the survivor belongs to a household already (a customer belongs to one at most)"),
        )
        if not self.execute or not households:
            return
        # A household a duplicate headed is headed by the survivor if it joined (its membership, role
        # included, moved), else by nobody; a household left without members ends.
        joined = HouseholdMember.objects.filter(customer_id=self.s).values("household_id")
        Household.objects.filter(head_id__in=self.dups, pk__in=joined).update(head_id=self.s)
        Household.objects.filter(head_id__in=self.dups).update(head_id=None)
        empty = Household.objects.filter(pk__in=households).exclude(
            pk__in=HouseholdMember.objects.values("household_id")
        )
        Household.objects.filter(pk__in=list(empty.values_list("pk", flat=True))).delete()

    def reminders(self) -> None:
        from steward.holdings.models import Reminder

        # Open reminders are for whoever owns the survivor now.
        if self.execute:
            Reminder.objects.filter(customer_id__in=self.dups, is_done=False).update(owner_id=self.survivor.owner_id)
        self.move_unique(
            "reminders",
            gettext_lazy("Reminders"),
            Reminder,
            ("kind", "subject", "due_on"),
            gettext_lazy("the survivor has the same reminder"),
        )

    def tags(self) -> None:
        from steward.tags.models import CustomerTag

        self.move_unique(
            "tags",
            gettext_lazy("Tags"),
            CustomerTag,
            ("tag_id",),
            gettext_lazy("the survivor has the tag already, or it is a rule tag the next load recomputes"),
            extra_drop=Q(source=CustomerTag.Source.RULE),
        )

    def aliases(self) -> None:
        """Numbers that were aliases of a duplicate now alias the survivor (chains stay flat); each
        duplicate's own number becomes one."""
        earlier = CustomerAlias.objects.filter(customer_id__in=self.dups)
        self.add(
            "aliases", gettext_lazy("Customer numbers that now mean the survivor"), earlier.count() + len(self.dups)
        )
        if self.execute:
            earlier.update(customer_id=self.s)
            now = timezone.now()
            CustomerAlias.objects.bulk_create(
                [
                    CustomerAlias(cif=d.cif, customer_id=self.s, merged_customer_id=d.pk, created_at=now)
                    for d in self.duplicates
                ]
            )

    def conflicts(self) -> None:
        open_ = OwnershipConflict.objects.filter(customer_id__in=self.dups, status=OwnershipConflict.Status.OPEN)
        count = open_.count()
        if self.execute and count:
            open_.update(status=OwnershipConflict.Status.MERGED, resolved_at=timezone.now())
        self.add(
            "ownership_conflicts",
            gettext_lazy("Open ownership conflicts"),
            0,
            count,
            gettext_lazy("closed: the core-banking file's rows of a merged number are no longer applied"),
        )

    def applications(self) -> None:
        """Pending customer applications (transfers, allocations) naming a duplicate name the survivor."""
        from steward.approvals.models import Application

        changed = []
        pending = Application.objects.filter(status=Application.Status.PENDING, type__startswith="customers.")
        if self.execute:
            pending = pending.select_for_update()
        dups = set(self.dups)
        for application in pending.only("pk", "payload"):
            ids = (application.payload or {}).get("customer_ids") or []
            if dups.intersection(ids):
                if self.execute:
                    application.payload["customer_ids"] = list(dict.fromkeys(self.s if i in dups else i for i in ids))
                    application.save(update_fields=["payload"])
                changed.append(application.pk)
        self.add("applications", gettext_lazy("Pending applications"), len(changed))

    def interactions(self) -> None:
        """Contacts (SVC-05) follow the survivor; its last contact is the latest of the group's."""
        from steward.interactions.models import Interaction

        self.move("interactions", gettext_lazy("Contacts"), Interaction)
        if self.execute:
            group = list(self.group)
            LastContact.objects.move_forward(
                f"SELECT %s AS customer_id, MAX(at) AS at FROM {LastContact._meta.db_table} "
                f"WHERE customer_id IN ({', '.join(['%s'] * len(group))})",
                [self.s, *group],
            )

    def run(self) -> list[MergeLine]:
        from steward.holdings.models import ImportantDate, TierChange
        from steward.segments.models import SegmentMember
        from steward.tags.models import GroupMember

        self.accounts()
        self.daily_figures()
        self.figures()
        self.move("notes", gettext_lazy("Notes"), CustomerNote)
        self.move("ownership_changes", gettext_lazy("Ownership history"), OwnershipChange)
        self.relations()
        self.move_unique(
            "co_managers",
            gettext_lazy("Co-managers"),
            CoManager,
            ("user_id",),
            gettext_lazy("they co-manage or own the survivor already"),
            extra_drop=Q(user_id=self.survivor.owner_id) if self.survivor.owner_id else None,
        )
        self.move_unique(
            "confidential_grants",
            gettext_lazy("Confidential access grants"),
            ConfidentialGrant,
            ("user_id",),
            gettext_lazy("the survivor grants them access already"),
        )
        self.household()
        self.reminders()
        self.move_unique(
            "tier_changes",
            gettext_lazy("Tier history"),
            TierChange,
            ("data_date",),
            gettext_lazy("the survivor has its own tier change that day"),
        )
        self.tags()
        self.move_unique(
            "groups",
            gettext_lazy("Customer group memberships"),
            GroupMember,
            ("group_id",),
            gettext_lazy("the survivor is in the group already"),
        )
        self.move_unique(
            "segment_members",
            gettext_lazy("Segment snapshot memberships"),
            SegmentMember,
            ("segment_id",),
            gettext_lazy("the survivor is in the snapshot already"),
        )
        self.interactions()
        self.move("important_dates", gettext_lazy("Important dates"), ImportantDate)
        for step in MERGE_STEPS:  # the rules later modules registered (register_merge_rule)
            step(self)
        self.aliases()
        self.conflicts()
        self.applications()
        return self.lines


# What a merge does with every foreign key to Customer ("app_label.Model.field" → the rule, as the
# preview and docs/customers.md name it). tests/…/test_merge.py fails for a foreign key missing here.
MERGE_RULES = {
    "holdings.Account.customer": "moves",
    "holdings.DailyBalance.customer": "moves with its account",
    "holdings.Transaction.customer": "moves with its account",
    "holdings.DailyFigures.customer": "added into the survivor's, day by day",
    "customers.CustomerFigures.customer": "added into the survivor's; the duplicate's emptied",
    "customers.LastContact.customer": "the survivor's is the latest of the group's",
    "customers.CustomerNote.customer": "moves",
    "customers.OwnershipChange.customer": "moves (ownership history)",
    "customers.CustomerRelation.customer": "moves; dropped if self-relation or repeated",
    "customers.CustomerRelation.related_customer": "re-pointed; dropped if self-relation or repeated",
    "customers.CoManager.customer": "moves; dropped if co-manager or owner of the survivor already",
    "customers.ConfidentialGrant.customer": "moves; dropped if granted on the survivor already",
    "customers.HouseholdMember.customer": "moves unless the survivor is in a household",
    "customers.Household.head": "the survivor heads it if it joined, else nobody",
    "holdings.Reminder.customer": "moves (open ones to the survivor's owner); dropped if repeated",
    "holdings.TierChange.customer": "moves; dropped if the survivor has a change that day",
    "tags.CustomerTag.customer": "manual tags move; rule tags recomputed",
    "tags.GroupMember.customer": "moves; dropped if in the group already",
    "segments.SegmentMember.customer": "moves; dropped if in the snapshot already",
    "customers.CustomerAlias.customer": "moves (chains stay flat)",
    "customers.CustomerAlias.merged_customer": "stays: names the merged record",
    "customers.Customer.merged_into": "stays: earlier merges keep their history",
    "customers.OwnershipConflict.customer": "stays; open ones closed as merged",
    "interactions.Interaction.customer": "moves (contacts); the survivor keeps the later last contact",
    "holdings.ImportantDate.customer": "moves",
}


# Steps that modules outside the customers app register for their own foreign keys to Customer:
# each is called with the merge plan (MergePlan.move / move_unique / add) during the preview and
# the merge, after the customers app's own records.
MERGE_STEPS: list = []


def register_merge_rule(field_label: str, rule: str, step) -> None:
    """Declare what a merge does with `field_label` ("app.Model.field", a foreign key to
    Customer) — `rule` in words, as the preview and docs name it — and the `step(plan)` that does
    it. Called from the module's AppConfig.ready(); test_merge.py fails for a foreign key
    without a rule."""
    MERGE_RULES[field_label] = rule
    if step not in MERGE_STEPS:
        MERGE_STEPS.append(step)


# ---------------------------------------------------------------- services


def _check(actor, survivor: Customer, duplicates: list[Customer]) -> None:
    require_permission(actor, MERGE)
    if not duplicates:
        raise DomainError(_("Name at least one duplicate customer."), field="duplicates")
    if len(duplicates) > MAX_DUPLICATES:
        raise DomainError(_("Merge at most %(n)s duplicates at once.") % {"n": MAX_DUPLICATES}, field="duplicates")
    require_visible(actor, MERGE, survivor)
    for duplicate in duplicates:
        require_visible(actor, MERGE, duplicate)
    if survivor.status == Customer.Status.MERGED:
        raise DomainError(_("The surviving customer has been merged into another one."), field="survivor")
    for duplicate in duplicates:
        if duplicate.pk == survivor.pk:
            raise DomainError(_("A customer cannot be merged into itself."), field="survivor")
        if duplicate.status == Customer.Status.MERGED:
            raise DomainError(
                _("%(customer)s has been merged already.") % {"customer": duplicate.cif}, field="duplicates"
            )


def _distinct(duplicates) -> list[Customer]:
    return list({d.pk: d for d in duplicates}.values())


def merge_preview(actor, duplicates, survivor: Customer) -> MergePlan:
    """What merging `duplicates` into `survivor` would move and drop (with the reasons), changing nothing."""
    duplicates = _distinct(duplicates)
    _check(actor, survivor, duplicates)
    return MergePlan(survivor, duplicates, _Merge(survivor, duplicates, execute=False).run())


@service
def merge_customers(actor, duplicates, survivor: Customer, *, now=None) -> MergePlan:
    """Merge `duplicates` into `survivor` (CUS-12): every record of theirs follows the survivor or is
    dropped as the preview says; they stay as MERGED records pointing at the survivor, their numbers
    become its aliases; one audit entry with what moved. One transaction: all or nothing."""
    now = now or timezone.now()
    ids = [d.pk for d in _distinct(duplicates)]
    locked = {c.pk: c for c in Customer.objects.select_for_update().filter(pk__in=[survivor.pk, *ids])}
    survivor = locked.get(survivor.pk) or survivor
    duplicates = [locked[pk] for pk in ids if pk in locked]
    _check(actor, survivor, duplicates)
    lines = _Merge(survivor, duplicates, execute=True).run()
    if any(d.is_confidential for d in duplicates) and not survivor.is_confidential:
        # Whoever could not see a confidential duplicate must not see its records on the survivor.
        Customer.objects.filter(pk=survivor.pk).update(is_confidential=True, updated_at=now)
    Customer.objects.filter(pk__in=ids).update(status=Customer.Status.MERGED, merged_into=survivor, updated_at=now)
    plan = MergePlan(survivor, duplicates, lines)
    for duplicate in duplicates:
        log_event(
            "customers.merged",
            duplicate,
            message=f"into {survivor.cif}",
            changes={"survivor": survivor.pk, "at": now.isoformat(), "kinds": plan.as_dict()["kinds"]},
        )
    log_event(
        "customers.merge_survivor",
        survivor,
        message=f"{len(duplicates)} merged in",
        changes={"duplicates": [d.pk for d in duplicates], "kinds": plan.as_dict()["kinds"]},
    )
    return plan


# ---------------------------------------------------------------- duplicate candidates

MATCH_ID_NUMBER = "id_number"
MATCH_PERSON = "name_birth_mobile"
MATCHES = {
    MATCH_ID_NUMBER: gettext_lazy("Same ID number"),
    MATCH_PERSON: gettext_lazy("Same name, birth date and mobile"),
}
_MATCH_FIELDS = {MATCH_ID_NUMBER: ("id_number_index",), MATCH_PERSON: ("name", "birth_date", "mobile")}


@dataclass
class CandidateGroup:
    match: str
    members: list[Customer]


def duplicate_candidates(user, match: str = MATCH_ID_NUMBER):
    """Groups of customers `user` may merge that look like one person: the same ID number (its
    blind index), or the same name, birth date and mobile. One GROUP BY over the user's scope
    (merged customers left out); a group counts only its members inside the scope, so nothing
    outside it is revealed. Returns the grouped keys (a values queryset with `n`), to paginate."""
    from steward.access.services import has_permission

    if match not in _MATCH_FIELDS:
        raise DomainError(_("Unknown kind of match."), field="match")
    if not has_permission(user, MERGE):
        return Customer.objects.none().values("pk")
    fields = _MATCH_FIELDS[match]
    visible = Customer.objects.visible_to(user, MERGE).exclude(status=Customer.Status.MERGED)
    if match == MATCH_ID_NUMBER:
        visible = visible.exclude(id_number_index="")
    else:
        visible = visible.exclude(mobile="").exclude(birth_date__isnull=True)
    return visible.order_by().values(*fields).annotate(n=Count("pk")).filter(n__gt=1).order_by(*fields)


def candidate_page(user, match: str = MATCH_ID_NUMBER, page: int | str = 1, per_page: int = 20):
    """One page of duplicate-candidate groups with their members (two queries besides the count)."""
    groups = duplicate_candidates(user, match)
    paginator = Paginator(groups, per_page)
    page_obj = paginator.get_page(page)
    fields = _MATCH_FIELDS[match]
    keys = [tuple(row[f] for f in fields) for row in page_obj.object_list]
    members: dict[tuple, list[Customer]] = {key: [] for key in keys}
    if keys:
        condition = Q()
        for key in keys:
            condition |= Q(**dict(zip(fields, key, strict=True)))
        rows = (
            Customer.objects.visible_to(user, MERGE)
            .exclude(status=Customer.Status.MERGED)
            .filter(condition)
            .select_related("org", "owner", "figures")
            .order_by("pk")
        )
        for customer in rows:
            key = tuple(getattr(customer, f) for f in fields)
            if key in members:
                members[key].append(customer)
    page_obj.groups = [CandidateGroup(match, members[key]) for key in keys if len(members[key]) > 1]
    return page_obj
