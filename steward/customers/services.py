"""Customer services — CUS-01, CUS-09, CUS-10, CUS-11, CUS-15, CUS-16.

Every rule about customers lives here; views, the API and the approvals types call these.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from steward.access.services import has_permission, require_permission, require_visible
from steward.audit.services import log_bulk, log_event
from steward.basedata.services import code_choices, parameter
from steward.core.errors import DomainError
from steward.core.services import service
from steward.core.validators import clean_name
from steward.customers.identity import RESIDENT_ID, parse_mobile, parse_resident_id
from steward.customers.mentions import resolve_mentions, share_note
from steward.customers.models import (
    CoManager,
    ConfidentialGrant,
    CorporateParty,
    Customer,
    CustomerNote,
    CustomerRelation,
    Household,
    HouseholdMember,
    NoteMention,
    OwnershipChange,
)
from steward.privacy.crypto import blind_index

VIEW = "customers.customer:view"
ADD = "customers.customer:add"
ASSIGN = "customers.customer:assign"
TRANSFER = "customers.customer:transfer"
CONFIDENTIAL = "customers.customer:confidential"
# Code-table fields of the customer master: field → code table.
CODE_FIELDS = {
    "id_type": "id_type",
    "occupation": "occupation",
    "education": "education",
    "income_band": "income_band",
    "risk_level": "risk_level",
    "source": "customer_source",
}
EDITABLE_FIELDS = (
    "name",
    "id_type",
    "id_number",
    "birth_date",
    "gender",
    "mobile",
    "email",
    "address",
    "occupation",
    "education",
    "income_band",
    "risk_level",
    "risk_expires_on",
    "kyc_status",
    "source",
    "status",
    "sms_subscribed",
    "phone_notice_subscribed",
    "email_subscribed",
)


# ---------------------------------------------------------------- master data (CUS-01, CUS-16)


# Statuses only a service sets (merge_customers): no form or API call may set or leave them.
SERVICE_STATUSES = frozenset({Customer.Status.MERGED})
USER_STATUSES = tuple((value, label) for value, label in Customer.Status.choices if value not in SERVICE_STATUSES)


def _apply(actor, customer: Customer, data: dict) -> None:
    """Validate the master data and set it, with the derived facts, on `customer`."""
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(_("These fields cannot be set: %(names)s") % {"names": ", ".join(sorted(unknown))})
    stored_status, stored_index = customer.status, customer.id_number_index
    if "status" in data and data["status"] != stored_status:
        if data["status"] in SERVICE_STATUSES:
            raise DomainError(_("Only merging sets this status."), field="status")
        if stored_status in SERVICE_STATUSES:
            raise DomainError(_("The status of a merged customer cannot change."), field="status")
    for name, value in data.items():
        setattr(customer, name, value.strip() if isinstance(value, str) else value)
    try:
        customer.name = clean_name(customer.name, max_length=Customer._meta.get_field("name").max_length)
    except ValidationError as error:
        message = _("Enter the customer's name.") if error.code == "no_visible_characters" else error.messages[0]
        raise DomainError(message, field="name") from None
    for name, table in CODE_FIELDS.items():
        value = getattr(customer, name)
        if value and value not in dict(code_choices(table, blank=False)):
            label = Customer._meta.get_field(name).verbose_name
            raise DomainError(_("“%(value)s” is not a valid %(field)s.") % {"value": value, "field": label}, field=name)
    if not customer.id_type:
        raise DomainError(_("Choose the ID type."), field="id_type")
    if not customer.id_number:
        raise DomainError(_("Enter the ID number."), field="id_number")
    if customer.id_type == RESIDENT_ID:
        resident = parse_resident_id(customer.id_number)
        customer.id_number = resident.number
        customer.birth_date = resident.birth_date
        customer.gender = resident.gender
    elif customer.birth_date and customer.birth_date > timezone.localdate():
        raise DomainError(_("The birth date lies in the future."), field="birth_date")
    index = blind_index("id_number", customer.id_number)
    if customer.pk is None or index != stored_index:
        _claim_id_number(actor, customer, index)
    if customer.mobile:
        facts = parse_mobile(customer.mobile)
        customer.mobile = facts.number
        customer.mobile_province, customer.mobile_city, customer.mobile_carrier = (
            facts.province,
            facts.city,
            facts.carrier,
        )
    else:
        customer.mobile_province = customer.mobile_city = customer.mobile_carrier = ""
    if customer.status not in Customer.Status.values:
        raise DomainError(_("Unknown status."), field="status")
    if customer.kyc_status not in Customer.Kyc.values:
        raise DomainError(_("Unknown KYC status."), field="kyc_status")
    if customer.gender not in Customer.Gender.values:
        raise DomainError(_("Unknown gender."), field="gender")


# ---------------------------------------------------------------- ID numbers already taken (issue 11, point 11)

_ID_ATTEMPTS: contextvars.ContextVar[list | None] = contextvars.ContextVar("customers_id_attempts", default=None)
DUPLICATE_ID_PARAMETER = "customers.duplicate_id_attempts_per_hour"
ATTEMPT_WINDOW_SECONDS = 3600


class DuplicateIdNumber(DomainError):
    """The ID number belongs to another customer. `existing` is that customer when the actor may
    see it (the page links to it), else None: the message then says nothing about who it is."""

    def __init__(self, message, existing: Customer | None = None):
        super().__init__(message, field="id_number")
        self.existing = existing


@contextlib.contextmanager
def id_attempts_audited():
    """Audit the refused ID-number claims made inside once the block ends — after the transaction
    of the refused operation has rolled back, which would otherwise take the entries with it.
    Nested blocks write at the outermost one (the Excel import wraps its whole dry run)."""
    if _ID_ATTEMPTS.get() is not None:
        yield
        return
    pending: list[dict] = []
    token = _ID_ATTEMPTS.set(pending)
    try:
        yield
    finally:
        _ID_ATTEMPTS.reset(token)
        for entry in pending:
            log_event(entry.pop("action"), entry.pop("obj"), **entry)


def _record_attempt(action: str, actor, existing: Customer | None, **changes) -> None:
    entry = {
        "action": action,
        "obj": existing,
        "actor": actor,
        "message": "ID number of another customer" if existing is not None else "limit reached",
        "changes": changes,
    }
    pending = _ID_ATTEMPTS.get()
    if pending is None:
        log_event(entry.pop("action"), entry.pop("obj"), **entry)
    else:
        pending.append(entry)


def _attempts_key(actor) -> str:
    return f"customers:concealed-id-attempts:{getattr(actor, 'pk', None)}"


def _claim_id_number(actor, customer: Customer, index: str) -> None:
    """`customer` (new, or with a changed number) takes the ID number whose blind index is `index`.

    Refused when another (not merged) customer has it. Whether the actor may see that customer
    decides the answer: if they may, it names the customer; if not (confidential, or outside
    their scope), it says only that the number cannot be used — it must not tell that the person
    banks here. Every such attempt is audited; the hidden ones count against a per-actor limit
    (parameter customers.duplicate_id_attempts_per_hour, one hour from the first), past which the
    actor may not claim any ID number until the hour is over — else the limit's own refusal would
    answer the question."""
    limit = int(parameter(DUPLICATE_ID_PARAMETER) or 0)
    key = _attempts_key(actor)
    if limit and (cache.get(key) or 0) >= limit:
        _record_attempt("customers.duplicate_id_limited", actor, None, cif=customer.cif or "", limit=limit)
        raise DomainError(
            _(
                "You have entered too many ID numbers that cannot be used. Try again in an hour, "
                "or ask your supervisor."
            ),
            field="id_number",
        )
    existing = (
        Customer.objects.filter(id_number_index=index)
        .exclude(pk=customer.pk)
        .exclude(status=Customer.Status.MERGED)
        .order_by("pk")
        .first()
    )
    if existing is None:
        return
    visible = Customer.objects.visible_to(actor, VIEW).filter(pk=existing.pk).exists()
    if not visible:
        cache.add(key, 0, ATTEMPT_WINDOW_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, ATTEMPT_WINDOW_SECONDS)
    _record_attempt(
        "customers.duplicate_id", actor, existing, cif=customer.cif or "", editing=customer.pk, visible=visible
    )
    if visible:
        raise DuplicateIdNumber(
            _("A customer with this ID number already exists: %(customer)s.") % {"customer": existing},
            existing=existing,
        )
    raise DuplicateIdNumber(
        _("This ID number cannot be used. If you believe the customer already exists, ask your supervisor.")
    )


# ---------------------------------------------------------------- who may own a customer (issue 11, point 7)


def owner_candidates(actor, permission: str):
    """The employees `actor` may make owner or co-manager of a customer under `permission` (add,
    assign, transfer): active ones working at an org inside the actor's data scope for that
    permission, and the actor themself. An own-scoped RM reaches their own org (their team):
    Org's "own" scope is the user's org. Nobody, without the permission."""
    from steward.org.models import Employee, Org

    if not has_permission(actor, permission):
        return Employee.objects.none()
    orgs = Org.objects.visible_to(actor, permission).values("pk")
    return Employee.objects.filter(Q(org__in=orgs) | Q(pk=actor.pk), is_active=True).exclude(
        status=Employee.Status.LEFT
    )


def managing_employees(queryset):
    """`queryset` narrowed to employees who may manage customers (a current role granting the
    customer view permission, or superusers) — what the choice lists offer."""
    from steward.access.models import RoleAssignment

    holders = RoleAssignment.objects.current().filter(role__grants__permission=VIEW).values("user_id")
    return queryset.filter(Q(pk__in=holders) | Q(is_superuser=True))


def require_owner_in_scope(actor, employee, permission: str, field: str) -> None:
    """`employee` must be one of `owner_candidates(actor, permission)`; else a DomainError on `field`."""
    if employee is None:
        return
    if not owner_candidates(actor, permission).filter(pk=employee.pk).exists():
        raise DomainError(
            _("%(user)s is outside your data scope: choose an employee of an org you manage.") % {"user": employee},
            field=field,
        )


def _org_reachable(actor, org, permission: str) -> bool:
    from steward.org.models import Org

    if org.pk == getattr(actor, "org_id", None):
        return True
    return Org.objects.visible_to(actor, permission).filter(pk=org.pk).exists()


def create_customer(actor, *, cif: str, org, owner=None, **data) -> Customer:
    """A new personal customer at `org`; its primary RM is `owner` (may be left unassigned), an
    employee the actor reaches under the add permission (`owner_candidates`)."""
    with id_attempts_audited():
        return _create_customer(actor, cif=cif, org=org, owner=owner, **data)


@service
def _create_customer(actor, *, cif: str, org, owner=None, **data) -> Customer:
    require_permission(actor, ADD)
    cif = (cif or "").strip()
    if not cif:
        raise DomainError(_("Enter the customer number."), field="cif")
    if Customer.objects.filter(cif=cif).exists():
        raise DomainError(_("The customer number %(cif)s is taken.") % {"cif": cif}, field="cif")
    if not _org_reachable(actor, org, ADD):
        raise DomainError(_("The org is outside your data scope."), field="org")
    if owner is not None and not owner.is_active:
        raise DomainError(_("%(user)s cannot own customers any more.") % {"user": owner}, field="owner")
    require_owner_in_scope(actor, owner, ADD, "owner")
    # An owner chosen in Steward is Steward's decision (CUS-09); left empty, the core-banking file may set one.
    customer = Customer(cif=cif, org=org, owner=owner, owner_decided_at=timezone.now() if owner else None)
    _apply(actor, customer, data)
    customer.save()
    return customer


def update_customer(actor, customer: Customer, **data) -> Customer:
    with id_attempts_audited():
        return _update_customer(actor, customer, **data)


@service
def _update_customer(actor, customer: Customer, **data) -> Customer:
    require_visible(actor, "customers.customer:change", customer)
    _apply(actor, customer, data)
    customer.save()
    return customer


@service
def set_subscriptions(actor, customer: Customer, *, sms: bool, phone: bool, email: bool | None = None) -> Customer:
    """Service subscriptions (CUS-16): SMS, phone and e-mail notices (None: e-mail left as it is).
    The channels check them when queueing and again when sending (steward.channels)."""
    require_visible(actor, "customers.customer:change", customer)
    customer.sms_subscribed, customer.phone_notice_subscribed = bool(sms), bool(phone)
    fields = ["sms_subscribed", "phone_notice_subscribed", "updated_at"]
    if email is not None:
        customer.email_subscribed = bool(email)
        fields.append("email_subscribed")
    customer.save(update_fields=fields)
    return customer


# ---------------------------------------------------------------- confidential customers (CUS-10)


@service
def set_confidential(actor, customer: Customer, confidential: bool) -> Customer:
    """Mark or unmark a customer confidential. Who marks it keeps access through an explicit grant."""
    require_visible(actor, CONFIDENTIAL, customer)
    if confidential and customer.owner_id != actor.pk:
        # Whoever marks it keeps access — also if an old grant of theirs had expired.
        ConfidentialGrant.objects.update_or_create(
            customer=customer, user=actor, defaults={"granted_by": actor, "expires_on": None}
        )
    customer.is_confidential = bool(confidential)
    customer.save(update_fields=["is_confidential", "updated_at"])
    log_event("customers.confidential", customer, message=f"confidential={customer.is_confidential}")
    return customer


def confidential_grants(actor, customer: Customer):
    """The access grants of a confidential customer, newest first, for a holder of the
    confidential permission who may see the customer (CUS-10). Expired ones are listed too
    (`is_in_force()` tells them apart) until someone revokes them."""
    require_visible(actor, CONFIDENTIAL, customer)
    return ConfidentialGrant.objects.filter(customer=customer).select_related("user", "user__org", "granted_by")


@service
def grant_confidential_access(
    actor, customer: Customer, user, *, expires_on: dt.date | None = None, today: dt.date | None = None
) -> ConfidentialGrant:
    """Let `user` see the confidential `customer` — until `expires_on` inclusive, or until revoked
    (CUS-10). Granting again changes the expiry date. The grant opens the customer only inside
    the employee's own data scope, so one whose roles do not reach the customer is refused: the
    grant would show them nothing."""
    require_visible(actor, CONFIDENTIAL, customer)
    today = today or timezone.localdate()
    if not customer.is_confidential:
        raise DomainError(_("The customer is not confidential: everyone in scope sees it already."))
    if user is None or not user.is_active:
        raise DomainError(_("Choose an active employee."), field="employee_no")
    if user.pk == customer.owner_id:
        raise DomainError(
            _("%(user)s is the customer's relationship manager and sees it anyway.") % {"user": user},
            field="employee_no",
        )
    if expires_on is not None and expires_on < today:
        raise DomainError(_("The access end date has passed."), field="expires_on")
    grant = ConfidentialGrant.objects.select_for_update().filter(customer=customer, user=user).first()
    existed, before = grant is not None, None
    if grant is None:
        grant = ConfidentialGrant.objects.create(customer=customer, user=user, granted_by=actor, expires_on=expires_on)
    else:
        before = grant.expires_on.isoformat() if grant.expires_on else None
        grant.granted_by, grant.expires_on = actor, expires_on
        grant.save(update_fields=["granted_by", "expires_on"])
    if not Customer.objects.visible_to(user, VIEW).filter(pk=customer.pk).exists():
        raise DomainError(
            _("%(user)s's roles do not reach this customer: the grant would not let them see it.") % {"user": user},
            field="employee_no",
        )
    until = expires_on.isoformat() if expires_on else None
    log_event(
        "customers.confidential_granted",
        customer,
        message=f"{user.employee_no} until {until or 'revoked'}",
        changes={"employee": [str(user) if existed else None, str(user)], "expires_on": [before, until]},
    )
    return grant


@service
def revoke_confidential_access(actor, customer: Customer, user) -> None:
    """Take `user`'s access to the confidential `customer` away at once (CUS-10)."""
    require_visible(actor, CONFIDENTIAL, customer)
    if not ConfidentialGrant.objects.filter(customer=customer, user=user).delete()[0]:
        raise DomainError(_("%(user)s holds no access grant for this customer.") % {"user": user})
    log_event(
        "customers.confidential_revoked", customer, message=user.employee_no, changes={"employee": [str(user), None]}
    )


