"""Importing potential customers from the Excel template or a CSV file (LEAD-01, LEAD-07), on the
shared import pipeline (steward/imports): the same page flow, background run, progress and
rejected-rows report (line, column, reason) as the customer import; no row cap.

Each row is checked with the capture's rules (steward/leads/services.py): `check_lead`'s fields
and limits, the mobile number's ownership (`mobile_region`), the resident ID's check; then, per
batch of rows, set-based:

* a person who appears twice in the file (same mobile or ID number) is refused on the second line;
  a person who is an open potential customer already (same mobile or ID number, not converted,
  invalid or merged) is refused, saying who holds the lead or which pool it waits in when the
  importer may see it — the file adds no duplicate, and importing the same file again adds nothing;
* the org code, when given, must name an org the importer manages (its data scope for
  leads.lead:add, and its own org); the institution code must name an active institution;
* the lead is matched against the customers (`match_customers`: ID number, customer number,
  unique mobile): a match links it and hands it to the customer's relationship manager
  (`handover.hand_over`: protection from now), not to a pool;
* otherwise it goes to the public pool (`handover.public_pools`) of the file's org, else the
  institution's org, else the org its mobile number is routed to (`route_table`, `routed_org_id`,
  `default_org`). Routing is the bank's rule, so a routed lead may land outside the importer's
  scope: only an org the file names is held to the importer's scope.

Every lead gets source "import", the run's import number (`import_number_of`) and the importer as
creator. The good rows are written with one INSERT … SELECT per batch from the pipeline's stage.

`mobile_region` parses a number with phonenumbers (about 150 µs; 15 s for 100,000 rows), so the
check reads the plain 11-digit mainland form straight from the same prefix tables
(`steward.customers.identity.mobile_place`, as the customer import and the T+1 intake do) and
passes anything else to `mobile_region`; `check_row` therefore applies `check_lead`'s rules
itself — tests/test_import.py proves both accept and refuse the same values on the same field.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from django.db import connection
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views import View

from steward.audit.labels import register_actions
from steward.audit.services import log_bulk
from steward.core.errors import DomainError
from steward.core.statistics import refresh_statistics
from steward.core.views import PermissionRequiredMixin
from steward.customers.identity import _CN_MOBILE_RE, mobile_place, parse_resident_id
from steward.imports.pipeline import insert_from_stage
from steward.imports.registry import Importer, Rejection, RowRejected, importers
from steward.leads.permissions import ADD, VIEW
from steward.leads.services import LIMITS, CheckedLead, Region, mobile_region
from steward.privacy.crypto import blind_index

KIND = "leads"
# (field, column header) in template order; the header is what users see.
COLUMNS = (
    ("name", gettext_lazy("name")),
    ("mobile", gettext_lazy("mobile")),
    ("id_number", gettext_lazy("ID number")),
    ("customer_number", gettext_lazy("customer number")),
    ("org", gettext_lazy("org code")),
    ("level", gettext_lazy("lead level")),
    ("channel", gettext_lazy("channel")),
    ("campaign", gettext_lazy("campaign")),
    ("institution", gettext_lazy("institution code")),
)
REQUIRED = ("name", "mobile")
NOTES = (
    ("name", gettext_lazy("Required.")),
    ("mobile", gettext_lazy("Required: 11 digits for the mainland, or + and the country code.")),
    ("id_number", gettext_lazy("Optional: an 18-character resident ID number.")),
    ("customer_number", gettext_lazy("Optional: the person's customer number, if they are a customer.")),
    (
        "org",
        gettext_lazy(
            "Optional: an org you manage; its public pool receives the lead. Empty: the institution's org, "
            "else the org that receives the mobile number's region."
        ),
    ),
    ("level", gettext_lazy("Optional: high, normal or low. Empty: normal.")),
    ("channel", gettext_lazy("Optional: where the lead came from (at most 40 characters).")),
    ("campaign", gettext_lazy("Optional: at most 100 characters.")),
    ("institution", gettext_lazy("Optional: the code of an active institution (payroll company, partner).")),
)

_CN_MOBILE_DIGITS = re.compile(r"^1\d{10}$")


def _label(name: str) -> str:
    return str(dict(COLUMNS).get(name, name or "—"))


def import_number_of(run) -> str:
    """The import number every lead of the run carries (LEAD-07): unique, readable, dated."""
    return f"IMP{timezone.localtime(run.created_at):%Y%m%d}-{run.pk}"


def template_workbook() -> bytes:
    """The downloadable .xlsx template: the header row (numbers kept as text), and a second sheet
    saying what each column takes. Only the first sheet is read back."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(_("potential customers"))[:31]
    sheet.append([str(label) for _name, label in COLUMNS])
    for index in range(1, len(COLUMNS) + 1):
        sheet.cell(row=2, column=index).number_format = "@"
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = 20
    notes = workbook.create_sheet(str(_("how to fill it in"))[:31])
    notes.append([str(_("column")), str(_("what to enter"))])
    for name, note in NOTES:
        notes.append([_label(name), str(note)])
    notes.column_dimensions["A"].width = 20
    notes.column_dimensions["B"].width = 90
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- one row's checks


