"""Live progress of intake loads, for the Data intake page — DAT-01, issue 12 point 4.

A file is loaded inside one transaction, so nothing it writes to the database — its batch row
included — is seen by the page until it commits. Its progress therefore goes to the progress
cache (the `progress` cache alias: Redis when REDIS_URL is set, else files under
STEWARD_VAR_DIR/progress, so the web and the worker processes of one machine share it), keyed by
(source, entity, data date). The page reads it for the batches it shows as running.

Every caller of `load_day` passes `LoadProgress(source, data_date)` (optionally forwarding to a
job run's progress or to the command's progress bar).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Callable, Iterable

from django.core.cache import InvalidCacheBackendError, caches

# A file writes its progress at most this often; the first and the last report always go out.
WRITE_EVERY_SECONDS = 0.5
# Progress of a load that stopped (a killed worker) is forgotten after this long.
KEEP_SECONDS = 6 * 3600
FIGURES = "figures"  # the pseudo-entity load_day reports while it derives the day's figures


def _cache():
    try:
        return caches["progress"]
    except InvalidCacheBackendError:
        return caches["default"]


def progress_key(source: str, entity: str, data_date: dt.date) -> str:
    return f"steward:intake-progress:{source}:{entity}:{data_date.isoformat()}"


class LoadProgress:
    """The progress callback `load_day(…, progress=…)` calls as `(entity, done, total)`.

    It publishes rows done / total of the file under way where the intake page reads them, and
    passes every report on to `then` (a job run's `set_progress`, the command's progress bar)."""

    def __init__(self, source: str, data_date: dt.date, then: Callable | None = None):
        self.source, self.data_date, self.then = source, data_date, then
        self._written: dict[str, float] = {}

    def __call__(self, entity: str, done: int, total: int) -> None:
        now = time.monotonic()
        last = self._written.get(entity)
        if last is None or done >= total or now - last >= WRITE_EVERY_SECONDS:
            self._written[entity] = now
            with contextlib.suppress(Exception):  # a cache that is down must never stop a load
                _cache().set(
                    progress_key(self.source, entity, self.data_date),
                    {"done": int(done), "total": int(total), "at": time.time()},
                    timeout=KEEP_SECONDS,
                )
        if self.then is not None:
            self.then(entity, done, total)


def job_run_progress(job_run) -> Callable[[str, int, int], None] | None:
    """Forward a file's rows done / total to a job run (its page and its heartbeat); None without one."""
    if job_run is None:
        return None

    def forward(entity: str, done: int, total: int) -> None:
        if entity != FIGURES:
            job_run.set_progress(done, total)

    return forward


def read_progress(keys: Iterable[tuple[str, str, dt.date]]) -> dict[tuple[str, str, dt.date], dict]:
    """{(source, entity, data date): {"done", "total", "percent"}} for the loads that reported any."""
    keys = list(keys)
    if not keys:
        return {}
    try:
        found = _cache().get_many([progress_key(*key) for key in keys])
    except Exception:
        return {}
    result = {}
    for key in keys:
        value = found.get(progress_key(*key))
        if not value:
            continue
        total = value.get("total") or 0
        done = min(value.get("done") or 0, total) if total else value.get("done") or 0
        percent = min(100, int(100 * done / total)) if total else None
        result[key] = {"done": done, "total": total, "percent": percent}
    return result
