from django.core.management.base import BaseCommand, CommandError

from steward.audit.services import verify_chain


class Command(BaseCommand):
    help = "Check the audit trail's hash chain; report the first broken link, if any (exit code 1)."

    def handle(self, *args, **options):
        report = verify_chain()
        if report.ok:
            self.stdout.write(self.style.SUCCESS(f"The audit chain holds: {report.checked} entries verified."))
            return
        raise CommandError(
            f"The audit chain is broken at entry #{report.broken_at}: {report.reason} "
            f"({report.checked} entries before it verified)."
        )
