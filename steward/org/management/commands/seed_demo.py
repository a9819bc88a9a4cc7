from django.core.management.base import BaseCommand

from steward.core.statistics import refresh_all_statistics
from steward.org.demo import DEMO_PASSWORD, BankSize, build_bank
from steward.org.models import Org


class Command(BaseCommand):
    help = "Build a deterministic demo bank (orgs, staff, roles, one login per role). Safe to re-run."

    def add_arguments(self, parser):
        parser.add_argument("--branches", type=int, default=3)
        parser.add_argument("--sub-branches", type=int, default=3, help="sub-branches per branch")
        parser.add_argument("--teams", type=int, default=2, help="teams per sub-branch")
        parser.add_argument("--rms", type=int, default=2, help="relationship managers per team")
        parser.add_argument("--seed", type=int, default=20261123)

    def handle(self, *args, **options):
        if Org.objects.filter(code="HO").exists():
            self.stdout.write("The demo bank already exists; nothing was changed.")
            logins = None
        else:
            size = BankSize(options["branches"], options["sub_branches"], options["teams"], options["rms"])
            logins = build_bank(size, seed=options["seed"])
            self.seed_apps()
            # Fresh planner statistics for every table just filled (SQLite never gathers them itself).
            refresh_all_statistics()
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo bank built: {Org.objects.count()} orgs, "
                    f"{Org.objects.get(code='HO').employees.model.objects.count()} employees."
                )
            )
        self.print_logins(logins)

    def seed_apps(self):
        """Each app adds its own demo data through `steward.<app>.demo.seed_demo_<app>()`."""
        from importlib import import_module

        from django.apps import apps

        for config in apps.get_app_configs():
            if not config.name.startswith("steward.") or config.label == "org":
                continue
            try:
                module = import_module(f"{config.name}.demo")
            except ModuleNotFoundError:
                continue
            seeder = getattr(module, f"seed_demo_{config.label}", None)
            if seeder is not None:
                created = seeder()
                self.stdout.write(f"  {config.verbose_name}: {created} demo records")

    def print_logins(self, logins):
        from steward.access.models import RoleAssignment

        rows = logins
        if rows is None:
            rows = [
                (a.user.employee_no, a.role.name_en, a.org.name)
                for a in RoleAssignment.objects.current()
                .filter(user__employee_no__in=["admin", "auditor", "marketing", "branch", "lead", "rm"])
                .select_related("user", "role", "org")
            ]
        else:
            rows = [(login.employee_no, login.role, login.org) for login in rows]
        self.stdout.write("\nDemo logins (password for all: %s)" % DEMO_PASSWORD)
        for employee_no, role, org in rows:
            self.stdout.write(f"  {employee_no:<10} {role:<24} {org}")
