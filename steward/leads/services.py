"""Capturing potential customers: checking, region routing and matching against the customers
(LEAD-01, LEAD-02, LEAD-05, LEAD-12). One path for every source — an external channel's API,
manual entry, and later the import and "save from a search" — so the rules are the same.

A batch is checked whole first: a bad lead answers with its position and field and nothing is
stored. Then, set-based (a fixed number of queries for the batch):

* a lead whose (channel, channel reference) is stored already is skipped (idempotent per channel);
* its mobile number gives province, city and carrier (phonenumbers' prefix data); the editable
  region table (`RegionRoute`, a city before its province) names the org that receives it, else
  the default org (parameter leads.default_org; empty: the head office) — also for a foreign
  number; a number that is no phone number is refused;
* it is matched against the customers by ID number (blind index), then customer number, then
  mobile (blind index; only when one customer has it): a match links the lead to that customer
  and gives it to the customer's relationship manager, instead of a pool;
* otherwise a lead from a channel, an import or an institution waits in the receiving org's public
  pool; one typed in by an employee is held by that employee.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import phonenumbers
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from steward.access.services import require_permission
from steward.audit.services import log_bulk
from steward.basedata.services import parameter
from steward.core.errors import DomainError
from steward.customers.identity import parse_mobile, parse_resident_id
from steward.customers.models import Customer
from steward.leads.defaults import DEFAULT_ORG
from steward.leads.models import CHANNEL_REF_MAX, Institution, Lead, LeadPool, RegionRoute
from steward.leads.permissions import ADD, FEED, ROUTE_CHANGE
from steward.leads.protection import RuleBook, first_deadline
from steward.org.models import Org
from steward.privacy.crypto import blind_index

MAX_BATCH = 500
FIELDS = {"name", "mobile", "id_number", "customer_number", "channel_ref", "campaign", "institution"}
LIMITS = {"name": 100, "customer_number": 32, "channel_ref": CHANNEL_REF_MAX, "campaign": 100, "institution": 40}
CHANNEL_RE = re.compile(r"^[a-z0-9_.-]{1,40}$")


@dataclass(frozen=True)
class Region:
    number: str  # the national number (mainland) or the international form (+852…)
    province: str = ""
    city: str = ""
    carrier: str = ""
    foreign: bool = False


def mobile_region(value: str, field_name: str = "mobile") -> Region:
    """The number's ownership: a mainland mobile's province, city and carrier, or a valid foreign
    number (no region). Anything else is refused with a message that says what to enter."""
    text = (value or "").strip()
    with contextlib.suppress(DomainError):  # not a mainland mobile: perhaps a foreign number (below)
        facts = parse_mobile(text, field_name)
        return Region(facts.number, facts.province, facts.city, facts.carrier)
    digits = re.sub(r"[\s()-]", "", text)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if digits.startswith("+"):
        try:
            parsed = phonenumbers.parse(digits, None)
        except phonenumbers.NumberParseException:
            parsed = None
        if parsed is not None and phonenumbers.is_valid_number(parsed) and parsed.country_code != 86:
            return Region(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), foreign=True)
    raise DomainError(
        _("Enter a valid mobile number: 11 digits for the mainland, or + and the country code for another country."),
        field=field_name,
    )


def default_org() -> Org:
    """The org of leads with no route (parameter leads.default_org, an org code; empty or unknown:
    the head office)."""
    code = str(parameter(DEFAULT_ORG) or "").strip()
    org = Org.objects.filter(code=code).first() if code else None
    return org or Org.objects.filter(parent__isnull=True).order_by("pk").first()


def route_table() -> dict[tuple[str, str], int]:
    """(province, city or "") → the receiving org's id: the whole table (a few hundred rows)."""
    return {(r.province, r.city): r.org_id for r in RegionRoute.objects.all()}


def routed_org_id(region: Region, table: Mapping[tuple[str, str], int], fallback: int) -> int:
    if region.foreign or not region.province:
        return fallback
    return table.get((region.province, region.city)) or table.get((region.province, "")) or fallback


def public_pool(org_id: int) -> LeadPool:
    """The org's public pool, made the first time a lead arrives there."""
    pool, _created = LeadPool.objects.get_or_create(
        org_id=org_id,
        kind=LeadPool.Kind.PUBLIC,
        defaults={"name": str(_("Public pool of %(org)s") % {"org": Org.objects.get(pk=org_id).name})},
    )
    return pool


# ---------------------------------------------------------------- checking


@dataclass
class CheckedLead:
    name: str
    region: Region
    id_number: str = ""
    customer_number: str = ""
    channel_ref: str = ""
    campaign: str = ""
    institution: str = ""
    mobile_index: str = ""
    id_number_index: str = ""


