"""Starting, running and reporting imports — CUS-13 (issue 12, point 5).

`start_import` (the page and the API call it) checks the permission, the size and the header at
once, stores the upload and queues the run; the Celery task `steward.imports.tasks.run_import`
calls `execute_import`, which

1. streams the file and checks it in batches (`STEWARD_IMPORT_BATCH_ROWS`, default 5,000) with
   the importer's rules, staging the good rows in a temporary table (no lock on the database);
2. writes the staged rows in short transactions, one batch each, so that other users' writes wait
   a fraction of a second at most: mode "import_good" right after each batch is checked; mode
   "import" only once the whole file turned out clean (else nothing is written: status refused).

Mode "check" stops after 1. Rejected rows are stored with their line, column and reason and can
be downloaded as .csv or .xlsx (`rejections_csv`, `rejections_xlsx`).
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
import logging
import time
import uuid
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from steward.access.services import has_permission, require_permission
from steward.audit.context import acting_as
from steward.audit.services import log_event
from steward.core.errors import DomainError
from steward.imports import pipeline, reading
from steward.imports.models import ImportRejection, ImportRun
from steward.imports.registry import Importer, Rejection, importers

logger = logging.getLogger(__name__)
# Between two write transactions on SQLite: a writer that queued behind one (its busy handler polls
# every 100 ms at most) gets the lock before the next batch takes it again.
SQLITE_PAUSE_SECONDS = 0.1


def batch_rows() -> int:
    return max(1, int(settings.STEWARD_IMPORT_BATCH_ROWS))


def importer_for(kind: str) -> Importer:
    importer = importers.get(kind)
    if importer is None:
        raise DomainError(_("Unknown kind of import."), field="kind")
    return importer


def require_import_permission(actor, importer: Importer) -> None:
    require_permission(actor, importer.permission)
    for permission in importer.extra_permissions:
        require_permission(actor, permission)


def runs_visible_to(user):
    """The runs `user` may see: per kind, those the kind's permission and its data scope reach."""
    from django.db.models import Q

    condition = Q(pk__in=[])
    for kind, importer in importers.items():
        if has_permission(user, importer.permission):
            visible = ImportRun.objects.visible_to(user, importer.permission).filter(kind=kind).values("pk")
            condition |= Q(pk__in=visible)
    return ImportRun.objects.filter(condition)


def _preflight(importer: Importer, handle, file_name: str) -> None:
    """The header and the first row, read at once so that a wrong file is answered on the page."""
    handle.seek(0)
    try:
        first = next(reading.rows(handle, file_name, importer.columns, importer.required_columns), None)
    except DomainError:
        raise
    except Exception as error:  # a damaged file can fail inside any reader
        raise DomainError(_("The file cannot be read: it is damaged or of another kind."), field="file") from error
    if first is None:
        raise DomainError(_("The file holds no rows below the header."), field="file")
    handle.seek(0)


MODES = {m.value for m in ImportRun.Mode}


