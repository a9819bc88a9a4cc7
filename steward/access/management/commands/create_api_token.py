from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token

from steward.org.models import Employee


class Command(BaseCommand):
    help = "Create (or show) the API token of an employee, e.g. a service account used by another system."

    def add_arguments(self, parser):
        parser.add_argument("employee_no")
        parser.add_argument("--rotate", action="store_true", help="replace an existing token")

    def handle(self, employee_no, rotate=False, **options):
        employee = Employee.objects.filter(employee_no=employee_no, is_active=True).first()
        if employee is None:
            raise CommandError(f"No active employee with employee number {employee_no!r}.")
        if rotate:
            Token.objects.filter(user=employee).delete()
        token, _created = Token.objects.get_or_create(user=employee)
        self.stdout.write(token.key)
