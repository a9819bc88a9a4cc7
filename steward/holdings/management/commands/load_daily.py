import datetime as dt
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from steward.core.errors import DomainError
from steward.holdings.intake import load_day
from steward.holdings.progress import LoadProgress
from steward.holdings.reasons import shown_reason


class Progress:
    """A one-line progress bar per entity on stderr."""

    def __init__(self, stream, enabled: bool):
        self.stream, self.enabled, self.current, self.started = stream, enabled, None, time.monotonic()

    def __call__(self, entity: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if entity != self.current:
            if self.current is not None:
                self.stream.write("\n")
            self.current, self.started = entity, time.monotonic()
        share = done / total if total else 1
        bar = "#" * int(share * 30)
        self.stream.write(f"\r{entity:<13} [{bar:<30}] {done:>10,}/{total:,} {time.monotonic() - self.started:6.1f}s")
        self.stream.flush()

    def close(self):
        if self.enabled and self.current is not None:
            self.stream.write("\n")


class Command(BaseCommand):
    help = "Load one day of T+1 intake files (products, customers, accounts, transactions) from DIR."

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument("--date", required=True, help="data date, YYYY-MM-DD")
        parser.add_argument("--source", default="core")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        try:
            day = dt.date.fromisoformat(options["date"])
        except ValueError:
            raise CommandError("--date must be YYYY-MM-DD") from None
        progress = Progress(sys.stderr, not options["no_progress"] and options["verbosity"] > 0)
        try:
            result = load_day(
                None,
                Path(options["directory"]),
                day,
                source=options["source"],
                progress=LoadProgress(options["source"], day, then=progress),  # also on the intake page
            )
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        finally:
            progress.close()
        for batch in result.batches:
            line = (
                f"{batch.entity:<13} {batch.status:<8} read {batch.rows_read:,}, loaded {batch.rows_loaded:,}, "
                f"rejected {batch.rows_rejected:,}"
            )
            self.stdout.write(line if batch.status == "loaded" else f"{line}\n  {shown_reason(batch.error)}")
        if result.waiting_for:
            self.stdout.write(f"figures       not derived: waiting for {result.waiting_for}")
        else:
            self.stdout.write(f"figures       {result.figures}")
        not_loaded = len(result.refused) + len(result.failed) + len(result.held)
        if not_loaded:
            raise CommandError(f"{not_loaded} file(s) refused, failed or held; see the messages above.")
