"""Submitting and deciding applications — PLT-09 (003 §1.15–1.17; 001 申请事项/申请事项审批).

Every decision locks the application row first (select_for_update), so a double click or
two handlers acting at once decide it once. The approver is never the submitter: routing
leaves the submitter out, forwarding refuses them, and every decision checks again.
When the last step is approved the type's `on_approved` runs in a savepoint of the same
transaction; if it raises, the savepoint is rolled back (nothing of the action, the
approval or its audit entry remains), the application stays pending with `last_error`
set, an `approvals.approval_failed` audit entry records the failure, and
`ApprovalActionFailed` tells the approver why.
"""

from __future__ import annotations

import json
import logging
import os

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from steward.access.services import has_permission, require_permission, require_visible
from steward.approvals import notifications
from steward.approvals.models import Application, Attachment, Decision
from steward.approvals.permissions import HANDLE, MONITOR, REROUTE, SUBMIT
from steward.approvals.registry import ApplicationType, Step, application_types
from steward.approvals.routing import holders, holds_for, route_step
from steward.audit.services import log_event
from steward.core.errors import DomainError
from steward.core.services import service

logger = logging.getLogger(__name__)

DEFAULT_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_ATTACHMENTS = 5
DEFAULT_ATTACHMENT_EXTENSIONS = (
    ".pdf",
    ".jpg",
    ".jpeg",
    ".png",
    ".gif",
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".ppt",
    ".pptx",
    ".txt",
    ".csv",
)


class ApprovalActionFailed(DomainError):
    """The final approval's action raised: nothing was approved; the application stays pending."""


# ---------------------------------------------------------------- helpers


def get_type(key: str) -> ApplicationType:
    application_type = application_types.get(key)
    if application_type is None:
        raise DomainError(_("Unknown application type %(type)s.") % {"type": key}, field="type")
    return application_type


def attachment_limits() -> tuple[int, int, tuple[str, ...]]:
    """(bytes per file, files per application, allowed extensions); settings may override them."""
    return (
        getattr(settings, "APPROVALS_MAX_ATTACHMENT_BYTES", DEFAULT_MAX_ATTACHMENT_BYTES),
        getattr(settings, "APPROVALS_MAX_ATTACHMENTS", DEFAULT_MAX_ATTACHMENTS),
        tuple(getattr(settings, "APPROVALS_ATTACHMENT_EXTENSIONS", DEFAULT_ATTACHMENT_EXTENSIONS)),
    )


