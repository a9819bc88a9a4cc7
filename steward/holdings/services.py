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
from steward.basedata.services import parameter
from steward.core.errors import DomainError
from steward.holdings.intake import ENTITY_ORDER, LAYOUTS, DayResult, load_day
from steward.holdings.models import IntakeBatch
from steward.holdings.progress import LoadProgress

READY_MARKER = "_READY"
UPLOAD_LIMIT = 512 * 1024 * 1024


def drop_folder() -> Path | None:
    configured = parameter("holdings.drop_folder") or getattr(settings, "STEWARD_INTAKE_DROP_FOLDER", "")
    return Path(configured) if configured else None


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
        loaded = set(
            IntakeBatch.objects.filter(
                source=source, data_date=day, entity__in=entities, status=IntakeBatch.Status.LOADED
            ).values_list("entity", flat=True)
        )
        if set(entities) - loaded:
            days.append((day, child))
    return days


def load_drop_folder(actor=None, *, now, progress=None) -> list[DayResult]:
    folder = drop_folder()
    if folder is None:
        return []
    return [
        load_day(actor, path, day, now=now, progress=LoadProgress("core", day, then=progress))
        for day, path in pending_days(folder)
    ]


def upload_file(actor, *, entity: str, data_date: dt.date, upload, source: str = "core", now=None) -> DayResult:
    """Store an uploaded day file (multipart) in the intake area and load it like the command does."""
    require_permission(actor, "holdings.intake:upload")
    if entity not in LAYOUTS:
        raise DomainError(
            _("Unknown entity; expected one of %(names)s.") % {"names": ", ".join(ENTITY_ORDER)}, "entity"
        )
    if not source.isidentifier():
        raise DomainError(_("A source is letters, digits and underscores."), "source")
    if upload.size > UPLOAD_LIMIT:
        raise DomainError(_("The file is too large."), "file")
    base = Path(getattr(settings, "STEWARD_INTAKE_UPLOAD_DIR", "") or Path(settings.VAR_DIR) / "intake")
    directory = base / source / data_date.isoformat() / entity
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    with open(directory / f"{entity}.csv", "wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return load_day(
        actor, directory, data_date, source=source, now=now or timezone.now(), progress=LoadProgress(source, data_date)
    )
