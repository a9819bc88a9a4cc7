"""Automatic change capture: every model of a Steward app is audited with no per-model code.

A model opts out with ``audit_ignore = True``; fields that must never be recorded (password
hashes, tokens) are dropped, and PII fields (``pii_kind``) are recorded masked. A model names
fields whose text must not reach the trail in ``audit_redacted_fields`` (e.g. a private note's
body): a change to them is recorded as changed, with REDACTED in place of the text, and the
entry names the record by its type and id instead of its ``str()``, which may show the text.
"""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from steward.audit import context as audit_context
from steward.audit.services import REDACTED, PendingEntry, _append, log_event, object_type_of, to_json_value

NEVER_RECORDED = {"password", "last_login", "updated_at", "created_at", "ui_preferences", "path_tmp"}


def is_audited(model) -> bool:
    return model.__module__.startswith("steward.") and not getattr(model, "audit_ignore", False)


def _recordable_fields(model):
    # Blind indexes are keyed hashes of personal data: they tell an auditor nothing.
    index_fields = {getattr(f, "index_field", None) for f in model._meta.concrete_fields}
    for field in model._meta.concrete_fields:
        if field.name in NEVER_RECORDED or field.name in index_fields:
            continue
        yield field


def redacted_fields(model) -> frozenset:
    return frozenset(getattr(model, "audit_redacted_fields", ()) or ())


def object_repr_of(instance) -> str:
    """How an entry names the record: its str(), or type and id when it has unrecordable fields."""
    model = type(instance)
    if redacted_fields(model):
        return f"{model._meta.verbose_name} #{instance.pk}"
    return str(instance)[:200]


def _display(field, value):
    if field.name in redacted_fields(field.model) and value not in (None, ""):
        return REDACTED
    kind = getattr(field, "pii_kind", None)
    if kind and value not in (None, ""):
        from steward.privacy.masking import mask

        return mask(kind, value)
    return to_json_value(value)


def snapshot(instance) -> dict:
    return {
        field.attname: _display(field, getattr(instance, field.attname)) for field in _recordable_fields(type(instance))
    }


@receiver(pre_save)
def remember_before(sender, instance, raw=False, **kwargs):
    if raw or not is_audited(sender) or instance._state.adding or instance.pk is None:
        return
    fields = [field.attname for field in _recordable_fields(sender)]
    row = sender._base_manager.filter(pk=instance.pk).values(*fields).first()
    if row is not None:
        instance._audit_before = {
            field.attname: _display(field, row[field.attname]) for field in _recordable_fields(sender)
        }
        # Unrecordable text is compared here, in memory, and never stored.
        instance._audit_before_redacted = {
            field.attname: row[field.attname]
            for field in _recordable_fields(sender)
            if field.name in redacted_fields(sender)
        }


def _record(sender, instance, action: str, changes: dict):
    context = audit_context.current()
    if context.bulk_buffer is not None:
        context.bulk_buffer.setdefault((action, sender), []).append(instance.pk)
        return
    _append([PendingEntry(action, object_type_of(sender), str(instance.pk), object_repr_of(instance), changes)])


@receiver(post_save)
def record_save(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw or not is_audited(sender):
        return
    after = snapshot(instance)
    if created:
        changes = {name: [None, value] for name, value in after.items() if value not in (None, "", [], {})}
        _record(sender, instance, "create", changes)
        return
    before = getattr(instance, "_audit_before", None)
    instance._audit_before = after
    if before is None:
        return
    changes = {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}
    before_text = getattr(instance, "_audit_before_redacted", None) or {}
    for name, old in before_text.items():
        new = getattr(instance, name)
        if old != new:  # the text changed: say so, without either text
            changes[name] = [None if old in (None, "") else REDACTED, None if new in (None, "") else REDACTED]
    instance._audit_before_redacted = {name: getattr(instance, name) for name in before_text}
    if changes:
        _record(sender, instance, "update", changes)


@receiver(post_delete)
def record_delete(sender, instance, **kwargs):
    if not is_audited(sender):
        return
    changes = {name: [value, None] for name, value in snapshot(instance).items() if value not in (None, "")}
    _record(sender, instance, "delete", changes)


@receiver(user_logged_in)
def record_login(sender, request, user, **kwargs):
    log_event("auth.login", user, actor=user)


@receiver(user_logged_out)
def record_logout(sender, request, user, **kwargs):
    if user is not None:
        log_event("auth.logout", user, actor=user)


@receiver(user_login_failed)
def record_login_failed(sender, credentials, request=None, **kwargs):
    # The attempted login is recorded, never the password.
    username = str(credentials.get("username") or credentials.get("employee_no") or "")[:64]
    log_event(
        "auth.login_failed",
        object_type="org.employee",
        object_id=username,
        object_repr=username,
        message="Failed login",
    )
