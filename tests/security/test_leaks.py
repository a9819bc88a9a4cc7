"""The leak crawl (issue 11, point 12): every page, API route, export, htmx fragment and audit
search, as every seeded role without an explicit unmask, grepped for every seeded plain value.

PLT-13 (personal data masked in every page, API response and export unless unmasked),
CUS-10 (a confidential customer only for its owner and explicit grantees),
CUS-11 (a private note only for its author).
"""

from __future__ import annotations

import html
import io
import json
import re
import time
from dataclasses import dataclass

import pytest
from django.test import Client

from steward.access.services import forget_grants, has_permission
from tests.security.conftest import DEMO_ROLES, Route, SeededBank, all_routes, model_of

UNMASK = "privacy.pii:unmask"
EXPORT_UNMASKED = "privacy.pii:export_unmasked"
NUMERIC_KINDS = ("id_number", "mobile", "account", "card")
# Not crawled: ending the session, switching the language (POST only), the token endpoint and
# the OpenAPI schema (no data, and slow), Django admin beyond the models holding personal data.
SKIPPED = ("/logout/", "/language/", "/api/v1/auth/token/", "/api/schema/")
ADMIN_KEPT = ("/django-admin/", "/django-admin/customers/customer/", "/django-admin/org/employee/")
SAMPLE = 1  # ids per model inside the user's scope, and as many outside it


@dataclass(frozen=True)
class Finding:
    role: str
    method: str
    url: str
    kind: str
    where: str

    def __str__(self) -> str:
        return f"{self.role:<9} {self.method:<4} {self.url}  →  {self.kind} ({self.where})"