# ---------------------------------------------------------------- notes (CUS-11)


@service
def add_note(actor, customer: Customer, body: str, *, private: bool = False, now=None) -> CustomerNote:
    require_permission(actor, "customers.note:add")
    require_visible(actor, VIEW, customer)
    body = (body or "").strip()
    if not body:
        raise DomainError(_("Write something in the note."), field="body")
    if len(body) > 2000:
        raise DomainError(_("A note may be at most 2,000 characters long."), field="body")
    # SVC-12: a public note is shared with the customer's owner and co-managers, and tells the
    # colleagues it @mentions (who must see the customer); a private note mentions nobody.
    mentioned = resolve_mentions(customer, body, private=bool(private))
    note = CustomerNote.objects.create(
        customer=customer, author=actor, body=body, is_private=bool(private), created_at=now or timezone.now()
    )
    share_note(note, mentioned, now=now)
    return note


@service
def delete_note(actor, note: CustomerNote) -> None:
    if note.author_id != actor.pk:
        raise PermissionDenied(_("Only the author may delete a note."))
    note.delete()


def notes_for(user, customer: Customer):
    """The notes of a customer `user` may read: the customer must be visible, private notes are the author's."""
    if not Customer.objects.visible_to(user, VIEW).filter(pk=customer.pk).exists():
        return CustomerNote.objects.none()
    return CustomerNote.objects.readable_by(user).filter(customer=customer).select_related("author")


