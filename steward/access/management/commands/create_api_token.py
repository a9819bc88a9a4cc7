from django.core.management.base import BaseCommand, CommandError

from steward.access import services
from steward.core.errors import DomainError
from steward.org.models import Employee


class Command(BaseCommand):
    help = (
        "Issue a new API token to an employee, e.g. a service account used by another system. "
        "The key is printed once; only its hash is stored. It expires (--days, at most the "
        "security.api_token_lifetime_days parameter) and lapses after security.api_token_idle_days without use."
    )

    def add_arguments(self, parser):
        parser.add_argument("employee_no")
        parser.add_argument("--name", default="", help="what uses the token, shown in the token list")
        parser.add_argument("--days", type=int, default=None, help="valid for this many days (default: the maximum)")
        parser.add_argument("--rotate", action="store_true", help="revoke the employee's other tokens first")

    def handle(self, employee_no, name="", days=None, rotate=False, **options):
        employee = Employee.objects.filter(employee_no=employee_no, is_active=True).first()
        if employee is None:
            raise CommandError(f"No active employee with employee number {employee_no!r}.")
        if rotate:
            services.revoke_all_tokens(employee, reason="rotated with create_api_token")
        try:
            token, key = services.issue_token(None, employee, name=name or "create_api_token", days=days)
        except DomainError as error:
            raise CommandError(str(error.message)) from error
        self.stderr.write(f"Valid until {token.expires_at:%Y-%m-%d %H:%M %Z}; shown only now.")
        self.stdout.write(key)
