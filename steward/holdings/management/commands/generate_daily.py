import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from steward.holdings.generator import generate_day


class Command(BaseCommand):
    help = "Write a realistic day of T+1 intake files for N customers (deterministic)."

    def add_arguments(self, parser):
        parser.add_argument("out_dir")
        parser.add_argument("--customers", type=int, default=1000)
        parser.add_argument("--date", required=True, help="data date, YYYY-MM-DD")
        parser.add_argument("--seed", type=int, default=20260331)
        parser.add_argument("--orgs", default="", help="comma-separated org codes (default: the bank's teams)")
        parser.add_argument("--owners", default="", help="comma-separated employee numbers (default: the RMs)")

    def handle(self, *args, **options):
        from steward.org.models import Employee, Org

        try:
            day = dt.date.fromisoformat(options["date"])
        except ValueError:
            raise CommandError("--date must be YYYY-MM-DD") from None
        orgs = [c for c in options["orgs"].split(",") if c] or list(
            Org.objects.filter(kind=Org.Kind.TEAM).order_by("code").values_list("code", flat=True)
        )
        orgs = orgs or list(Org.objects.order_by("path").values_list("code", flat=True)[:1])
        if not orgs:
            raise CommandError("No orgs: create the bank first (seed_demo) or pass --orgs.")
        owners = [c for c in options["owners"].split(",") if c] or list(
            Employee.objects.filter(position="rm", status="active")
            .order_by("employee_no")
            .values_list("employee_no", flat=True)
        )
        counts = generate_day(
            Path(options["out_dir"]), options["customers"], day, orgs=orgs, owners=owners, seed=options["seed"]
        )
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