def check_attachments(files) -> list:
    """Refuse too many, too large, empty or disallowed files, naming the file at fault."""
    max_bytes, max_count, extensions = attachment_limits()
    files = [f for f in files if f]
    if len(files) > max_count:
        raise DomainError(
            _("At most %(count)s files can be attached; you chose %(chosen)s.")
            % {"count": max_count, "chosen": len(files)},
            field="attachments",
        )
    for upload in files:
        name = os.path.basename(upload.name or "")
        extension = os.path.splitext(name)[1].lower()
        if extension not in extensions:
            raise DomainError(
                _("“%(name)s”: files of this type cannot be attached (allowed: %(types)s).")
                % {"name": name, "types": ", ".join(e.lstrip(".") for e in extensions)},
                field="attachments",
            )
        if not upload.size:
            raise DomainError(_("“%(name)s” is empty.") % {"name": name}, field="attachments")
        if upload.size > max_bytes:
            raise DomainError(
                _("“%(name)s” is %(size)s; a file may be at most %(limit)s.")
                % {"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)},
                field="attachments",
            )
    return files


def clean_payload(application_type: ApplicationType, data: dict, submitter) -> dict:
    """Validate the payload with the type's form (the page and the API alike); JSON-ready result."""
    form = application_type.form_class(data=data or {})
    if not form.is_valid():
        name, errors = next(iter(form.errors.items()))
        raise DomainError(errors[0], field=None if name == "__all__" else name)
    prepared = application_type.prepare(dict(form.cleaned_data), submitter)
    return json.loads(json.dumps(prepared, cls=DjangoJSONEncoder))


def _people(ids) -> list[dict]:
    from steward.org.models import Employee

    names = dict(Employee.objects.filter(pk__in=list(ids)).values_list("pk", "name"))
    return [{"id": pk, "name": names.get(pk, "")} for pk in ids]


def _lock(application: Application) -> Application:
    return Application.objects.select_for_update(of=("self",)).select_related("org").get(pk=application.pk)


def _type_of(application: Application) -> ApplicationType:
    application_type = application_types.get(application.type)
    if application_type is None:
        raise DomainError(_("The application type %(type)s is no longer available.") % {"type": application.type})
    return application_type


def _current_step(application: Application, application_type: ApplicationType) -> Step:
    if application.step_index >= len(application_type.steps):
        raise DomainError(_("This application's step no longer exists; ask an administrator to re-route it."))
    return application_type.steps[application.step_index]


def _earlier_approver_ids(application: Application) -> set[int]:
    return set(application.decisions.filter(action=Decision.Action.APPROVED).values_list("actor_id", flat=True)) - {
        None
    }


def _nobody_message(step: Step, org) -> str:
    return _(
        "Nobody can handle the step “%(step)s”: no one other than the submitter holds the permission "
        "“%(permission)s” for %(org)s. Ask an administrator to assign the role."
    ) % {"step": step.label, "permission": step.required_permission, "org": org}


def _plan_from(application_type, org, start: int, *, submitter_id: int, earlier: set[int]):
    """Route the steps from `start` on: (skipped steps, the next step to wait on or None)."""
    skipped = []
    for index in range(start, len(application_type.steps)):
        step = application_type.steps[index]
        route = route_step(step, org, submitter_id=submitter_id, earlier_approver_ids=earlier)
        if route.skipped:
            skipped.append((index, step, route.already_approved_ids))
            continue
        if not route.handler_ids:
            raise DomainError(_nobody_message(step, org))
        return skipped, (index, step, route.handler_ids)
    return skipped, None


def _record_skips(application, skipped, now) -> None:
    for index, step, approver_ids in skipped:
        names = ", ".join(person["name"] for person in _people(approver_ids))
        Decision.objects.create(
            application=application,
            step_index=index,
            step_label=str(step.label)[:100],
            action=Decision.Action.SKIPPED,
            comment=_("Already approved by %(names)s at an earlier step.") % {"names": names},
            created_at=now,
        )


def _check_can_decide(actor, application: Application, application_type, step: int | None) -> Step:
    if not application.is_pending:
        raise DomainError(
            _("This application is already %(status)s.") % {"status": application.get_status_display().lower()}
        )
    if step is not None and int(step) != application.step_index:
        raise DomainError(_("This application has moved on since you opened it; reload the page."))
    if actor.pk == application.submitter_id:
        raise PermissionDenied(_("You cannot decide on your own application."))
    if not application.handlers.filter(pk=actor.pk).exists():
        raise PermissionDenied(_("This application is not waiting for you."))
    current = _current_step(application, application_type)
    if not holds_for(actor, current.required_permission, application.org):
        raise PermissionDenied(
            _("You no longer hold the permission “%(permission)s” for %(org)s.")
            % {"permission": current.required_permission, "org": application.org}
        )
    return current


def _failure_message(error: Exception) -> str:
    if isinstance(error, DomainError):
        return str(error.message)
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, PermissionDenied):
        return str(error) or _("Permission denied.")
    logger.exception("The action of an approved application failed")
    return _("The approval's action failed unexpectedly (%(error)s); nothing was changed. Tell an administrator.") % {
        "error": type(error).__name__
    }


# ---------------------------------------------------------------- operations