def shared_notes_for(user, show: str = "all"):
    """Colleagues' notes shared with `user` (SVC-12), newest first: public notes on the customers
    they own or co-manage ("co-managed": only those they co-manage), and notes that mention them
    ("mentions"). Never a private note of anyone else, never their own, only customers in their
    data scope."""
    if user is None or not getattr(user, "is_authenticated", False):
        return CustomerNote.objects.none()
    visible = Customer.objects.visible_to(user, VIEW).values("pk")
    co_managed = Q(customer_id__in=CoManager.objects.filter(user=user).values("customer_id"))
    mentioning = Q(pk__in=NoteMention.objects.filter(user=user).values("note_id"))
    condition = {
        "co-managed": co_managed,
        "mentions": mentioning,
    }.get(show, Q(customer__owner=user) | co_managed | mentioning)
    return (
        CustomerNote.objects.readable_by(user)
        .filter(is_private=False, customer__in=visible)
        .filter(condition)
        .exclude(author=user)
        .select_related("author", "customer")
        .prefetch_related("mentions__user")
    )


# ---------------------------------------------------------------- service history (CUS-02)

SERVICE_HISTORY_LIMIT = 100


@dataclass(frozen=True)
class ServiceEvent:
    """One line of a customer's service history: when, what, who, and the detail."""

    on: dt.date
    at: dt.datetime | None
    kind: str
    detail: str
    by: str


