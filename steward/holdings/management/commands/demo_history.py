"""The demo's earlier days, in the background (started by seed_demo; see steward/holdings/demo.py)."""

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from steward.holdings.demo import write_demo_day
from steward.holdings.services import READY_MARKER, drop_folder


class Command(BaseCommand):
    help = (
        "Write the demo's earlier days to the T+1 drop folder (the demo folder under var/ unless one "
        "is configured), then run the drop-folder job, which loads them with its progress in the "
        "scheduling centre."
    )

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, required=True)
        parser.add_argument("--first", required=True, help="the earliest data date, YYYY-MM-DD")
        parser.add_argument("--last", required=True, help="the latest data date, YYYY-MM-DD")

    def handle(self, *args, **options):
        from steward.basedata.services import set_parameter
        from steward.jobs.services import execute_job
        from steward.org.models import Employee

        try:
            first, last = dt.date.fromisoformat(options["first"]), dt.date.fromisoformat(options["last"])
        except ValueError:
            raise CommandError("--first and --last must be YYYY-MM-DD") from None
        admin = Employee.objects.filter(employee_no="admin").first()
        if admin is None:
            raise CommandError("No demo bank: run seed_demo first.")
        folder = drop_folder()
        if folder is None:
            folder = Path(settings.VAR_DIR) / "demo-intake"
            set_parameter(admin, "holdings.drop_folder", str(folder))
        days = (last - first).days + 1
        for i in range(days):
            day = first + dt.timedelta(days=i)
            directory = folder / day.isoformat()
            if not (directory / READY_MARKER).exists():
                write_demo_day(directory, options["customers"], day, master=False)
                (directory / READY_MARKER).touch()  # complete: the job may load it
            self.stdout.write(f"written {day} ({i + 1}/{days})")
        run = execute_job("holdings.load_drop_folder", triggered_by_id=admin.pk)
        self.stdout.write(f"drop-folder job run #{run.pk}: {run.status}")
