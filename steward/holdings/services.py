"""Entry points of the daily intake: the command, the drop-folder job and the API upload all call
`load_day` (steward.holdings.intake)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from steward.access.services import require_permission
from steward.audit.context import acting_as
from steward.audit.services import log_event
from steward.basedata.services import parameter
from steward.core.errors import DomainError
from steward.core.statistics import refresh_statistics
from steward.holdings import intake
from steward.holdings.intake import ENTITY_ORDER, LAYOUTS, DayResult, load_day
from steward.holdings.models import IntakeBatch
from steward.holdings.progress import LoadProgress

READY_MARKER = "_READY"
UPLOAD_LIMIT = 512 * 1024 * 1024


def drop_folder() -> Path | None:
    configured = parameter("holdings.drop_folder") or getattr(settings, "STEWARD_INTAKE_DROP_FOLDER", "")
    return Path(configured) if configured else None


def pending_single_files(folder: Path, *, source: str, entity: str, filename: str) -> list[tuple[dt.date, Path]]:
    """Days of the drop folder (YYYY-MM-DD sub-folders with the _READY marker) holding `filename`,
    a feed of one file a day (market events, call details), not loaded yet for (source, entity).
    A refused file is tried again: it may have been delivered again."""
    loaded = set(
        IntakeBatch.objects.filter(source=source, entity=entity, part="", status=IntakeBatch.Status.LOADED).values_list(
            "data_date", flat=True
        )
    )
    days = []
    for child in sorted(folder.iterdir()) if folder.is_dir() else []:
        try:
            day = dt.date.fromisoformat(child.name)
        except ValueError:
            continue
        if (child / READY_MARKER).exists() and (child / filename).exists() and day not in loaded:
            days.append((day, child / filename))
    return days


def pending_days(folder: Path, source: str = "core") -> list[tuple[dt.date, Path]]:
    """Complete days in the drop folder (a YYYY-MM-DD sub-folder with a _READY marker) not yet loaded
    in full: a day whose files all loaded is skipped; a refused or interrupted one is tried again."""
    days = []
    for child in sorted(folder.iterdir()) if folder.is_dir() else []:
        try:
            day = dt.date.fromisoformat(child.name)
        except ValueError:
            continue
        if not (child / READY_MARKER).exists():
            continue
        entities = [e for e in ENTITY_ORDER if (child / f"{e}.csv").exists()]
        # (A held file waits for an operator's confirmation or a new delivery, not for the next run.)
        loaded = set(
            IntakeBatch.objects.filter(
                source=source,
                data_date=day,
                part="",
                entity__in=entities,
                status__in=[IntakeBatch.Status.LOADED, IntakeBatch.Status.HELD],
            ).values_list("entity", flat=True)
        )
        if set(entities) - loaded:
            days.append((day, child))
    return days


def load_drop_folder(actor=None, *, now, progress=None) -> list[DayResult]:
    """Recover loads whose process died, load the complete days not loaded yet (oldest first), then
    derive every day whose figures are still pending (a crash or a kill during the figures)."""
    intake.recover_dead_runs(now)
    folder = drop_folder()
    results = []
    for day, path in pending_days(folder) if folder is not None else []:
        try:
            results.append(load_day(actor, path, day, now=now, progress=LoadProgress("core", day, then=progress)))
        except DomainError:  # (a file of the day is being loaded by another process right now)
            continue
    intake.derive_pending_days(now=now, actor=actor)
    return results


def confirm_held_day(actor, *, source: str, data_date: dt.date, now=None) -> DayResult:
    """Apply the held snapshots of (source, data date) as delivered — an operator checked that the
    shrink is real (accounts closed or moved) — and derive the day's figures when it is complete."""
    require_permission(actor, "holdings.intake:confirm")
    now = now or timezone.now()
    held = list(IntakeBatch.objects.filter(source=source, data_date=data_date, part="", status=IntakeBatch.Status.HELD))
    if not held:
        raise DomainError(_("Nothing of %(source)s is held for %(date)s.") % {"source": source, "date": data_date})
    for batch in held:
        if not batch.file_path or not Path(batch.file_path).is_file():
            raise DomainError(
                _("The held file %(file)s is no longer there; deliver it again.") % {"file": batch.file_name}
            )
    result = DayResult(data_date)
    with acting_as(actor, source="intake"):
        for batch in sorted(held, key=lambda b: ENTITY_ORDER.index(b.entity) if b.entity in ENTITY_ORDER else 9):
            log_event(
                "holdings.intake_hold_confirmed",
                batch,
                actor=actor,
                message=f"{batch.entity} {data_date} ({source}): {batch.rows_loaded} rows confirmed",
            )
            result.batches.append(
                intake.load_file(
                    actor, Path(batch.file_path), batch.entity, data_date, source=source, now=now, confirm_shrink=True
                )
            )
        if any(b.status == IntakeBatch.Status.LOADED for b in result.batches):
            refresh_statistics(*intake.STATISTICS_TABLES)
            figures, result.waiting_for = intake.derive_ready_day(data_date, now=now, actor=actor)
            result.figures = figures or {}
    return result


def upload_file(
    actor, *, entity: str, data_date: dt.date, upload, source: str = "core", now=None, replace: bool = False
) -> DayResult:
    """Store an uploaded day file (multipart) in the intake area and load it like the command does.

    By default an upload is an intra-day part (DAT-07): its balances and transactions are added to
    the day (a part of its own, named by the time of the upload) and nothing else is replaced or
    removed; the day's figures follow only once the manifest's deliveries are in. `replace=True`
    delivers the source's full file of the day instead (what the drop folder does)."""
    require_permission(actor, "holdings.intake:upload")
    now = now or timezone.now()
    if entity not in LAYOUTS:
        raise DomainError(
            _("Unknown entity; expected one of %(names)s.") % {"names": ", ".join(ENTITY_ORDER)}, "entity"
        )
    intake.check_source(source)
    if upload.size > UPLOAD_LIMIT:
        raise DomainError(_("The file is too large."), "file")
    # Products and customers are upserted by key either way: only balances and transactions have parts.
    part = "" if replace or entity in ("products", "customers") else f"api-{now:%Y%m%d%H%M%S%f}"
    base = Path(getattr(settings, "STEWARD_INTAKE_UPLOAD_DIR", "") or Path(settings.VAR_DIR) / "intake")
    directory = base / source / data_date.isoformat() / entity / (part or "day")
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    with open(directory / f"{entity}.csv", "wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return load_day(
        actor, directory, data_date, source=source, part=part, now=now, progress=LoadProgress(source, data_date)
    )