def submit(
    actor,
    type_key: str,
    *,
    reason: str,
    payload: dict,
    title: str = "",
    attachments=(),
    handler=None,
    now=None,
) -> Application:
    """Hand in an application (003 §1.15). It goes to the first step's handlers (or the chosen one).

    Once submitted it cannot be changed; the submitter may withdraw it while it is pending.
    """
    now = now or timezone.now()
    application_type = get_type(type_key)
    require_permission(actor, SUBMIT)
    require_permission(actor, application_type.submit_permission)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason for the application."), field="reason")
    title = (title or "").strip()
    if len(title) > 200:
        raise DomainError(_("The title may be at most 200 characters long."), field="title")
    payload = clean_payload(application_type, payload, actor)
    files = check_attachments(attachments)
    org = application_type.routing_org(actor, payload)
    _skipped, first = _plan_from(application_type, org, 0, submitter_id=actor.pk, earlier=set())
    if first is None:  # only possible for a type whose steps can all be skipped; none can be at submission
        raise DomainError(_nobody_message(application_type.steps[0], org))
    index, step, handler_ids = first
    if handler is not None:
        if handler.pk not in handler_ids:
            raise DomainError(
                _("%(person)s cannot handle this application; choose one of the people offered.") % {"person": handler},
                field="handler",
            )
        handler_ids = [handler.pk]

    with transaction.atomic():
        application = Application.objects.create(
            type=application_type.key,
            title=(title or application_type.default_title(payload))[:200],
            reason=reason,
            payload=payload,
            submitter=actor,
            org=org,
            step_index=index,
            step_label=str(step.label)[:100],
            submitted_at=now,
        )
        application.handlers.set(handler_ids)
        Decision.objects.create(
            application=application,
            step_index=index,
            step_label=application.step_label,
            action=Decision.Action.SUBMITTED,
            actor=actor,
            routed_to=_people(handler_ids),
            created_at=now,
        )
        for upload in files:
            Attachment.objects.create(
                application=application,
                file=upload,
                name=os.path.basename(upload.name)[:200],
                size=upload.size,
                content_type=(getattr(upload, "content_type", "") or "")[:100],
                uploaded_by=actor,
                uploaded_at=now,
            )
        log_event(
            "approvals.submitted",
            application,
            actor=actor,
            message=f"{application.type} → {application.step_label}",
            changes={"status": [None, application.status], "handlers": [None, handler_ids]},
        )
        notifications.application_arrived(application, handler_ids, actor, now)
    return application


def approve(actor, application: Application, *, comment: str = "", step: int | None = None, now=None) -> Application:
    """Approve the current step (003 §1.16 完成处理). The last step's approval runs the type's action.

    Raises ApprovalActionFailed after committing `last_error` when that action fails.
    """
    require_permission(actor, HANDLE)
    application, error = _approve(actor, application, (comment or "").strip(), step, now or timezone.now())
    if error:
        raise ApprovalActionFailed(
            _("The application could not be approved and is still pending: %(error)s") % {"error": error}
        )
    return application


@service
def _approve(actor, application, comment, step, now):
    application = _lock(application)
    application_type = _type_of(application)
    _check_can_decide(actor, application, application_type, step)
    decided_index, decided_label = application.step_index, application.step_label
    earlier = _earlier_approver_ids(application) | {actor.pk}
    skipped, following = _plan_from(
        application_type, application.org, decided_index + 1, submitter_id=application.submitter_id, earlier=earlier
    )

    if following is not None:  # an intermediate step: the application moves on along the chain
        index, next_step, handler_ids = following
        Decision.objects.create(
            application=application,
            step_index=decided_index,
            step_label=decided_label,
            action=Decision.Action.APPROVED,
            actor=actor,
            comment=comment,
            routed_to=_people(handler_ids),
            created_at=now,
        )
        _record_skips(application, skipped, now)
        application.step_index = index
        application.step_label = str(next_step.label)[:100]
        application.save(update_fields=["step_index", "step_label"])
        application.handlers.set(handler_ids)
        log_event(
            "approvals.step_approved",
            application,
            actor=actor,
            message=f"{decided_label} → {application.step_label}",
            changes={"step": [decided_label, application.step_label], "handlers": [None, handler_ids]},
        )
        notifications.application_arrived(application, handler_ids, actor, now)
        return application, None

    try:
        with transaction.atomic():  # a savepoint: the action and the approval stand or fall together
            Decision.objects.create(
                application=application,
                step_index=decided_index,
                step_label=decided_label,
                action=Decision.Action.APPROVED,
                actor=actor,
                comment=comment,
                created_at=now,
            )
            _record_skips(application, skipped, now)
            application.last_error = ""
            application.last_error_at = None
            _close(application, Application.Status.APPROVED, actor, now, "last_error", "last_error_at")
            application_type.on_approved(application, actor)
            log_event(
                "approvals.approved",
                application,
                actor=actor,
                message=f"{application.type}: {decided_label}",
                changes={"status": [Application.Status.PENDING, Application.Status.APPROVED]},
            )
            notifications.application_decided(application, actor, now)
    except Exception as error:  # any failure of the action keeps the application pending
        message = _failure_message(error)
        application = Application.objects.select_related("org").get(pk=application.pk)
        application.last_error = message
        application.last_error_at = now
        application.save(update_fields=["last_error", "last_error_at"])
        log_event("approvals.approval_failed", application, actor=actor, message=message)
        return application, message
    return application, None


