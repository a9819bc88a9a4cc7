"""What an audit entry's codes say in the reader's language — PLT-07, PLT-12.

Entries store codes ("customers.transfer", "org.employee", "job:audit.verify_chain"): they are
stable and searchable. Pages and exports show labels instead: a registered action's label, a
model's verbose name, a source's label. A code nobody registered is humanised ("Intake refused"),
never shown raw.

Apps above the audit trail register what only they can name (``register_actions``,
``register_source``): the audit app imports no domain app.
"""

from collections.abc import Callable

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy


def _a(text: str) -> Promise:
    return pgettext_lazy("audit action", text)


ACTION_LABELS: dict[str, str | Promise] = {
    # Every change to a record, captured automatically (steward/audit/signals.py).
    "create": _a("Created"),
    "update": _a("Changed"),
    "delete": _a("Deleted"),
    "export": _a("Exported"),
    "auth.login": _a("Logged in"),
    "auth.login_failed": _a("Failed login"),
    "auth.logout": _a("Logged out"),
    "auth.password_changed": _a("Password changed"),
    "auth.permission_denied": _a("Access refused"),
    "access.assignments_ended": _a("Role assignments ended"),
    "access.token_issued": _a("API token issued"),
    "access.token_revoked": _a("API token revoked"),
    "access.token_rotated": _a("API token rotated"),
    "access.tokens_revoked": _a("API tokens revoked"),
    "approvals.approval_failed": _a("Approved change could not be applied"),
    "approvals.approved": _a("Application approved"),
    "approvals.forwarded": _a("Application forwarded"),
    "approvals.rejected": _a("Application rejected"),
    "approvals.rerouted": _a("Application rerouted"),
    "approvals.step_approved": _a("Approval step approved"),
    "approvals.submitted": _a("Application submitted"),
    "approvals.withdrawn": _a("Application withdrawn"),
    "basedata.cache_refreshed": _a("System cache refreshed"),
    "customers.confidential": _a("Confidentiality changed"),
    "customers.confidential_granted": _a("Confidential access granted"),
    "customers.confidential_revoked": _a("Confidential access revoked"),
    "customers.duplicate_id": _a("Duplicate ID number refused"),
    "customers.duplicate_id_limited": _a("Duplicate ID number checks limited"),
    "customers.imported": _a("Customers imported"),
    "customers.intake_alias_skipped": _a("Merged customer numbers skipped in the daily file"),
    "customers.intake_owner": _a("Owner set by the daily file"),
    "customers.merge_survivor": _a("Duplicates merged into this customer"),
    "customers.merged": _a("Merged into another customer"),
    "customers.ownership_conflict": _a("Ownership conflict"),
    "customers.ownership_conflict_resolved": _a("Ownership conflict resolved"),
    "customers.relation_removed": _a("Relation removed"),
    # Ownership moves (customers.services._move_owner: "customers." + the kind of change)
    "customers.transfer": _a("Customers transferred"),
    "customers.allocation": _a("Customers allocated"),
    "customers.leaver": _a("Customers of a leaver reassigned"),
    "customers.manual": _a("Owner assigned"),
    "customers.intake": _a("Owner set by the core banking file"),
    "customers.conflict": _a("Owner set by resolving a conflict"),
    "employee.grade_changed": _a("Grade changed"),
    "employee.sessions_ended": _a("Sessions ended"),
    "holdings.intake_created": _a("Created by the daily file"),
    "holdings.intake_failed": _a("Daily file failed"),
    "holdings.intake_held": _a("Daily file held"),
    "holdings.intake_hold_confirmed": _a("Held daily file confirmed"),
    "holdings.intake_loaded": _a("Daily file loaded"),
    "holdings.intake_master_changed": _a("Changed by the daily file"),
    "holdings.intake_recovered": _a("Daily file recovered"),
    "holdings.intake_refused": _a("Daily file refused"),
    "imports.finished": _a("Import finished"),
    "imports.started": _a("Import started"),
    "job.paused": _a("Job paused"),
    "job.resumed": _a("Job resumed"),
    "job.run": _a("Job run"),
    "job.schedule_changed": _a("Job schedule changed"),
    "notices.published": _a("Notice published"),
    "notices.unpublished": _a("Notice withdrawn"),
    "org.deactivated": _a("Org deactivated"),
    "org.moved": _a("Org moved"),
    "org.reactivated": _a("Org reactivated"),
    "org.subtree_moved": _a("Org moved with its sub-orgs"),
    "privacy.unmasked": _a("Personal data revealed"),
    "security.second_factor_enrolled": _a("Second factor set up"),
    "security.second_factor_removed": _a("Second factor removed"),
    "security.second_factor_reset": _a("Second factor reset"),
    "segments.created": _a("Segment created"),
    "segments.deleted": _a("Segment deleted"),
    "segments.refreshed": _a("Segment refreshed"),
    "tags.group_added": _a("Added to a customer group"),
    "tags.group_removed": _a("Removed from a customer group"),
    "tags.recompute_failed": _a("Tag recompute failed"),
    "tags.recomputed": _a("Tag recomputed"),
    "tags.rule_cleared": _a("Tag rule cleared"),
    "tags.tagged": _a("Tagged"),
    "tags.untagged": _a("Tag removed"),
}

SOURCE_LABELS: dict[str, str | Promise] = {
    "web": pgettext_lazy("audit source", "Web"),
    "intake": pgettext_lazy("audit source", "Daily data intake"),
    "import": pgettext_lazy("audit source", "Customer import"),
    "tags": pgettext_lazy("audit source", "Tag recompute"),
}
# "job:<key>" and the like: a prefix and a function naming the rest (registered by the owning app).
_SOURCE_PREFIXES: dict[str, Callable[[str], str | Promise | None]] = {}


def register_actions(labels: dict[str, str | Promise]) -> None:
    """An app names its own audit actions (call from its AppConfig.ready)."""
    ACTION_LABELS.update(labels)


def register_source(prefix: str, labeler: Callable[[str], str | Promise | None]) -> None:
    """Sources "<prefix>:<rest>" are shown as ``labeler(rest)`` (e.g. a job's label)."""
    _SOURCE_PREFIXES[prefix] = labeler


def humanise(code: str) -> str:
    """The last part of a code as words: "holdings.intake_refused" → "Intake refused"."""
    words = code.rsplit(".", 1)[-1].rsplit(":", 1)[-1].replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else code


def action_label(code: str) -> str:
    if not code:
        return ""
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else humanise(code)


def object_type_label(code: str) -> str:
    """ "org.employee" → the model's name in the reader's language ("员工")."""
    if not code:
        return ""
    from django.apps import apps

    try:
        return str(apps.get_model(code)._meta.verbose_name)
    except (LookupError, ValueError):
        return humanise(code)


def source_label(code: str) -> str:
    if not code:
        return ""
    if code in SOURCE_LABELS:
        return str(SOURCE_LABELS[code])
    prefix, _sep, rest = code.partition(":")
    labeler = _SOURCE_PREFIXES.get(prefix)
    label = labeler(rest) if labeler and rest else None
    return str(label) if label else humanise(code)


def field_label(object_type: str, field: str) -> str:
    """A changed field of an entry's record by the field's verbose name; unknown fields humanised."""
    from django.apps import apps
    from django.core.exceptions import FieldDoesNotExist

    try:
        return str(apps.get_model(object_type)._meta.get_field(field).verbose_name)
    except (LookupError, ValueError, FieldDoesNotExist, AttributeError):
        return humanise(field)