def check_lead(values: Mapping, *, needs_ref: bool, where: str = "") -> CheckedLead:
    """One lead's fields, checked; `where` ("Lead 3: ") starts every message."""

    def fail(message, field_name):
        raise DomainError(where + message, field=field_name)

    if not isinstance(values, Mapping):
        fail(_("expected an object of lead fields."), "leads")
    unknown = sorted(set(values) - FIELDS)
    if unknown:
        fail(_("unknown fields %(fields)s.") % {"fields": ", ".join(unknown)}, unknown[0])
    text = {}
    for name in FIELDS:
        raw = values.get(name, "")
        if raw is None:
            raw = ""
        if not isinstance(raw, str | int):
            fail(_("%(field)s must be text.") % {"field": name}, name)
        text[name] = str(raw).strip()
        if name in LIMITS and len(text[name]) > LIMITS[name]:
            fail(_("%(field)s has at most %(n)s characters.") % {"field": name, "n": LIMITS[name]}, name)
    if not text["name"]:
        fail(_("a name is required."), "name")
    if not text["mobile"]:
        fail(_("a mobile number is required."), "mobile")
    try:
        region = mobile_region(text["mobile"])
        id_number = parse_resident_id(text["id_number"]).number if text["id_number"] else ""
    except DomainError as error:
        fail(str(error.message), error.field)
    if needs_ref and not text["channel_ref"]:
        fail(_("the channel's reference is required (it makes a lead sent again add nothing)."), "channel_ref")
    return CheckedLead(
        name=text["name"],
        region=region,
        id_number=id_number,
        customer_number=text["customer_number"],
        channel_ref=text["channel_ref"],
        campaign=text["campaign"],
        institution=text["institution"],
        mobile_index=blind_index("mobile", region.number),
        id_number_index=blind_index("id_number", id_number) if id_number else "",
    )


def institutions_by_code(leads: list[CheckedLead], *, where) -> dict[str, Institution]:
    """The active institutions the leads name by code; a code naming none is refused, with the
    lead's position (`where(lead)`)."""
    codes = {lead.institution for lead in leads if lead.institution}
    found = {i.code: i for i in Institution.objects.filter(code__in=codes, is_active=True)} if codes else {}
    for lead in leads:
        if lead.institution and lead.institution not in found:
            raise DomainError(
                where(lead) + _("no active institution has the code %(code)s.") % {"code": lead.institution},
                field="institution",
            )
    return found


# ---------------------------------------------------------------- matching


def match_customers(leads: list[CheckedLead]) -> list[Customer | None]:
    """Each lead's existing customer: by ID number, then customer number, then mobile (only when
    exactly one customer has it). Active and dormant customers; a merged one counts as its
    survivor. Three queries for the batch."""
    live = [Customer.Status.ACTIVE, Customer.Status.DORMANT]

    def by(field_name: str, values: set[str]) -> dict[str, list[Customer]]:
        found: dict[str, list[Customer]] = {}
        if not values:
            return found
        rows = Customer.objects.filter(**{f"{field_name}__in": values}).filter(
            status__in=[*live, Customer.Status.MERGED]
        )
        for customer in rows.select_related("merged_into"):
            survivor = customer.merged_into if customer.status == Customer.Status.MERGED else customer
            if survivor is None or survivor.status not in live:
                continue
            bucket = found.setdefault(getattr(customer, field_name), [])
            if all(c.pk != survivor.pk for c in bucket):
                bucket.append(survivor)
        return found

    by_id = by("id_number_index", {lead.id_number_index for lead in leads if lead.id_number_index})
    by_cif = by("cif", {lead.customer_number for lead in leads if lead.customer_number})
    by_mobile = by("mobile_index", {lead.mobile_index for lead in leads})
    matches = []
    for lead in leads:
        match = None
        for candidates in (
            by_id.get(lead.id_number_index, []),
            by_cif.get(lead.customer_number, []),
            by_mobile.get(lead.mobile_index, []),
        ):
            if len(candidates) == 1:
                match = candidates[0]
                break
        matches.append(match)
    return matches


# ---------------------------------------------------------------- capturing


@dataclass
class CaptureResult:
    received: int = 0
    added: int = 0
    already_known: int = 0
    existing_customers: int = 0
    leads: list[Lead] = field(default_factory=list)


def capture_from_channel(actor, channel: str, rows: Iterable[Mapping], *, now=None) -> CaptureResult:
    """An external channel's leads (mobile banking, a partner site; the channel's API account
    holding leads.lead_feed:post): at most MAX_BATCH, each with the channel's own reference."""
    require_permission(actor, FEED)
    channel = (channel or "").strip().lower()
    if not CHANNEL_RE.match(channel):
        raise DomainError(
            _("Name the channel: up to 40 lower-case letters, digits, dots, dashes or underscores."), field="channel"
        )
    return _capture(actor, list(rows), source=Lead.Source.CHANNEL, channel=channel, now=now)