def region_of(value: str):
    """`mobile_region(value)`: the plain 11-digit mainland form from the prefix tables (3 µs, the
    same data phonenumbers reads), anything else through `mobile_region` itself."""
    digits = re.sub(r"[\s-]", "", value)
    if digits.startswith("+86"):
        digits = digits[3:]
    if _CN_MOBILE_DIGITS.match(digits) and _CN_MOBILE_RE.fullmatch(digits):
        return Region(digits, *mobile_place(digits[:7]))
    return mobile_region(value)


def level_names() -> dict[str, str]:
    """A level as the file may give it — its code, or its name in any language of the site."""
    from django.conf import settings
    from django.utils import translation

    from steward.leads.models import Lead

    names = {value: value for value in Lead.Level.values}
    for code, _language in settings.LANGUAGES:
        with translation.override(code):
            names |= {str(label).strip().lower(): value for value, label in Lead.Level.choices}
    return names


def check_row(data: dict):
    """`check_lead`'s rules for one row of the file (needs_ref=False): a `CheckedLead`, or
    `RowRejected` on the column at fault."""
    text = {name: (data.get(name) or "").strip() for name in ("name", "mobile", "id_number", "customer_number")}
    text["campaign"] = (data.get("campaign") or "").strip()
    for name in ("name", "customer_number", "campaign"):
        if len(text[name]) > LIMITS[name]:
            raise RowRejected(_label(name), _("At most %(n)s characters.") % {"n": LIMITS[name]})
    if not text["name"]:
        raise RowRejected(_label("name"), _("Enter the name."))
    if not text["mobile"]:
        raise RowRejected(_label("mobile"), _("Enter the mobile number."))
    try:
        region = region_of(text["mobile"])
    except DomainError as error:
        raise RowRejected(_label("mobile"), str(error.message)) from None
    id_number = ""
    if text["id_number"]:
        try:
            id_number = parse_resident_id(text["id_number"]).number
        except DomainError as error:
            raise RowRejected(_label("id_number"), str(error.message)) from None
    return CheckedLead(
        name=text["name"],
        region=region,
        id_number=id_number,
        customer_number=text["customer_number"],
        campaign=text["campaign"],
        mobile_index=blind_index("mobile", region.number),
        id_number_index=blind_index("id_number", id_number) if id_number else "",
    )


# ---------------------------------------------------------------- the importer