def _close(application: Application, status: str, actor, now, *also_changed: str) -> None:
    """The application reaches its final status: nobody handles it any more."""
    application.status = status
    application.decided_at = now
    application.decided_by = actor
    application.save(update_fields=["status", "decided_at", "decided_by", *also_changed])
    application.handlers.clear()


@service
def reject(actor, application: Application, *, comment: str, step: int | None = None, now=None) -> Application:
    """Refuse the application; a reason is required so the submitter knows why."""
    require_permission(actor, HANDLE)
    comment = (comment or "").strip()
    if not comment:
        raise DomainError(_("Say why the application is rejected."), field="comment")
    now = now or timezone.now()
    application = _lock(application)
    application_type = _type_of(application)
    _check_can_decide(actor, application, application_type, step)
    Decision.objects.create(
        application=application,
        step_index=application.step_index,
        step_label=application.step_label,
        action=Decision.Action.REJECTED,
        actor=actor,
        comment=comment,
        created_at=now,
    )
    _close(application, Application.Status.REJECTED, actor, now)
    application_type.on_rejected(application, actor)
    log_event(
        "approvals.rejected",
        application,
        actor=actor,
        message=f"{application.type}: {application.step_label}",
        changes={"status": [Application.Status.PENDING, Application.Status.REJECTED]},
    )
    notifications.application_decided(application, actor, now)
    return application


def forward_candidates(application: Application, actor=None):
    """Who the current step may be forwarded to: holders of its permission for the application's org."""
    from steward.org.models import Employee

    application_type = application_types.get(application.type)
    if application_type is None or not application.is_pending or application.step_index >= len(application_type.steps):
        return Employee.objects.none()
    step = application_type.steps[application.step_index]
    excluded = _earlier_approver_ids(application) | {application.submitter_id}
    if actor is not None:
        excluded.add(actor.pk)
    ids = {h.user_id for h in holders(step.required_permission, application.org)} - excluded
    return Employee.objects.filter(pk__in=ids).select_related("org").order_by("org__path", "employee_no")


@service
def forward(
    actor, application: Application, *, to, comment: str = "", step: int | None = None, now=None
) -> Application:
    """Pass the current step to the next handler (003 §1.16 选择下一级处理人进行向下流转)."""
    require_permission(actor, HANDLE)
    now = now or timezone.now()
    application = _lock(application)
    application_type = _type_of(application)
    current = _check_can_decide(actor, application, application_type, step)
    if to is None:
        raise DomainError(_("Choose who to forward the application to."), field="to")
    if to.pk == application.submitter_id:
        raise DomainError(_("An application cannot be forwarded to its own submitter."), field="to")
    if to.pk == actor.pk:
        raise DomainError(_("Choose someone other than yourself."), field="to")
    if not to.is_active:
        raise DomainError(_("%(person)s can no longer sign in.") % {"person": to}, field="to")
    if to.pk in _earlier_approver_ids(application):
        raise DomainError(
            _("%(person)s already approved an earlier step; choose someone else.") % {"person": to}, field="to"
        )
    if not holds_for(to, current.required_permission, application.org):
        raise DomainError(
            _("%(person)s does not hold the permission “%(permission)s” for %(org)s.")
            % {"person": to, "permission": current.required_permission, "org": application.org},
            field="to",
        )
    before = list(application.handlers.values_list("pk", flat=True))
    Decision.objects.create(
        application=application,
        step_index=application.step_index,
        step_label=application.step_label,
        action=Decision.Action.FORWARDED,
        actor=actor,
        comment=(comment or "").strip(),
        routed_to=_people([to.pk]),
        created_at=now,
    )
    application.handlers.set([to.pk])
    log_event(
        "approvals.forwarded",
        application,
        actor=actor,
        message=f"{application.step_label} → {to.employee_no}",
        changes={"handlers": [before, [to.pk]]},
    )
    notifications.application_arrived(application, [to.pk], actor, now)
    return application