def start_import(actor, kind: str, upload, *, mode: str = "check", confirmed: bool = False) -> ImportRun:
    """Store `upload` and queue its run (sent to a worker when the transaction commits)."""
    importer = importer_for(kind)
    require_import_permission(actor, importer)
    if mode not in MODES:
        raise DomainError(_("Choose check, import, or import the good rows."), field="mode")
    if mode == ImportRun.Mode.IMPORT_GOOD and not confirmed:
        raise DomainError(_("Tick the box to confirm importing only the good rows."), field="confirm")
    if upload is None:
        raise DomainError(_("Choose the filled-in template."), field="file")
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    reading.check_size(size)
    file_name = Path(getattr(upload, "name", "") or "upload").name[:255]
    _preflight(importer, upload, file_name)
    with acting_as(actor), transaction.atomic():
        run = ImportRun(
            kind=kind,
            mode=mode,
            file_name=file_name,
            file_size=size,
            requested_by=actor,
            org_id=getattr(actor, "org_id", None),
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
        suffix = Path(file_name).suffix.lower() if Path(file_name).suffix.lower() in (".xlsx", ".csv") else ""
        run.upload.save(f"{uuid.uuid4().hex}{suffix}", File(upload), save=False)
        run.save()
        log_event("imports.started", run, actor=actor, message=f"{kind} {mode} {size} bytes")
        transaction.on_commit(partial(dispatch, run.pk))
    return run


def import_checked(actor, checked: ImportRun, *, mode: str, confirmed: bool = False) -> ImportRun:
    """Import the file of a finished check without uploading it again."""
    importer = importer_for(checked.kind)
    require_import_permission(actor, importer)
    if not runs_visible_to(actor).filter(pk=checked.pk).exists():
        raise DomainError(_("This import is outside your data scope."))
    if checked.mode != ImportRun.Mode.CHECK or checked.status != ImportRun.Status.SUCCEEDED:
        raise DomainError(_("Only a finished check can be imported."))
    if not checked.upload:
        raise DomainError(
            _(
                "The file of this check is no longer kept: it was imported, or deleted %(days)s days after "
                "its check. Upload it again."
            )
            % {"days": settings.STEWARD_IMPORT_KEEP_UPLOAD_DAYS}
        )
    if mode not in (ImportRun.Mode.IMPORT, ImportRun.Mode.IMPORT_GOOD):
        raise DomainError(_("Choose import, or import the good rows."), field="mode")
    if mode == ImportRun.Mode.IMPORT_GOOD and not confirmed:
        raise DomainError(_("Tick the box to confirm importing only the good rows."), field="confirm")
    with acting_as(actor), transaction.atomic():
        run = ImportRun.objects.create(
            kind=checked.kind,
            mode=mode,
            upload=checked.upload.name,
            file_name=checked.file_name,
            file_size=checked.file_size,
            requested_by=actor,
            org_id=getattr(actor, "org_id", None),
            language=translation.get_language() or settings.LANGUAGE_CODE,
            checked_run=checked,
        )
        log_event("imports.started", run, actor=actor, message=f"{run.kind} {mode} from check {checked.pk}")
        transaction.on_commit(partial(dispatch, run.pk))
    return run


def dispatch(run_id: int) -> None:
    from steward.imports.tasks import run_import

    try:
        run_import.apply_async(kwargs={"run_id": run_id})
    except Exception as error:  # the broker is down: say so on the run instead of losing it
        logger.exception("Could not queue import run %s", run_id)
        ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.QUEUED).update(
            status=ImportRun.Status.FAILED,
            finished_at=timezone.now(),
            error=_("The import could not be handed to a worker: %(error)s") % {"error": error},
        )


# ---------------------------------------------------------------- running


def _progress(run: ImportRun, **fields) -> None:
    for name, value in fields.items():
        setattr(run, name, value)
    ImportRun.objects.filter(pk=run.pk).update(**fields)


def _reject(run: ImportRun, rejections: list[Rejection]) -> None:
    if rejections:
        ImportRejection.objects.bulk_create(
            [ImportRejection(run=run, line=r.line, column=r.column[:100], reason=r.reason) for r in rejections],
            batch_size=1000,
        )


def execute_import(run_id: int) -> ImportRun | None:
    """Run a queued import (the Celery task's body). A run already taken is left alone, so a
    message delivered twice imports once."""
    now = timezone.now()
    taken = ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.QUEUED).update(
        status=ImportRun.Status.RUNNING, started_at=now, phase=ImportRun.Phase.CHECKING
    )
    if not taken:
        return None
    run = ImportRun.objects.select_related("requested_by").get(pk=run_id)
    actor = run.requested_by
    with translation.override(run.language or settings.LANGUAGE_CODE), acting_as(actor, source="import"):
        try:
            _execute(run, actor)
        except DomainError as error:
            _progress(run, status=ImportRun.Status.FAILED, error=str(error.message))
        except Exception:
            logger.exception("Import run %s failed", run.pk)
            _progress(
                run, status=ImportRun.Status.FAILED, error=_("The import failed unexpectedly; nothing more was saved.")
            )
        _progress(run, finished_at=timezone.now(), phase=ImportRun.Phase.DONE)
        log_event(
            "imports.finished",
            run,
            actor=actor,
            message=f"{run.status} rows={run.rows_checked} rejected={run.rows_rejected} imported={run.rows_written}",
        )
    return run