class _State:
    """What one file's check needs, read once: orgs by code, the importer's scope, the active
    institutions, the region table; and the people the file has brought so far."""

    def __init__(self, run, actor):
        from steward.leads.models import Institution, Lead
        from steward.leads.services import default_org, route_table
        from steward.org.models import Org

        self.actor = actor
        self.run_id = run.pk
        self.import_number = import_number_of(run)
        self.now = timezone.now()
        self.orgs = dict(Org.objects.values_list("code", "pk"))
        self.reachable_orgs = set(Org.objects.visible_to(actor, ADD).values_list("pk", flat=True))
        if getattr(actor, "org_id", None):
            self.reachable_orgs.add(actor.org_id)
        self.institutions = dict(Institution.objects.filter(is_active=True).values_list("code", "pk"))
        self.institution_orgs = dict(Institution.objects.filter(is_active=True).values_list("pk", "org_id"))
        self.routes = route_table()
        self.fallback = default_org().pk
        self.levels = level_names()
        self.default_level = Lead._meta.get_field("level").default
        self.channel_length = Lead._meta.get_field("channel").max_length
        self.file_mobiles: dict[str, int] = {}  # mobile blind index → the line that brought it
        self.file_ids: dict[str, int] = {}  # ID number blind index → the line that brought it


@dataclass
class _Row:
    line: int
    lead: object = None  # CheckedLead
    org_id: int | None = None  # the org the file names
    institution_id: int | None = None
    level: str = ""
    channel: str = ""
    refusal: RowRejected | None = None


LOOKUP_SLICE = 500
OPEN_LEAD = "l.merged_into_id IS NULL AND l.stage NOT IN (%s, %s)"


def _closed_stages():
    from steward.leads.models import Lead

    return [Lead.Stage.CONVERTED, Lead.Stage.INVALID]