# Further sources of the history, registered by the apps above customers (e.g. steward.interactions):
# callables (user, customer, limit) -> ServiceEvent items, each applying its own permission and scope.
SERVICE_HISTORY_SOURCES: list = []


def register_service_history_source(source):
    """Add `source` to every customer's service history (once; usable as a decorator)."""
    if source not in SERVICE_HISTORY_SOURCES:
        SERVICE_HISTORY_SOURCES.append(source)
    return source


def service_history(user, customer: Customer, limit: int = SERVICE_HISTORY_LIMIT) -> list[ServiceEvent]:
    """The customer's service history, newest first: who looked after them (ownership changes),
    the reminders the data raised for the RM and whether they were handled, tier changes, the
    notes `user` may read, and what the registered sources add (contacts …). A fixed number of
    queries, each bounded by `limit`."""
    from django.utils.formats import number_format

    from steward.holdings.models import Reminder, TierChange

    if not Customer.objects.visible_to(user, VIEW).filter(pk=customer.pk).exists():
        return []
    events: list[ServiceEvent] = []
    for change in OwnershipChange.objects.filter(customer=customer).select_related(
        "from_owner", "to_owner", "changed_by"
    )[:limit]:
        detail = f"{change.from_owner.name if change.from_owner else '—'} → {change.to_owner.name if change.to_owner else '—'}"
        if change.reason:
            detail += f" ({change.reason})"
        by = change.changed_by.name if change.changed_by else ""
        events.append(ServiceEvent(change.changed_at.date(), change.changed_at, change.get_kind_display(), detail, by))
    for reminder in (
        Reminder.objects.filter(customer=customer).select_related("owner").order_by("-due_on", "-pk")[:limit]
    ):
        state = _("handled") if reminder.is_done else _("open")
        # Labels and grouped amounts, not the stored C/D code and a bare number (PLT-12).
        amount = number_format(reminder.amount, 2, force_grouping=True) if reminder.amount is not None else None
        detail = " · ".join(str(part) for part in (reminder.shown_text, amount, state) if part not in ("", None))
        owner = reminder.owner.name if reminder.owner else ""
        events.append(ServiceEvent(reminder.due_on, None, reminder.get_kind_display(), detail, owner))
    for change in TierChange.objects.filter(customer=customer).order_by("-data_date")[:limit]:
        detail = f"{change.old_tier or '—'} → {change.new_tier or '—'}"
        events.append(ServiceEvent(change.data_date, None, _("Tier change"), detail, ""))
    for note in notes_for(user, customer)[:limit]:
        label = _("Private note") if note.is_private else _("Note")
        events.append(ServiceEvent(note.created_at.date(), note.created_at, label, note.body[:200], note.author.name))
    for source in SERVICE_HISTORY_SOURCES:
        events.extend(source(user, customer, limit))
    events.sort(key=lambda e: (e.on, e.at or dt.datetime.min.replace(tzinfo=dt.UTC)), reverse=True)
    return events[:limit]