def _execute(run: ImportRun, actor) -> None:
    importer = importer_for(run.kind)
    require_import_permission(actor, importer)
    state = importer.begin(run, actor)
    stage = f"import_stage_{run.pk}"
    with connection.cursor() as cursor:
        pipeline.create_stage(cursor, stage, importer.stage_columns)
        try:
            _check_and_write(run, importer, state, cursor, stage)
        finally:
            pipeline.drop_stage(cursor, stage)
    importer.finish(state, run)


def _check_and_write(run, importer, state, cursor, stage) -> None:
    # The rows of a file are plain dicts and tuples, freed by reference counting; the cyclic
    # collector would only walk the worker's whole heap again and again for each batch's
    # allocations (a quarter of a 100,000-row import in a large process).
    collecting = gc.isenabled()
    gc.disable()
    try:
        _check_and_write_rows(run, importer, state, cursor, stage)
    finally:
        if collecting:
            gc.enable()


def _check_and_write_rows(run, importer, state, cursor, stage) -> None:
    size = batch_rows()
    write_as_checked = run.mode == ImportRun.Mode.IMPORT_GOOD
    with run.upload.open("rb") as handle:
        source = reading.rows(handle, run.file_name, importer.columns, importer.required_columns)
        total = reading.rows_estimate(handle, run.file_name)
        if total:
            _progress(run, rows_total=total)
        batch: list[tuple[int, dict]] = []
        for line, data in source:
            if data is None:
                _reject(
                    run, [Rejection(line, "", _("The line holds bytes that are not text (not UTF-8 or GB 18030)."))]
                )
                _progress(run, rows_rejected=run.rows_rejected + 1, rows_checked=run.rows_checked + 1)
                continue
            batch.append((line, data))
            if len(batch) >= size:
                _check_batch(run, importer, state, cursor, stage, batch, write_as_checked)
                batch = []
        if batch:
            _check_batch(run, importer, state, cursor, stage, batch, write_as_checked)
    if run.rows_checked == 0:
        raise DomainError(_("The file holds no rows below the header."), field="file")
    _progress(run, rows_total=run.rows_checked)
    if run.mode == ImportRun.Mode.IMPORT:
        if run.rows_rejected:
            _progress(run, status=ImportRun.Status.REFUSED)
            return
        _progress(run, phase=ImportRun.Phase.SAVING)
        lines = pipeline.staged_lines(cursor, stage)
        for start in range(0, len(lines), size):
            chunk = lines[start : start + size]
            _write(run, importer, state, cursor, stage, chunk[0], chunk[-1])
    _progress(run, status=ImportRun.Status.SUCCEEDED)
    if run.writes and run.upload:
        _forget_upload(run)


def _check_batch(run, importer, state, cursor, stage, batch, write_as_checked) -> None:
    good, rejected = importer.check(state, batch)
    _reject(run, rejected)
    if good and run.writes:
        pipeline.fill_stage(cursor, stage, importer.stage_columns, good)
    _progress(
        run,
        rows_checked=run.rows_checked + len(batch),
        rows_good=run.rows_good + len(good),
        rows_rejected=run.rows_rejected + len(rejected),
    )
    if write_as_checked and good:
        if run.phase != ImportRun.Phase.SAVING:
            _progress(run, phase=ImportRun.Phase.SAVING)
        _write(run, importer, state, cursor, stage, good[0][0], good[-1][0], pause=False)