class LeadImporter(Importer):
    kind = KIND
    label = gettext_lazy("potential customers")
    permission = ADD
    columns = COLUMNS
    required_columns = REQUIRED
    back_url_name = "leads:import"
    stage_columns = [
        ("name", "text"),
        ("mobile", "text"),
        ("mobile_index", "text"),
        ("mobile_province", "text"),
        ("mobile_city", "text"),
        ("mobile_carrier", "text"),
        ("id_number", "text"),
        ("id_number_index", "text"),
        ("level", "text"),
        ("channel", "text"),
        ("campaign", "text"),
        ("institution_id", "int"),
        ("org_id", "int"),
        ("customer_id", "int"),
        ("holder_id", "int"),  # the matched customer's relationship manager
    ]

    def begin(self, run, actor):
        return _State(run, actor)

    # ------------------------------------------------------------ checking

    def _prepare(self, state: _State, line: int, data: dict) -> _Row:
        row = _Row(line)
        try:
            row.lead = check_row(data)
            code = (data.get("org") or "").strip()
            if code:
                row.org_id = state.orgs.get(code)
                if row.org_id is None:
                    raise RowRejected(_label("org"), _("Unknown org code."))
                if row.org_id not in state.reachable_orgs:
                    raise RowRejected(_label("org"), _("The org is outside your data scope."))
            level = (data.get("level") or "").strip()
            row.level = state.levels.get(level.lower(), "") if level else state.default_level
            if not row.level:
                raise RowRejected(
                    _label("level"), _("“%(value)s” is not a lead level: enter high, normal or low.") % {"value": level}
                )
            row.channel = (data.get("channel") or "").strip()
            if len(row.channel) > state.channel_length:
                raise RowRejected(_label("channel"), _("At most %(n)s characters.") % {"n": state.channel_length})
            institution = (data.get("institution") or "").strip()
            if institution:
                row.institution_id = state.institutions.get(institution)
                if row.institution_id is None:
                    raise RowRejected(
                        _label("institution"), _("No active institution has the code %(code)s.") % {"code": institution}
                    )
        except RowRejected as refusal:
            row.refusal = refusal
        return row

    def check(self, state: _State, rows):
        from steward.leads.services import match_customers, routed_org_id
        from steward.privacy import crypto

        prepared = [self._prepare(state, line, data) for line, data in rows]
        for row in prepared:
            if row.refusal is None:
                row.refusal = self._claim_in_file(state, row)
        fresh = [row for row in prepared if row.refusal is None]
        existing = self._open_leads(state, fresh)
        for row in fresh:
            held = existing.get(row.lead.mobile_index) or (
                existing.get(row.lead.id_number_index) if row.lead.id_number_index else None
            )
            if held is not None:
                row.refusal = RowRejected(
                    _label("mobile") if row.lead.mobile_index in existing else _label("id_number"), held
                )
        fresh = [row for row in fresh if row.refusal is None]
        matches = match_customers([row.lead for row in fresh])
        good = []
        for row, customer in zip(fresh, matches, strict=True):
            lead = row.lead
            holder_id = None
            if customer is not None:
                org_id, holder_id = customer.org_id, customer.owner_id
            elif row.org_id is not None:
                org_id = row.org_id
            elif row.institution_id is not None:
                org_id = state.institution_orgs[row.institution_id]
            else:
                org_id = routed_org_id(lead.region, state.routes, state.fallback)
            good.append(
                (
                    row.line,
                    lead.name,
                    lead.region.number,
                    lead.mobile_index,
                    lead.region.province,
                    lead.region.city,
                    lead.region.carrier,
                    crypto.encrypt(lead.id_number) if lead.id_number else "",
                    lead.id_number_index,
                    row.level,
                    row.channel,
                    lead.campaign,
                    row.institution_id,
                    org_id,
                    customer.pk if customer is not None else None,
                    holder_id,
                )
            )
        rejected = [
            Rejection(row.line, row.refusal.column, row.refusal.reason) for row in prepared if row.refusal is not None
        ]
        rejected.sort(key=lambda r: r.line)
        return good, rejected

    @staticmethod
    def _claim_in_file(state: _State, row: _Row) -> RowRejected | None:
        """The file's own duplicates: a person's second line is refused, naming the first."""
        lead = row.lead
        first = state.file_mobiles.get(lead.mobile_index)
        if first is not None:
            return RowRejected(
                _label("mobile"),
                _("The mobile number appears already on line %(line)s of this file.") % {"line": first},
            )
        first = state.file_ids.get(lead.id_number_index) if lead.id_number_index else None
        if first is not None:
            return RowRejected(
                _label("id_number"), _("The ID number appears already on line %(line)s of this file.") % {"line": first}
            )
        state.file_mobiles[lead.mobile_index] = row.line
        if lead.id_number_index:
            state.file_ids[lead.id_number_index] = row.line
        return None

    @staticmethod
    def _open_leads(state: _State, rows: list[_Row]) -> dict[str, str]:
        """Blind index (mobile or ID number) → why a row with it is refused: the person is an open
        potential customer already. One query per LOOKUP_SLICE rows (two more when some are found)."""
        from steward.leads.models import Lead

        if not rows:
            return {}
        mobiles = {row.lead.mobile_index for row in rows}
        ids = {row.lead.id_number_index for row in rows if row.lead.id_number_index}
        # Narrow reads by the index alone, in slices the planner answers with index look-ups (a
        # 5,000-value list with the open-lead condition was planned as a scan of the whole table);
        # nearly always nothing is found, so the details are read only for what is.
        closed = set(_closed_stages())
        pks = set()
        for column, values in (("mobile_index", sorted(mobiles)), ("id_number_index", sorted(ids))):
            for start in range(0, len(values), LOOKUP_SLICE):
                matching = Lead.objects.filter(**{f"{column}__in": values[start : start + LOOKUP_SLICE]}).order_by()
                pks.update(
                    pk
                    for pk, stage, merged_into in matching.values_list("pk", "stage", "merged_into_id")
                    if merged_into is None and stage not in closed
                )
        if not pks:
            return {}
        found = list(Lead.objects.filter(pk__in=pks).select_related("holder", "pool").order_by("pk"))
        visible = set(Lead.objects.visible_to(state.actor, VIEW).filter(pk__in=pks).values_list("pk", flat=True))
        reasons: dict[str, str] = {}
        for lead in found:
            if lead.pk not in visible:
                reason = _("This person is already a potential customer of another org.")
            elif lead.holder_id:
                reason = _("This person is already a potential customer, held by %(holder)s.") % {"holder": lead.holder}
            elif lead.pool_id:
                reason = _("This person is already a potential customer, waiting in %(pool)s.") % {"pool": lead.pool}
            else:
                reason = _("This person is already a potential customer.")
            for index in (lead.mobile_index, lead.id_number_index):
                if index and (index in mobiles or index in ids):
                    reasons.setdefault(index, reason)
        return reasons

    # ------------------------------------------------------------ writing

    def write(self, state: _State, cursor, stage, first_line, last_line):
        from steward.leads import handover
        from steward.leads.models import Lead

        table = Lead._meta.db_table
        closed = _closed_stages()
        # Someone added the same person while the file was being imported: left out here, and
        # refused below (by the mobile, which is unique within the file's good rows).
        taken = (
            f"(EXISTS (SELECT 1 FROM {table} l WHERE l.mobile_index = s.mobile_index AND {OPEN_LEAD}) "
            f"OR (s.id_number_index <> '' AND EXISTS (SELECT 1 FROM {table} l "
            f"WHERE l.id_number_index = s.id_number_index AND {OPEN_LEAD})))"
        )
        cursor.execute(
            f"SELECT DISTINCT org_id FROM {stage} WHERE line BETWEEN %s AND %s AND holder_id IS NULL",
            [first_line, last_line],
        )
        pools = handover.public_pools([org_id for (org_id,) in cursor.fetchall()])  # made where missing
        # Each org's pool, as a CASE over the batch's few orgs (no look-up per row).
        pool_sql = "NULL"
        if pools:
            pool_sql = f"CASE WHEN s.holder_id IS NULL THEN CASE s.org_id {'WHEN %s THEN %s ' * len(pools)}END END"
        now = Lead._meta.get_field("created_at").get_db_prep_save(state.now, connection)
        provided = {
            **{c: (f"s.{c}", []) for c, _k in self.stage_columns if c != "holder_id"},
            "pool_id": (pool_sql, [value for pair in pools.items() for value in pair]),
            "pooled_at": ("CASE WHEN s.holder_id IS NULL THEN %s END", [now]),
            "source": ("%s", [Lead.Source.IMPORT]),
            "import_number": ("%s", [state.import_number]),
            "created_by_id": ("%s", [state.actor.pk]),
        }
        params = [p for f in Lead._meta.concrete_fields if f.column in provided for p in provided[f.column][1]]
        inserted = insert_from_stage(
            cursor,
            Lead,
            stage,
            {column: sql for column, (sql, _p) in provided.items()},
            state.now,
            provided_params=params,
            where=f"s.line BETWEEN %s AND %s AND NOT {taken}",
            params=[first_line, last_line, *closed, *closed],
            returning="id, customer_id, mobile_index",
        )
        rejected = []
        if len(inserted) < self._staged_count(cursor, stage, first_line, last_line):
            written = {mobile_index for _pk, _customer, mobile_index in inserted}
            cursor.execute(
                f"SELECT line, mobile_index FROM {stage} WHERE line BETWEEN %s AND %s ORDER BY line",
                [first_line, last_line],
            )
            rejected = [
                Rejection(
                    line,
                    _label("mobile"),
                    _(
                        "Another potential customer with this mobile or ID number was added while the file "
                        "was imported."
                    ),
                )
                for line, mobile_index in cursor.fetchall()
                if mobile_index not in written
            ]
        ids = [pk for pk, _customer, _mobile in inserted]
        if ids:
            log_bulk(
                "leads.imported",
                Lead,
                ids,
                actor=state.actor,
                message=f"import run {state.run_id} ({state.import_number}) lines {first_line}-{last_line}",
            )
        matched = [(pk, customer) for pk, customer, _mobile in inserted if customer is not None]
        if matched:
            cursor.execute(
                f"SELECT DISTINCT customer_id, holder_id FROM {stage} "
                "WHERE line BETWEEN %s AND %s AND holder_id IS NOT NULL",
                [first_line, last_line],
            )
            owners = dict(cursor.fetchall())
            by_holder: dict[int, list[int]] = {}
            for pk, customer in matched:
                if customer in owners:
                    by_holder.setdefault(owners[customer], []).append(pk)
            handover.hand_over(
                state.actor,
                by_holder,
                reason=str(_("an existing customer's lead, to their relationship manager")),
                now=state.now,
            )
        return ids, rejected

    @staticmethod
    def _staged_count(cursor, stage, first_line, last_line) -> int:
        cursor.execute(f"SELECT COUNT(*) FROM {stage} WHERE line BETWEEN %s AND %s", [first_line, last_line])
        return cursor.fetchone()[0]

    def finish(self, state, run):
        from steward.leads.models import Lead

        if run.rows_written:
            refresh_statistics(Lead)