# ---------------------------------------------------------------- ownership (CUS-09)


def _move_owner(actor, customers, new_owner, *, kind: str, reason: str, application=None, now=None) -> int:
    """Move `customers` to `new_owner` (None: unassigned) and keep the history. Callers check permissions."""
    now = now or timezone.now()
    changes = []
    moved = []
    for customer in customers:
        if customer.owner_id == (new_owner.pk if new_owner else None):
            continue
        changes.append(
            OwnershipChange(
                customer=customer,
                kind=kind,
                from_owner_id=customer.owner_id,
                to_owner=new_owner,
                changed_by=actor if getattr(actor, "pk", None) else None,
                changed_at=now,
                reason=reason[:500],
                application=application,
            )
        )
        moved.append(customer.pk)
    confirmed = [c.pk for c in customers if c.pk not in set(moved)]
    if confirmed:  # the owner stays, but it is now Steward's decision too
        Customer.objects.filter(pk__in=confirmed, owner_decided_at__isnull=True).update(owner_decided_at=now)
    if not moved:
        return 0
    # Steward has decided: the core-banking file no longer sets these customers' owner (CUS-09).
    Customer.objects.filter(pk__in=moved).update(owner=new_owner, owner_decided_at=now, updated_at=now)
    # The new owner no longer co-manages what they now own.
    if new_owner is not None:
        CoManager.objects.filter(customer_id__in=moved, user=new_owner).delete()
    OwnershipChange.objects.bulk_create(changes)
    log_bulk(
        f"customers.{kind}",
        Customer,
        moved,
        actor=actor if getattr(actor, "pk", None) else None,
        message=f"→ {new_owner.pk if new_owner else '-'}; {reason[:200]}",
    )
    return len(moved)


def _check_new_owner(new_owner, customers) -> None:
    if new_owner is None or not new_owner.is_active or new_owner.status == new_owner.Status.LEFT:
        raise DomainError(_("Choose an active relationship manager."), field="new_owner")
    if not has_permission(new_owner, VIEW):
        raise DomainError(
            _("%(user)s holds no role that may manage customers.") % {"user": new_owner}, field="new_owner"
        )


@service
def assign_owner(actor, customers, new_owner, *, reason: str = "", now=None) -> int:
    """Direct assignment by a supervisor (e.g. of unassigned customers)."""
    customers = list(customers)
    for customer in customers:
        require_visible(actor, ASSIGN, customer)
    _check_new_owner(new_owner, customers)
    require_owner_in_scope(actor, new_owner, ASSIGN, "new_owner")
    return _move_owner(actor, customers, new_owner, kind=OwnershipChange.Kind.MANUAL, reason=reason, now=now)


@service
def add_co_manager(actor, customer: Customer, user) -> CoManager:
    require_visible(actor, ASSIGN, customer)
    if user.pk == customer.owner_id:
        raise DomainError(_("The primary owner cannot also be a co-manager."), field="user")
    try:
        _check_new_owner(user, [customer])
    except DomainError as error:
        raise DomainError(error.message, field="user") from None
    require_owner_in_scope(actor, user, ASSIGN, "user")
    co_manager, _created = CoManager.objects.get_or_create(customer=customer, user=user)
    return co_manager


@service
def remove_co_manager(actor, customer: Customer, user) -> None:
    require_visible(actor, ASSIGN, customer)
    if not CoManager.objects.filter(customer=customer, user=user).delete()[0]:
        raise DomainError(_("%(user)s does not co-manage this customer.") % {"user": user}, field="user")