def _write(run, importer, state, cursor, stage, first_line, last_line, pause=True) -> None:
    """One short transaction: the staged lines first_line..last_line into the tables."""
    with transaction.atomic():
        ids, rejected = importer.write(state, cursor, stage, first_line, last_line)
        _reject(run, rejected)
        ImportRun.objects.filter(pk=run.pk).update(
            rows_written=run.rows_written + len(ids),
            rows_good=run.rows_good - len(rejected),
            rows_rejected=run.rows_rejected + len(rejected),
        )
    run.rows_written += len(ids)
    run.rows_good -= len(rejected)
    run.rows_rejected += len(rejected)
    if pause and connection.vendor == "sqlite" and not connection.in_atomic_block:
        time.sleep(SQLITE_PAUSE_SECONDS)


def _forget_upload(run: ImportRun) -> None:
    """The rows are in the database now: the stored file (personal data) is deleted — also for
    the check it came from, which can no longer be imported twice."""
    name = run.upload.name
    storage = run.upload.storage
    ImportRun.objects.filter(upload=name).update(upload="")
    run.upload = ""
    try:
        storage.delete(name)
    except OSError:
        logger.warning("Could not delete the stored import file %s", name)


def forget_old_uploads(now, progress=None, days: int | None = None) -> dict[str, int]:
    """Delete the stored files of finished runs older than `days` (STEWARD_IMPORT_KEEP_UPLOAD_DAYS):
    a check nobody imported, a refused or failed run. An imported file is deleted when its rows are
    in (see _forget_upload); this is for the others, which hold personal data nobody will use. The
    runs, their counts and their rejected rows stay. Idempotent: a second run finds nothing."""
    days = int(settings.STEWARD_IMPORT_KEEP_UPLOAD_DAYS) if days is None else days
    cutoff = now - dt.timedelta(days=days)
    old = ImportRun.objects.filter(created_at__lt=cutoff, status__in=ImportRun.FINISHED).exclude(upload="")
    # A file a newer or unfinished run still reads (an import of a recent check) is kept.
    in_use = ImportRun.objects.exclude(upload="").filter(Q(created_at__gte=cutoff) | ~Q(status__in=ImportRun.FINISHED))
    names = sorted(set(old.values_list("upload", flat=True)) - set(in_use.values_list("upload", flat=True)))
    if progress:
        progress(0, len(names))
    storage = ImportRun._meta.get_field("upload").storage
    deleted = 0
    for done, name in enumerate(names, start=1):
        try:
            storage.delete(name)
            deleted += 1
        except OSError:
            logger.warning("Could not delete the stored import file %s", name)
        if progress and (done % 100 == 0 or done == len(names)):
            progress(done, len(names))
    for start in range(0, len(names), 500):
        ImportRun.objects.filter(upload__in=names[start : start + 500]).update(upload="")
    return {"processed": len(names), "deleted": deleted}


# ---------------------------------------------------------------- the rejected rows report

REPORT_HEADER = (("line", "line"), ("column", "column"), ("reason", "reason"))


def _report_rows(run: ImportRun):
    yield from (
        ImportRejection.objects.filter(run=run)
        .order_by("line", "pk")
        .values_list("line", "column", "reason")
        .iterator(chunk_size=2000)
    )


def report_header() -> list[str]:
    return [_("line"), _("column"), _("reason")]


def rejections_csv(run: ImportRun):
    """The rejected rows as CSV lines (UTF-8 with a BOM, so Excel opens Chinese text right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    writer.writerow(report_header())
    for row in _report_rows(run):
        writer.writerow(row)
        if buffer.tell() > 65536:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def rejections_xlsx(run: ImportRun) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("rejected rows")[:31])
    sheet.append(report_header())
    for row in _report_rows(run):
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
