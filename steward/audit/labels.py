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

ACTION_LABELS: dict[str, str | Promise] = {
    # Every change to a record, captured automatically (steward/audit/signals.py).
    "create": pgettext_lazy("audit action", "Created"),
    "update": pgettext_lazy("audit action", "Changed"),
    "delete": pgettext_lazy("audit action", "Deleted"),
    "export": pgettext_lazy("audit action", "Exported"),
    "auth.login": pgettext_lazy("audit action", "Logged in"),
    "auth.login_failed": pgettext_lazy("audit action", "Failed login"),
    "auth.logout": pgettext_lazy("audit action", "Logged out"),
    "auth.password_changed": pgettext_lazy("audit action", "Password changed"),
    "auth.permission_denied": pgettext_lazy("audit action", "Access refused"),
    "access.assignments_ended": pgettext_lazy("audit action", "Role assignments ended"),
    "access.token_issued": pgettext_lazy("audit action", "API token issued"),
    "access.token_revoked": pgettext_lazy("audit action", "API token revoked"),
    "access.token_rotated": pgettext_lazy("audit action", "API token rotated"),
    "access.tokens_revoked": pgettext_lazy("audit action", "API tokens revoked"),
    "approvals.approval_failed": pgettext_lazy("audit action", "Approved change could not be applied"),
    "approvals.approved": pgettext_lazy("audit action", "Application approved"),
    "approvals.forwarded": pgettext_lazy("audit action", "Application forwarded"),
    "approvals.rejected": pgettext_lazy("audit action", "Application rejected"),
    "approvals.rerouted": pgettext_lazy("audit action", "Application rerouted"),
    "approvals.step_approved": pgettext_lazy("audit action", "Approval step approved"),
    "approvals.submitted": pgettext_lazy("audit action", "Application submitted"),
    "approvals.withdrawn": pgettext_lazy("audit action", "Application withdrawn"),
    "basedata.cache_refreshed": pgettext_lazy("audit action", "System cache refreshed"),
    "customers.confidential": pgettext_lazy("audit action", "Confidentiality changed"),
    "customers.confidential_granted": pgettext_lazy("audit action", "Confidential access granted"),
    "customers.confidential_revoked": pgettext_lazy("audit action", "Confidential access revoked"),
    "customers.duplicate_id": pgettext_lazy("audit action", "Duplicate ID number refused"),
    "customers.duplicate_id_limited": pgettext_lazy("audit action", "Duplicate ID number checks limited"),
    "customers.imported": pgettext_lazy("audit action", "Customers imported"),
    "customers.intake_alias_skipped": pgettext_lazy(
        "audit action", "Merged customer numbers skipped in the daily file"
    ),
    "customers.intake_owner": pgettext_lazy("audit action", "Owner set by the daily file"),
    "customers.merge_survivor": pgettext_lazy("audit action", "Duplicates merged into this customer"),
    "customers.merged": pgettext_lazy("audit action", "Merged into another customer"),
    "customers.ownership_conflict": pgettext_lazy("audit action", "Ownership conflict"),
    "customers.ownership_conflict_resolved": pgettext_lazy("audit action", "Ownership conflict resolved"),
    "customers.relation_removed": pgettext_lazy("audit action", "Relation removed"),
    # Ownership moves (customers.services._move_owner: "customers." + the kind of change)
    "customers.transfer": pgettext_lazy("audit action", "Customers transferred"),
    "customers.allocation": pgettext_lazy("audit action", "Customers allocated"),
    "customers.leaver": pgettext_lazy("audit action", "Customers of a leaver reassigned"),
    "customers.manual": pgettext_lazy("audit action", "Owner assigned"),
    "customers.intake": pgettext_lazy("audit action", "Owner set by the core banking file"),
    "customers.conflict": pgettext_lazy("audit action", "Owner set by resolving a conflict"),
    "employee.grade_changed": pgettext_lazy("audit action", "Grade changed"),
    "employee.sessions_ended": pgettext_lazy("audit action", "Sessions ended"),
    "holdings.intake_created": pgettext_lazy("audit action", "Created by the daily file"),
    "holdings.intake_failed": pgettext_lazy("audit action", "Daily file failed"),
    "holdings.intake_held": pgettext_lazy("audit action", "Daily file held"),
    "holdings.intake_hold_confirmed": pgettext_lazy("audit action", "Held daily file confirmed"),
    "holdings.intake_loaded": pgettext_lazy("audit action", "Daily file loaded"),
    "holdings.intake_master_changed": pgettext_lazy("audit action", "Changed by the daily file"),
    "holdings.intake_recovered": pgettext_lazy("audit action", "Daily file recovered"),
    "holdings.intake_refused": pgettext_lazy("audit action", "Daily file refused"),
    "imports.finished": pgettext_lazy("audit action", "Import finished"),
    "imports.started": pgettext_lazy("audit action", "Import started"),
    "job.paused": pgettext_lazy("audit action", "Job paused"),
    "job.resumed": pgettext_lazy("audit action", "Job resumed"),
    "job.run": pgettext_lazy("audit action", "Job run"),
    "job.schedule_changed": pgettext_lazy("audit action", "Job schedule changed"),
    "notices.published": pgettext_lazy("audit action", "Notice published"),
    "notices.unpublished": pgettext_lazy("audit action", "Notice withdrawn"),
    "org.deactivated": pgettext_lazy("audit action", "Org deactivated"),
    "org.moved": pgettext_lazy("audit action", "Org moved"),
    "org.reactivated": pgettext_lazy("audit action", "Org reactivated"),
    "org.subtree_moved": pgettext_lazy("audit action", "Org moved with its sub-orgs"),
    "privacy.unmasked": pgettext_lazy("audit action", "Personal data revealed"),
    "security.second_factor_enrolled": pgettext_lazy("audit action", "Second factor set up"),
    "security.second_factor_removed": pgettext_lazy("audit action", "Second factor removed"),
    "security.second_factor_reset": pgettext_lazy("audit action", "Second factor reset"),
    "segments.created": pgettext_lazy("audit action", "Segment created"),
    "segments.deleted": pgettext_lazy("audit action", "Segment deleted"),
    "segments.refreshed": pgettext_lazy("audit action", "Segment refreshed"),
    "tags.group_added": pgettext_lazy("audit action", "Added to a customer group"),
    "tags.group_removed": pgettext_lazy("audit action", "Removed from a customer group"),
    "tags.recompute_failed": pgettext_lazy("audit action", "Tag recompute failed"),
    "tags.recomputed": pgettext_lazy("audit action", "Tag recomputed"),
    "tags.rule_cleared": pgettext_lazy("audit action", "Tag rule cleared"),
    "tags.tagged": pgettext_lazy("audit action", "Tagged"),
    "tags.untagged": pgettext_lazy("audit action", "Tag removed"),
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