def resolve_customers(actor, numbers, permission: str):
    """Customer numbers (CIF) or ids → visible customers; an unknown or invisible one is an error."""
    tokens = [str(n).strip() for n in numbers if str(n).strip()]
    if not tokens:
        raise DomainError(_("Name at least one customer."), field="customers")
    visible = Customer.objects.visible_to(actor, permission)
    found = {c.cif: c for c in visible.filter(cif__in=tokens)}
    # Only plain ids a database integer holds ("²" is a digit to isdigit(), not to int()).
    ids = [int(t) for t in tokens if t.isascii() and t.isdigit() and len(t) <= 18 and t not in found]
    by_id = {str(c.pk): c for c in visible.filter(pk__in=ids)}
    missing = [t for t in tokens if t not in found and t not in by_id]
    if missing:
        raise DomainError(
            _("Unknown customers or outside your data scope: %(list)s") % {"list": ", ".join(missing[:10])},
            field="customers",
        )
    result = {c.pk: c for c in [*found.values(), *by_id.values()]}
    return list(result.values())


def unassigned_for(user):
    """Customers without an owner that `user` may see or ask for: those in their data scope, and the
    non-confidential ones of their own org (an RM asks for these through an allocation request)."""
    if not has_permission(user, VIEW):
        return Customer.objects.none()
    scoped = Customer.objects.visible_to(user, VIEW).filter(owner__isnull=True).values("pk")
    own_org = Customer.objects.filter(owner__isnull=True, org_id=user.org_id, is_confidential=False).values("pk")
    return Customer.objects.filter(Q(pk__in=scoped) | Q(pk__in=own_org)).exclude(status=Customer.Status.MERGED)


def apply_transfer(actor, application) -> int:
    """On approval of a "customers.transfer" application: ownership moves to the new RM."""
    from steward.org.models import Employee

    require_permission(actor, "customers.transfer:approve")
    payload = application.payload
    customers = list(Customer.objects.filter(pk__in=payload["customer_ids"]).select_for_update())
    new_owner = Employee.objects.get(pk=payload["new_owner_id"])
    _check_new_owner(new_owner, customers)
    return _move_owner(
        actor,
        customers,
        new_owner,
        kind=OwnershipChange.Kind.TRANSFER,
        reason=application.reason,
        application=application,
    )


def apply_allocation(actor, application) -> int:
    """On approval of a "customers.allocation" application: the requesting RM gets the unassigned customers."""
    require_permission(actor, "customers.allocation:approve")
    customers = list(Customer.objects.filter(pk__in=application.payload["customer_ids"]).select_for_update())
    taken = [c.cif for c in customers if c.owner_id is not None]
    if taken:
        raise DomainError(_("Already assigned meanwhile: %(list)s") % {"list": ", ".join(taken[:10])})
    new_owner = application.submitter
    _check_new_owner(new_owner, customers)
    return _move_owner(
        actor,
        customers,
        new_owner,
        kind=OwnershipChange.Kind.ALLOCATION,
        reason=application.reason,
        application=application,
    )


def request_transfer(actor, customers, new_owner, *, reason: str, now=None):
    from steward.approvals.services import submit

    payload = {"customers": " ".join(c.cif for c in customers), "new_owner": new_owner.employee_no if new_owner else ""}
    return submit(actor, "customers.transfer", reason=reason, payload=payload, now=now)


def request_allocation(actor, customers, *, reason: str, now=None):
    from steward.approvals.services import submit

    return submit(
        actor, "customers.allocation", reason=reason, payload={"customers": " ".join(c.cif for c in customers)}, now=now
    )


@dataclass(frozen=True)
class CustomerInApplication:
    """A customer of a transfer or allocation as the person deciding it may see it (CUS-09)."""

    cif: str
    name: str
    url: str = ""
    tier: str = ""
    aum: Decimal | None = None
    owner: str = ""
    shown: bool = True  # False: outside the viewer's data scope, identity masked, figures withheld
    confidential: bool = False  # a confidential customer the viewer holds no grant for: nothing shown


def customers_in_application(viewer, customer_ids) -> list[CustomerInApplication]:
    """Who an application is about, with names and AUM, so the approver decides on people and
    figures rather than numbers. What the viewer may not see stays hidden: outside their data
    scope the name is masked (steward.privacy) and the figures are withheld; a confidential
    customer without a grant shows only its placeholder (CUS-10). One query for the customers,
    one for what the viewer sees of them."""
    from steward.privacy.masking import NAME, mask

    customers = list(
        Customer.objects.filter(pk__in=list(customer_ids)).select_related("figures", "owner").order_by("cif")
    )
    visible = set(
        Customer.objects.visible_to(viewer, VIEW).filter(pk__in=[c.pk for c in customers]).values_list("pk", flat=True)
    )
    rows = []
    for customer in customers:
        if customer.pk in visible:
            figures = getattr(customer, "figures", None)
            rows.append(
                CustomerInApplication(
                    cif=customer.cif,
                    name=customer.name,
                    url=customer.get_absolute_url(),
                    tier=figures.tier if figures else "",
                    aum=figures.aum if figures else None,
                    owner=customer.owner.name if customer.owner else "",
                )
            )
        elif customer.is_confidential:
            rows.append(
                CustomerInApplication(
                    cif=customer.cif, name=str(Customer.audit_hidden_label), shown=False, confidential=True
                )
            )
        else:
            rows.append(CustomerInApplication(cif=customer.cif, name=mask(NAME, customer.name), shown=False))
    return rows