class Grep:
    """Finds seeded plain values in a response text, fast enough for thousands of responses."""

    def __init__(self, secrets, user):
        mine = [s for s in secrets if user.pk not in s.allowed]
        self.numeric: dict[str, object] = {}
        self.emails: dict[str, object] = {}
        self.texts = []
        for secret in mine:
            if secret.kind in NUMERIC_KINDS:
                self.numeric[re.sub(r"\s", "", secret.value).upper()] = secret
            elif secret.kind == "email":
                self.emails[secret.value.lower()] = secret
            else:
                self.texts.append(secret)
        self.lengths = sorted({len(value) for value in self.numeric})

    def __call__(self, text: str) -> list:
        found = {}
        # Digits written with spaces or hyphens in between (a card as 6222 0212 …) count too.
        joined = re.sub(r"(?<=[0-9])[ \-](?=[0-9])", "", text)
        for run in set(re.findall(r"[0-9][0-9Xx]{5,}", text) + re.findall(r"[0-9][0-9Xx]{5,}", joined)):
            run = run.upper()
            for length in self.lengths:
                for start in range(0, len(run) - length + 1):
                    secret = self.numeric.get(run[start : start + length])
                    if secret is not None:
                        found[secret.value] = secret
        for address in set(re.findall(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+", text)):
            secret = self.emails.get(address.lower())
            if secret is not None:
                found[secret.value] = secret
        for secret in self.texts:
            # A note or address cut short still leaks: its first ten characters are searched
            # (the address mask shows six).
            if (secret.value[:10] if secret.kind in ("private_note", "address") else secret.value) in text:
                found[secret.value] = secret
        return list(found.values())


def response_text(response) -> str:
    """What the user receives, as text: an .xlsx is opened and its cells read; JSON is decoded."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            "\t".join("" if value is None else str(value) for value in row)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    text = content.decode("utf-8", errors="replace")
    if "json" in kind:
        try:
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            return text
    return html.unescape(text)


class LeakCrawl:
    def __init__(self, bank: SeededBank, role: str):
        self.bank = bank
        self.role = role
        self.user = bank.users[role]
        self.client = Client(raise_request_exception=False)
        self.client.force_login(self.user)
        self.grep = Grep(bank.secrets, self.user)
        self.can_unmask = has_permission(self.user, UNMASK)
        self.can_export_unmasked = has_permission(self.user, EXPORT_UNMASKED)
        self.requests = 0
        self.statuses: dict[int, int] = {}
        self.findings: list[Finding] = []
        self._ids: dict = {}

    # --- which ids fill a path ---------------------------------------------------------------

    def ids(self, model) -> list:
        """A few ids the user may see and a few they may not, plus the records holding secrets."""
        if model is None:
            return [1]
        if model in self._ids:
            return self._ids[model]
        label = model._meta.label
        everything = list(model._base_manager.order_by("pk").values_list("pk", flat=True))
        inside: list = []
        permission = f"{model._meta.app_label}.{model._meta.model_name}:view"
        from steward.access.registry import registry

        if (
            hasattr(model.objects, "visible_to")
            and permission in registry.permissions
            and has_permission(self.user, permission)
        ):
            inside = list(model.objects.visible_to(self.user, permission).order_by("pk").values_list("pk", flat=True))
        outside = [pk for pk in everything if pk not in set(inside)]
        chosen = inside[:SAMPLE] + outside[:SAMPLE]
        chosen += self.bank.interesting.get(label, [])
        if not chosen:
            chosen = [1]
        self._ids[model] = list(dict.fromkeys(chosen))
        return self._ids[model]

    def values(self, route: Route, name: str) -> list:
        from steward.approvals.registry import application_types
        from steward.customers.permissions import TAB_PERMISSIONS
        from steward.jobs.models import Job
        from steward.segments.services import SCREENS
        from steward.tags.batch import BATCH_ACTIONS

        if name in ("pk", "object_id"):
            if route.template.startswith("/django-admin/customers/"):
                return self.ids(_model("customers.Customer"))
            if route.template.startswith("/django-admin/org/"):
                return self.ids(_model("org.Employee"))
            return self.ids(model_of(route))
        if name == "tab":
            return list(TAB_PERMISSIONS)
        if name == "key" and "/screens/" in route.template:
            return list(SCREENS)
        if name == "key" and "/batch/" in route.template:
            return list(BATCH_ACTIONS)
        if name == "key":
            return list(Job.objects.order_by("pk").values_list("key", flat=True)[:2])
        if name == "type_key":
            return [t.key for t in application_types.all()]
        if name == "token":  # the calendar feed's private token: an unknown one is a 404
            return ["no-such-token"]
        if name == "opportunity":  # a lead's opportunity (its page checks it belongs to the lead)
            return self.ids(_model("leads.Opportunity"))
        raise LookupError(name)

    def urls(self, route: Route) -> list[str]:
        """The route with every combination of its parameters' values (they are few)."""
        from itertools import product

        names = route.param_names
        if not names:
            return [route.template]
        if names == ("pk", "tab"):  # the 360° view's tabs: customers holding secrets, every tab
            customers = self.ids(_model("customers.Customer"))[: SAMPLE * 2 + 4]
            return [route.template.format(pk=pk, tab=tab) for pk in customers for tab in self.values(route, "tab")]
        options = [self.values(route, name) for name in names]
        return [route.template.format(**dict(zip(names, combo, strict=True))) for combo in product(*options)]

    def queries(self, route: Route, url: str) -> list[str]:
        """Lists on one long page and exported; the API with ?unmask=1 for those who may not unmask."""
        variants = [url]
        if route.api:
            if route.name.endswith("-list"):
                variants.append(url + "?page_size=500")
                variants.append(url + "?page=2&page_size=5")
            if not self.can_unmask:
                variants.append(url + ("?page_size=500&unmask=1" if route.name.endswith("-list") else "?unmask=1"))
            return variants
        if getattr(route.view, "export_permission", None):
            variants.append(url + ("&" if "?" in url else "?") + "per_page=200")
            export = "export=xlsx" + ("" if self.can_export_unmasked else "&unmasked=1")
            variants.append(url + ("&" if "?" in url else "?") + export)
        return variants  # (pages do not read ?unmask=1: only the API does)

    # --- the crawl --------------------------------------------------------------------------------

    def fetch(self, method: str, url: str, **extra) -> int:
        response = getattr(self.client, method.lower())(url, **extra)
        self.requests += 1
        self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
        if response.status_code not in (301, 302, 303, 304, 307, 308):
            for secret in self.grep(response_text(response)):
                self.findings.append(Finding(self.role, method, url, secret.kind, secret.where))
        return response.status_code

    def run(self) -> None:
        import logging

        # Thousands of refusals (403/404) would each log a warning with a traceback.
        request_logger = logging.getLogger("django.request")
        level = request_logger.level
        request_logger.setLevel(logging.ERROR)
        try:
            self._run()
        finally:
            request_logger.setLevel(level)

    def _run(self) -> None:
        for route in all_routes():
            if route.template.startswith(SKIPPED):
                continue
            if route.template.startswith("/django-admin/") and not any(
                route.template in (kept, kept + "{object_id}/change/") for kept in ADMIN_KEPT
            ):
                continue
            if route.template.startswith("/privacy/reveal/"):
                self.reveal(route)
                continue
            htmx = {"HTTP_HX_REQUEST": "true"} if "tab" in route.param_names else {}
            for index, url in enumerate(self.urls(route)):
                first = self.fetch("GET", url, **htmx)
                if index == 0 and first in (403, 405):
                    break  # the role may not open this page at all, or it answers no GET: any id alike
                for variant in self.queries(route, url)[1:]:
                    self.fetch("GET", variant, **htmx)
        self.searches()

    def reveal(self, route: Route) -> None:
        """The reveal button's endpoint: for a role without the unmask permission it reveals nothing."""
        if self.can_unmask:
            return
        targets = [
            ("customers.customer", "customers.Customer", ("id_number", "mobile", "address")),
            ("org.employee", "org.Employee", ("id_number", "mobile", "email")),
            ("holdings.account", "holdings.Account", ("number",)),
        ]
        for label, model_label, fields in targets:
            for pk in self.ids(_model(model_label))[:4]:
                for field in fields:
                    self.fetch("POST", route.template.format(model_label=label, pk=pk, field_name=field))

    def searches(self) -> None:
        """Quick searches by a fragment of a secret: a list, or the audit search, must not return
        the record holding it to someone who may not see it (the full value is grepped)."""
        fragments = ["私密备注", "机密客户", "某某"]
        for kind, length in (("mobile", 7), ("id_number", 6), ("account", 8), ("address", 3), ("email", 6)):
            fragments += [s.value[:length] for s in self.bank.secrets if s.kind == kind][:1]
        lists = ["/audit/", "/customers/", "/customers/org/", "/customers/related/", "/customers/unassigned/"]
        lists += ["/org/employees/", "/api/v1/customers/", "/api/v1/employees/"]
        for base in lists:
            for fragment in fragments:
                self.fetch("GET", f"{base}?q={fragment}&search={fragment}")
        # The customer filter's results (a definition every customer meets), on a page and exported.
        from urllib.parse import quote

        everyone = quote(json.dumps({"op": "and", "rules": [{"field": "age", "operator": "gte", "value": 0}]}))
        for query in ("per_page=200", "export=xlsx" + ("" if self.can_export_unmasked else "&unmasked=1")):
            self.fetch("GET", f"/segments/filter/results/?definition={everyone}&{query}")


def _model(label):
    from django.apps import apps

    return apps.get_model(label)


@pytest.fixture
def crawled_bank(seeded_bank) -> SeededBank:
    """The seeded bank, plus the records most worth aiming at (they hold the secrets)."""
    from steward.audit.models import AuditEntry
    from steward.customers.models import Customer, CustomerNote

    def pk_of(secret) -> int:
        return int(secret.where.split("#")[1].split(".")[0])

    confidential = [pk_of(s) for s in seeded_bank.secrets if s.kind == "confidential_name"]
    secret_customers = confidential[:1] + confidential[-1:]  # one of branch A, the one of branch B
    notes = [pk_of(s) for s in seeded_bank.secrets if s.kind == "private_note"]
    noted = list(CustomerNote.objects.filter(pk__in=notes).values_list("customer_id", flat=True))
    changed = list(
        AuditEntry.objects.filter(object_type="customers.customer", action="update").values_list("object_id", flat=True)
    )
    customers = list(dict.fromkeys(secret_customers + noted + [int(pk) for pk in changed if str(pk).isdigit()]))
    entries = list(
        AuditEntry.objects.filter(object_type__in=["customers.customer", "customers.customernote", "org.employee"])
        .exclude(action="create", message__in=["demo customers", "demo bank"])
        .order_by("-pk")
        .values_list("pk", flat=True)[:12]
    )
    seeded_bank.interesting = {
        "customers.Customer": customers[:8],
        "customers.CustomerNote": notes,
        "audit.AuditEntry": entries,
    }
    assert Customer.objects.filter(pk__in=customers).count() == len(customers)
    return seeded_bank


@pytest.mark.parametrize("role", list(DEMO_ROLES))
def test_no_plain_personal_data_anywhere(crawled_bank, role):
    """PLT-13, CUS-10, CUS-11: every page, API route (lists, their pages, details, ?unmask=1),
    export (?export=xlsx, &unmasked=1), 360° tab fragment, reveal call and quick/audit search, as
    `role` without an explicit unmask, shows none of the seeded plain ID, mobile, card and account
    numbers, e-mails and full addresses, nobody else's private note and no confidential customer
    the user was not granted."""
    forget_grants(crawled_bank.users[role])
    crawl = LeakCrawl(crawled_bank, role)
    started, cpu = time.monotonic(), time.process_time()
    crawl.run()
    elapsed, cpu = time.monotonic() - started, time.process_time() - cpu
    print(
        f"\nleak crawl as {role}: {crawl.requests} requests in {elapsed:.1f} s ({cpu:.1f} s CPU), "
        f"{len(crawl.bank.secrets)} plain values grepped, {len(crawl.findings)} findings; statuses {crawl.statuses}"
    )
    assert crawl.requests > 150, "the crawl reached too few URLs to mean anything"
    assert crawl.statuses.get(200, 0) > 50
    unique = list(dict.fromkeys(crawl.findings))
    assert not unique, f"{len(unique)} leaks as {role}:\n" + "\n".join(str(f) for f in unique[:60])


def test_the_crawl_sees_plain_values_where_they_are_unmasked(crawled_bank):
    """PLT-13 (the crawl's own check): where a permitted user asks for plain values — the API with
    ?unmask=1, the reveal button, an export with &unmasked=1 — the same fetch-and-grep finds them,
    so the crawl's zero means masked, not unread."""
    from steward.customers.models import Customer

    crawl = LeakCrawl(crawled_bank, "admin")
    visible = Customer.objects.visible_to(crawl.user, "customers.customer:view").exclude(mobile="")
    pk = visible.order_by("pk").values_list("pk", flat=True).first()
    crawl.fetch("GET", f"/api/v1/customers/{pk}/?unmask=1")
    crawl.fetch("POST", f"/privacy/reveal/customers.customer/{pk}/mobile/")
    crawl.fetch("GET", "/customers/org/?export=xlsx&unmasked=1&per_page=200")
    kinds = {(f.url.split("?")[0], f.kind) for f in crawl.findings}
    assert (f"/api/v1/customers/{pk}/", "mobile") in kinds
    assert (f"/privacy/reveal/customers.customer/{pk}/mobile/", "mobile") in kinds
    assert ("/customers/org/", "mobile") in kinds, "the unmasked export was not read"