importers.register(LeadImporter())
register_actions({"leads.imported": pgettext_lazy("audit action", "Potential customers imported")})


# ---------------------------------------------------------------- synchronous use (tests, shell)


@dataclass
class ImportReport:
    run: object
    rows: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (line, column, reason)
    written: int = 0


def import_leads(actor, upload, *, save: bool, good_rows_only: bool = False) -> ImportReport:
    """Check (save=False) or import `upload` right here, on the pipeline the page's background run
    uses. save=True imports only a clean file unless good_rows_only."""
    from steward.imports import services
    from steward.imports.models import ImportRun

    mode = (
        ImportRun.Mode.CHECK if not save else (ImportRun.Mode.IMPORT_GOOD if good_rows_only else ImportRun.Mode.IMPORT)
    )
    run = services.start_import(actor, KIND, upload, mode=mode, confirmed=True)
    services.execute_import(run.pk)
    run.refresh_from_db()
    if run.status == ImportRun.Status.FAILED:
        raise DomainError(run.error, field="file")
    errors = [(r.line, r.column, r.reason) for r in run.rejections.all()]
    return ImportReport(run=run, rows=run.rows_checked, errors=errors, written=run.rows_written)


# ---------------------------------------------------------------- the pages


class LeadImportTemplateView(PermissionRequiredMixin, View):
    permission = ADD

    def get(self, request, *args, **kwargs):
        response = HttpResponse(
            template_workbook(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = 'attachment; filename="potential-customers-template.xlsx"'
        return response


class LeadImportView(PermissionRequiredMixin, View):
    """Upload → a background run on the shared import pipeline (steward/imports), whose page shows
    its progress and the rejected rows (LEAD-07). "Check" never saves; "Import" saves only a clean
    file; "Import the good rows" needs the confirmation box ticked."""

    permission = ADD

    def render(self, request, status=200, **context):
        from steward.imports.reading import max_bytes
        from steward.imports.services import runs_visible_to

        context.setdefault("title", _("Import potential customers"))
        context["intro"] = _(
            "Fill in the template, one potential customer a row, and upload it as .xlsx or .csv (up to "
            "%(megabytes)s MB, any number of rows). Every row is checked with the same rules as a lead entered "
            "by hand. A person who is a customer already goes to their relationship manager; the others go to "
            "the public pool of the org in the file (an org you manage), else of the institution's org, else of "
            "the org that receives their mobile number's region. A person who is a potential customer already "
            "is refused. Every lead of the file carries its import number. The file is checked and imported in "
            "the background: the next page shows the progress and the rows with errors. “Import” saves the "
            "file only when every row is clean; otherwise you may import the good rows on explicit confirmation."
        ) % {"megabytes": f"{max_bytes() / 1_048_576:,.0f}"}
        runs = list(runs_visible_to(request.user).filter(kind=KIND, requested_by=request.user)[:10])
        for run in runs:
            run.import_number = import_number_of(run)
        context["recent_runs"] = runs
        return TemplateResponse(request, "leads/lead_import.html", context, status=status)

    def get(self, request, *args, **kwargs):
        return self.render(request)

    def post(self, request, *args, **kwargs):
        from steward.imports.services import start_import

        try:
            run = start_import(
                request.user,
                KIND,
                request.FILES.get("file"),
                mode=request.POST.get("action", "check"),
                confirmed=request.POST.get("confirm") == "1",
            )
        except DomainError as error:
            return self.render(request, status=400, error=error.message)
        return HttpResponseRedirect(run.get_absolute_url())


# Included by steward/leads/urls.py (namespace "leads").
urlpatterns = [
    path("import/", LeadImportView.as_view(), name="import"),
    path("import/template.xlsx", LeadImportTemplateView.as_view(), name="import_template"),
]