def enter_lead(actor, values: Mapping, *, source: str = Lead.Source.MANUAL, now=None) -> CaptureResult:
    """A lead typed in by an employee (leads.lead:add), by hand or saved from a search (LEAD-12):
    they hold it, unless the person is a customer already — then it is linked and goes to the
    customer's relationship manager."""
    require_permission(actor, ADD)
    if source not in (Lead.Source.MANUAL, Lead.Source.SEARCH):
        raise DomainError(_("A lead entered by hand comes from the form or from a search."), field="source")
    values = {k: v for k, v in values.items() if k != "from_search"}
    return _capture(actor, [values], source=source, channel="", now=now)


def search_initial(query: str) -> dict:
    """The lead form's fields from a search text: a number is the mobile, else the name."""
    text = (query or "").strip()[:100]
    digits = re.sub(r"[\s()+-]", "", text)
    if digits.isdigit() and len(digits) >= 7:
        return {"mobile": text}
    return {"name": text}


def _capture(actor, rows: list, *, source: str, channel: str, now=None) -> CaptureResult:
    now = now or timezone.now()
    if not rows:
        raise DomainError(_("Send at least one lead."), field="leads")
    if len(rows) > MAX_BATCH:
        raise DomainError(_("Send at most %(count)s leads at once.") % {"count": MAX_BATCH}, field="leads")
    needs_ref = source == Lead.Source.CHANNEL
    checked = [
        check_lead(values, needs_ref=needs_ref, where=_("Lead %(n)s: ") % {"n": n} if len(rows) > 1 else "")
        for n, values in enumerate(rows, start=1)
    ]
    result = CaptureResult(received=len(checked))
    # The same reference twice in one batch is one lead; one stored already adds nothing.
    refs = {lead.channel_ref for lead in checked if lead.channel_ref}
    known = set(
        Lead.objects.filter(channel=channel, channel_ref__in=refs).values_list("channel_ref", flat=True) if refs else []
    )
    fresh, seen = [], set()
    for lead in checked:
        if lead.channel_ref and (lead.channel_ref in known or lead.channel_ref in seen):
            continue
        seen.add(lead.channel_ref)
        fresh.append(lead)
    result.already_known = result.received - len(fresh)
    if not fresh:
        return result
    institutions = institutions_by_code(
        checked, where=lambda lead: _("Lead %(n)s: ") % {"n": checked.index(lead) + 1} if len(rows) > 1 else ""
    )
    matches = match_customers(fresh)
    table, fallback = route_table(), default_org().pk
    rules = RuleBook()
    pools: dict[int, LeadPool] = {}
    objects = []
    for lead, customer in zip(fresh, matches, strict=True):
        holder_id, pool = None, None
        if customer is not None:
            org_id, holder_id = customer.org_id, customer.owner_id
        elif source in (Lead.Source.MANUAL, Lead.Source.SEARCH):
            org_id, holder_id = actor.org_id, actor.pk
        else:
            org_id = routed_org_id(lead.region, table, fallback)
        if holder_id is None:
            if org_id not in pools:
                pools[org_id] = public_pool(org_id)
            pool = pools[org_id]
        objects.append(
            Lead(
                name=lead.name,
                mobile=lead.region.number,
                mobile_index=lead.mobile_index,
                mobile_province=lead.region.province,
                mobile_city=lead.region.city,
                mobile_carrier=lead.region.carrier,
                id_number=lead.id_number,
                id_number_index=lead.id_number_index,
                org_id=org_id,
                pool=pool,
                pooled_at=now if pool is not None else None,
                holder_id=holder_id,
                # A held lead's protection starts now (LEAD-04).
                assigned_at=now if holder_id else None,
                protected_until=first_deadline(rules.for_lead(org_id, Lead.Level.NORMAL), now) if holder_id else None,
                customer=customer,
                source=source,
                channel=channel,
                channel_ref=lead.channel_ref,
                campaign=lead.campaign,
                institution=institutions.get(lead.institution),
                created_by=actor,
                created_at=now,
            )
        )
    try:
        with transaction.atomic():
            created = Lead.objects.bulk_create(objects, batch_size=MAX_BATCH)
            log_bulk("create", Lead, [lead.pk for lead in created], actor=actor, message=f"leads {source} {channel}")
    except IntegrityError:
        # The same reference arrived in another request at this very moment: sending again is safe.
        raise DomainError(_("These leads are being stored by another request; send them again."), field="leads")
    result.added = len(created)
    result.existing_customers = sum(1 for lead in created if lead.customer_id)
    result.leads = created
    return result


# ---------------------------------------------------------------- the region table


def save_route(actor, route: RegionRoute) -> RegionRoute:
    """Add or change a row of the region table (LEAD-02); audited by the model's change capture.
    A province (and city) has one row: a second is refused on its field."""
    require_permission(actor, ROUTE_CHANGE)
    route.province, route.city = route.province.strip(), route.city.strip()
    route.full_clean()
    route.save()
    return route


def delete_route(actor, route: RegionRoute) -> None:
    """The region's leads go to the province's row, or to the default org, from now on."""
    require_permission(actor, ROUTE_CHANGE)
    route.delete()