@service
def withdraw(actor, application: Application, *, comment: str = "", now=None) -> Application:
    """The submitter takes back a pending application (001 撤销本人发起的申请)."""
    require_permission(actor, SUBMIT)
    now = now or timezone.now()
    application = _lock(application)
    if actor.pk != application.submitter_id:
        raise PermissionDenied(_("Only the submitter can withdraw an application."))
    if not application.is_pending:
        raise DomainError(
            _("Only a pending application can be withdrawn; this one is %(status)s.")
            % {"status": application.get_status_display().lower()}
        )
    handler_ids = list(application.handlers.values_list("pk", flat=True))
    Decision.objects.create(
        application=application,
        step_index=application.step_index,
        step_label=application.step_label,
        action=Decision.Action.WITHDRAWN,
        actor=actor,
        comment=(comment or "").strip(),
        created_at=now,
    )
    _close(application, Application.Status.WITHDRAWN, actor, now)
    log_event(
        "approvals.withdrawn",
        application,
        actor=actor,
        message=application.type,
        changes={"status": [Application.Status.PENDING, Application.Status.WITHDRAWN]},
    )
    notifications.application_withdrawn(application, handler_ids, actor, now)
    return application


@service
def reroute(actor, application: Application, now=None) -> Application:
    """Route the current step again from today's roles (its handlers left, moved or lost the role)."""
    require_visible(actor, REROUTE, application)
    now = now or timezone.now()
    application = _lock(application)
    if not application.is_pending:
        raise DomainError(
            _("Only a pending application can be re-routed; this one is %(status)s.")
            % {"status": application.get_status_display().lower()}
        )
    application_type = _type_of(application)
    current = _current_step(application, application_type)
    route = route_step(
        current,
        application.org,
        submitter_id=application.submitter_id,
        earlier_approver_ids=_earlier_approver_ids(application),
    )
    if not route.handler_ids:
        raise DomainError(_nobody_message(current, application.org))
    before = list(application.handlers.values_list("pk", flat=True))
    application.handlers.set(route.handler_ids)
    Decision.objects.create(
        application=application,
        step_index=application.step_index,
        step_label=application.step_label,
        action=Decision.Action.REROUTED,
        actor=actor,
        routed_to=_people(route.handler_ids),
        created_at=now,
    )
    log_event(
        "approvals.rerouted",
        application,
        actor=actor,
        message=application.step_label,
        changes={"handlers": [before, route.handler_ids]},
    )
    notifications.application_arrived(application, set(route.handler_ids) - set(before), actor, now)
    return application


# ---------------------------------------------------------------- reading


def first_step_candidates(actor, application_type: ApplicationType):
    """The people a new application of this type would go to (the submitter may pick one)."""
    from steward.org.models import Employee

    try:
        _skipped, first = _plan_from(application_type, actor.org, 0, submitter_id=actor.pk, earlier=set())
    except DomainError:
        return Employee.objects.none()
    ids = first[2] if first else []
    return Employee.objects.filter(pk__in=ids).select_related("org").order_by("employee_no")


def submittable_types(user) -> list[ApplicationType]:
    if not has_permission(user, SUBMIT):
        return []
    return [t for t in application_types.all() if has_permission(user, t.submit_permission)]


def my_applications(user):
    return Application.objects.filter(submitter_id=user.pk)


def waiting_for(user):
    """The to-approve inbox: pending applications whose current step the user is asked to decide."""
    return Application.objects.filter(status=Application.Status.PENDING, handlers=user)


def monitored(user):
    return Application.objects.visible_to(user, MONITOR)


def available_actions(user, application: Application) -> dict:
    """Which buttons to show; every one is checked again by its service."""
    pending = application.is_pending
    handler = pending and application.handlers.filter(pk=user.pk).exists() and user.pk != application.submitter_id
    return {
        "can_decide": bool(handler and has_permission(user, HANDLE)),
        "can_withdraw": bool(pending and user.pk == application.submitter_id and has_permission(user, SUBMIT)),
        "can_reroute": bool(
            pending
            and has_permission(user, REROUTE)
            and Application.objects.visible_to(user, REROUTE).filter(pk=application.pk).exists()
        ),
    }