def fallback_owner(employee):
    """Who inherits a leaver's customers: the first active holder, at the leaver's org or the nearest
    org above it, of a role listed in the parameter customers.leaver_fallback_roles (in that order)."""
    from steward.access.models import RoleAssignment

    role_codes = [c.strip() for c in str(parameter("customers.leaver_fallback_roles")).split(",") if c.strip()]
    orgs = [employee.org, *reversed(list(employee.org.ancestors()))]
    for role_code in role_codes:
        for org in orgs:
            assignment = (
                RoleAssignment.objects.current()
                .filter(role__code=role_code, org=org, user__is_active=True)
                .exclude(user=employee)
                .select_related("user")
                .order_by("granted_at", "pk")
                .first()
            )
            if assignment is not None:
                return assignment.user
    return None


def reassign_customers_of_leaver(actor, employee, now=None) -> int:
    """When an employee leaves, their customers go to the fallback owner in one audited step
    (unassigned at their org if there is none); their co-managements end. Called by the org
    service that marks the employee as having left, which has checked the actor's rights."""
    customers = list(Customer.objects.filter(owner=employee).select_for_update())
    CoManager.objects.filter(user=employee).delete()
    if not customers:
        return 0
    heir = fallback_owner(employee)
    reason = _("%(user)s left") % {"user": employee}
    return _move_owner(actor, customers, heir, kind=OwnershipChange.Kind.LEAVER, reason=reason, now=now)


# ---------------------------------------------------------------- relations (CUS-15)


@service
def create_corporate_party(actor, *, name: str, credit_code: str, industry: str = "") -> CorporateParty:
    require_permission(actor, "customers.customer:change")
    name, credit_code = (name or "").strip(), (credit_code or "").strip().upper()
    if not name:
        raise DomainError(_("Enter the company's name."), field="name")
    if len(credit_code) != 18 or not credit_code.isalnum():
        raise DomainError(_("A unified social credit code has 18 letters and digits."), field="credit_code")
    if CorporateParty.objects.filter(credit_code=credit_code).exists():
        raise DomainError(_("A company with this credit code exists already."), field="credit_code")
    return CorporateParty.objects.create(name=name, credit_code=credit_code, industry=(industry or "").strip())


@service
def add_relation(actor, customer: Customer, kind: str, *, related_customer=None, corporate=None, note: str = ""):
    """Relate a customer to another customer (both visible to the actor) or to a corporate party.
    Family relations are recorded both ways (parent ↔ child, spouse ↔ spouse)."""
    require_visible(actor, "customers.customer:change", customer)
    if (related_customer is None) == (corporate is None):
        raise DomainError(_("Choose either a customer or a company."), field="related_customer")
    if related_customer is not None:
        if kind not in CustomerRelation.PERSON_KINDS:
            raise DomainError(_("This relation links a person to a company."), field="kind")
        if related_customer.pk == customer.pk:
            raise DomainError(_("A customer cannot be related to themselves."), field="related_customer")
        if not Customer.objects.visible_to(actor, VIEW).filter(pk=related_customer.pk).exists():
            raise DomainError(_("The related customer is outside your data scope."), field="related_customer")
        if CustomerRelation.objects.filter(customer=customer, related_customer=related_customer).exists():
            raise DomainError(_("These customers are related already."), field="related_customer")
    elif kind not in CustomerRelation.CORPORATE_KINDS:
        raise DomainError(_("This relation links two people."), field="kind")
    relation = CustomerRelation.objects.create(
        customer=customer, kind=kind, related_customer=related_customer, corporate=corporate, note=note.strip()
    )
    inverse = CustomerRelation.INVERSE.get(kind)
    if related_customer is not None and inverse:
        CustomerRelation.objects.get_or_create(
            customer=related_customer, related_customer=customer, defaults={"kind": inverse, "note": note.strip()}
        )
    return relation


@service
def remove_relation(actor, relation: CustomerRelation) -> None:
    """Remove a relation (CUS-15) — and its mirror on the related customer, recorded both ways
    by `add_relation`. Only one the actor's relations tab shows: the customer editable by the
    actor, the counterpart a company or a customer they may see."""
    customer = relation.customer
    require_visible(actor, "customers.customer:change", customer)
    if not relations_for(actor, customer).filter(pk=relation.pk).exists():
        raise DomainError(_("The related customer is outside your data scope."))
    # The trail names a related customer by id only: its own confidentiality is not this entry's.
    if relation.related_customer_id:
        counterpart = f"customer #{relation.related_customer_id}"
    else:
        counterpart = str(relation.corporate)
    if relation.related_customer_id:
        CustomerRelation.objects.filter(
            customer_id=relation.related_customer_id, related_customer_id=relation.customer_id
        ).delete()
    relation.delete()
    log_event(
        "customers.relation_removed",
        customer,
        message=f"{relation.kind}: {counterpart}",
        changes={"relation": [f"{relation.kind}: {counterpart}", None]},
    )


