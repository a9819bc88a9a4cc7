import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from steward.audit.context import acting_as
from steward.core.errors import DomainError
from steward.holdings.models import IntakeBatch
from steward.holdings.reasons import english_reason
from steward.holdings.reminders import load_market_events


class Command(BaseCommand):
    help = (
        "Load a T+1 market-events file (product_code,event_type,date,note; event_type ipo or dividend) "
        "for a data date and raise the IPO and dividend reminders for the products' holders. Safe to re-run."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file (docs/reminders-calendar.md)")
        parser.add_argument("--date", required=True, help="data date, YYYY-MM-DD")
        parser.add_argument("--source", default="core")

    def handle(self, *args, **options):
        try:
            day = dt.date.fromisoformat(options["date"])
        except ValueError:
            raise CommandError("--date must be YYYY-MM-DD") from None
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path} is not a file")
        try:
            with acting_as(None, source="intake"):
                batch = load_market_events(None, path, day, source=options["source"])
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None
        if batch.status != IntakeBatch.Status.LOADED:
            raise CommandError(f"{batch.get_status_display()}: {english_reason(batch.error)}")
        for row in batch.rejected_rows.all():
            self.stderr.write(f"{path.name} line {row.line}: {english_reason(row.reason)}")
        self.stdout.write(
            f"{path.name} {day}: {batch.rows_loaded} events loaded, {batch.rows_rejected} rejected, "
            f"{getattr(batch, 'reminders_raised', 0)} reminders raised"
        )
