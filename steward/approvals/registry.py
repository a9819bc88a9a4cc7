"""The registry of application types — PLT-09.

An application type says what is requested (a payload form), who may approve it (a
chain of routing steps, each asking for a permission) and what happens on approval
(`on_approved`, run inside the approving transaction). Modules declare their types in
code and register them in their AppConfig.ready():

    from steward.approvals.registry import ApplicationType, Step, application_types

    class CustomerTransfer(ApplicationType):
        key = "customers.transfer"
        label = _("Customer transfer")
        form_class = CustomerTransferForm
        steps = (Step(_("Supervisor approval"), permission="customers.transfer:approve"),)

        def on_approved(self, application, actor):
            transfer_customers(actor, ...)

    application_types.register(CustomerTransfer())
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.utils.functional import Promise

from steward.approvals.permissions import APPROVE, REVIEW, SUBMIT

SUPERVISOR = "supervisor"
SAME_LEVEL = "same_level"
ROUTES = (SUPERVISOR, SAME_LEVEL)
DEFAULT_PERMISSION = {SUPERVISOR: APPROVE, SAME_LEVEL: REVIEW}
# Field names every application has; a payload form may not use them.
RESERVED_FIELDS = ("title", "reason", "handler", "attachments", "type", "payload", "step", "comment")


@dataclass(frozen=True)
class Step:
    """One routing step of an application type.

    route "supervisor": the holders of `permission` whose grant covers the application's
      org and is anchored nearest to it (team lead before sub-branch manager before branch
      manager …); `org_kinds` limits the anchors to orgs of those kinds (e.g. branches).
    route "same_level": the holders of `permission` anchored at the application's org
      itself — colleagues at the same level, never the submitter.
    A chain is simply several steps, decided one after the other.
    """

    label: str | Promise
    route: str = SUPERVISOR
    permission: str | None = None
    org_kinds: tuple[str, ...] = ()

    def __post_init__(self):
        if self.route not in ROUTES:
            raise ValueError(f"Unknown route {self.route!r}; use one of {ROUTES}.")

    @property
    def required_permission(self) -> str:
        return self.permission or DEFAULT_PERMISSION[self.route]


class ApplicationType:
    """Base class of every application type. Subclass, set the attributes, register an instance."""

    key: str = ""  # "app.thing", stored on every application
    label: str | Promise = ""
    description: str | Promise = ""
    form_class: type[forms.Form] | None = None  # validates the payload; its fields appear on the page
    steps: tuple[Step, ...] = ()
    submit_permission: str = SUBMIT

    def prepare(self, cleaned: dict, submitter) -> dict:
        """Turn the form's cleaned data into the stored payload (add computed values here)."""
        return cleaned

    def default_title(self, payload: dict) -> str:
        return str(self.label)

    def routing_org(self, submitter, payload: dict):
        """The org whose approvers decide; by default the submitter's own org."""
        return submitter.org

    def display(self, payload: dict) -> list[tuple[str, str]]:
        """(label, value) pairs for the detail page, in the form's field order."""
        form = self.form_class() if self.form_class else None
        rows = []
        for name, field in form.fields.items() if form else []:
            if name not in payload:
                continue
            rows.append((str(field.label or name), self.format_value(name, field, payload[name])))
        return rows

    def format_value(self, name: str, field, value) -> str:
        if value is None:
            return ""
        if isinstance(field, forms.ChoiceField):
            return str(dict(field.choices).get(value, value))
        return str(value)

    # A template the detail page includes to show what the application is about (e.g. the
    # customers of a transfer, with their names and AUM), with `subject_context` as its context.
    subject_template: str = ""

    def subject_context(self, application, viewer) -> dict:
        """The context of `subject_template` for `viewer`: only what they may see of the subjects."""
        return {}

    def on_approved(self, application, actor) -> None:
        """Runs inside the approving transaction (in a savepoint). Raise to refuse the approval."""

    def on_rejected(self, application, actor) -> None:
        """Runs inside the rejecting transaction; an error undoes the rejection."""

    def __str__(self) -> str:
        return str(self.label)


class ApplicationTypeRegistry:
    def __init__(self):
        self._types: dict[str, ApplicationType] = {}

    def register(self, application_type: ApplicationType) -> ApplicationType:
        key = application_type.key
        if not key or "." not in key:
            raise ValueError(f"Application type key {key!r} must look like 'app.thing'.")
        if key in self._types:
            raise ValueError(f"Application type {key!r} is registered twice.")
        if not application_type.steps:
            raise ValueError(f"Application type {key!r} declares no routing step.")
        if application_type.form_class is None:
            raise ValueError(f"Application type {key!r} declares no payload form.")
        clash = set(application_type.form_class.base_fields) & set(RESERVED_FIELDS)
        if clash:
            raise ValueError(f"Application type {key!r}: payload fields {sorted(clash)} clash with the common fields.")
        self._types[key] = application_type
        return application_type

    def unregister(self, key: str) -> None:
        self._types.pop(key, None)

    def get(self, key: str) -> ApplicationType | None:
        return self._types.get(key)

    def all(self) -> list[ApplicationType]:
        return list(self._types.values())

    def choices(self) -> list[tuple[str, str]]:
        return [(t.key, str(t.label)) for t in self._types.values()]

    def label(self, key: str) -> str:
        application_type = self._types.get(key)
        return str(application_type.label) if application_type else key

    def validate(self) -> list[str]:
        """Problems that must stop start-up: a step asking for an unknown permission."""
        from steward.access.registry import registry

        problems = []
        for application_type in self._types.values():
            names = [application_type.submit_permission] + [s.required_permission for s in application_type.steps]
            problems += [
                f"Application type {application_type.key!r} needs unknown permission {name!r}."
                for name in names
                if name not in registry.permissions
            ]
        return problems


application_types = ApplicationTypeRegistry()