def relations_for(user, customer: Customer):
    """The relations of a visible customer; related customers the user cannot see (e.g. confidential) are left out."""
    relations = CustomerRelation.objects.filter(customer=customer)
    # Visibility is checked for this customer's few counterparts only, not as the user's whole book.
    counterparts = relations.exclude(related_customer=None).values("related_customer_id")
    visible = Customer.objects.visible_to(user, VIEW).filter(pk__in=counterparts).values("pk")
    return relations.filter(Q(related_customer__isnull=True) | Q(related_customer__in=visible)).select_related(
        "related_customer", "corporate"
    )


def age(customer: Customer, today: dt.date | None = None) -> int | None:
    from steward.customers.identity import age_on

    return age_on(customer.birth_date, today or timezone.localdate())


# ---------------------------------------------------------------- households (CUS-08)

HOUSEHOLD_PERMISSION = "customers.customer:change"


def _require_member_candidate(actor, customer: Customer) -> None:
    require_visible(actor, HOUSEHOLD_PERMISSION, customer)
    if customer.status == Customer.Status.MERGED:
        raise DomainError(_("A merged customer cannot join a household."), field="customer")
    if HouseholdMember.objects.filter(customer=customer).exists():
        raise DomainError(
            _("%(customer)s belongs to a household already.") % {"customer": customer.cif}, field="customer"
        )


@service
def create_household(actor, head: Customer, *, name: str = "") -> Household:
    """A new household around `head`, managed by the head's org."""
    _require_member_candidate(actor, head)
    name = (name or "").strip() or _("Household of %(name)s") % {"name": head.name}
    household = Household.objects.create(name=name[:100], head=head, org_id=head.org_id)
    HouseholdMember.objects.create(household=household, customer=head, role=HouseholdMember.Role.HEAD)
    return household


@service
def add_household_member(actor, household: Household, customer: Customer, role: str = "other") -> HouseholdMember:
    if not Household.objects.visible_to(actor, HOUSEHOLD_PERMISSION).filter(pk=household.pk).exists():
        raise PermissionDenied(_("This record is outside your data scope."))
    if role not in HouseholdMember.Role.values or role == HouseholdMember.Role.HEAD:
        raise DomainError(_("Choose the member's role (use “set head” to change the head)."), field="role")
    _require_member_candidate(actor, customer)
    return HouseholdMember.objects.create(household=household, customer=customer, role=role)


@service
def remove_household_member(actor, household: Household, customer: Customer) -> None:
    """Take a member out; the head can leave only when they are the last member (the household then ends)."""
    require_visible(actor, HOUSEHOLD_PERMISSION, customer)
    member = HouseholdMember.objects.filter(household=household, customer=customer).first()
    if member is None:
        raise DomainError(_("This customer is not a member of the household."), field="customer")
    if household.head_id == customer.pk and household.members.count() > 1:
        raise DomainError(_("Make another member the head first."), field="customer")
    member.delete()
    if not household.members.exists():
        household.delete()


@service
def set_household_head(actor, household: Household, customer: Customer) -> Household:
    require_visible(actor, HOUSEHOLD_PERMISSION, customer)
    member = HouseholdMember.objects.select_for_update().filter(household=household, customer=customer).first()
    if member is None:
        raise DomainError(_("Only a member can be the head of the household."), field="customer")
    HouseholdMember.objects.filter(household=household, role=HouseholdMember.Role.HEAD).exclude(pk=member.pk).update(
        role=HouseholdMember.Role.OTHER
    )
    member.role = HouseholdMember.Role.HEAD
    member.save(update_fields=["role"])
    household.head = customer
    household.org_id = customer.org_id  # the household is managed where its head is
    household.save(update_fields=["head", "org", "updated_at"])
    return household


def household_view(user, household: Household):
    """The members of `household` `user` may see, and their AUM total computed in the query
    (members outside the user's scope are neither listed nor counted)."""
    from django.db.models import Sum

    visible = Customer.objects.visible_to(user, VIEW).values("pk")
    queryset = HouseholdMember.objects.filter(household=household, customer__in=visible)
    total = queryset.aggregate(total=Sum("customer__figures__aum"))["total"]
    members = sorted(
        queryset.select_related("customer", "customer__owner", "customer__figures"),
        key=lambda m: (m.role != HouseholdMember.Role.HEAD, m.customer.cif),
    )
    return members, total or Decimal("0.00")


def household_of(user, customer: Customer):
    """The household of a customer, if `user` may see it."""
    member = HouseholdMember.objects.filter(customer=customer).select_related("household").first()
    if member is None or not Household.objects.visible_to(user, VIEW).filter(pk=member.household_id).exists():
        return None
    return member.household


# ---------------------------------------------------------------- merging duplicates (CUS-12)
# In steward/customers/merging.py (merge_preview, merge_customers, duplicate_candidates).
