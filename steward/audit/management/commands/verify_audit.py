from django.core.management.base import BaseCommand, CommandError

from steward.audit import anchors as audit_anchors
from steward.audit.services import verify_chain


class Command(BaseCommand):
    help = (
        "Check the audit trail's keyed hash chain and compare it with its anchors; list every break "
        "(exit code 1 when there is any)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchors",
            action="append",
            default=[],
            metavar="FILE",
            help="also compare with the anchors in FILE (a copy of a syslog or webhook sink); repeatable",
        )

    def handle(self, *args, **options):
        anchors = audit_anchors.read_configured()
        for path in options["anchors"]:
            try:
                with open(path, encoding="utf-8") as handle:
                    found, unreadable = audit_anchors.parse_lines(handle, path)
            except OSError as exc:
                raise CommandError(f"--anchors {path}: {exc}") from exc
            if unreadable:
                self.stderr.write(f"{path}: {unreadable} lines hold no anchor and were skipped.")
            anchors.extend(found)
        report = verify_chain(anchors=anchors)
        if report.ok:
            self.stdout.write(
                self.style.SUCCESS(
                    f"The audit chain holds: {report.checked} entries verified, "
                    f"{report.anchors_checked} anchors compared."
                )
            )
            return
        for line in report.lines():
            self.stdout.write(f"  {line}")
        raise CommandError(
            f"The audit chain is broken at entry #{report.broken_at}: {report.reason} "
            f"({report.break_count} breaks in all, listed above; {report.verified} of {report.checked} entries "
            f"verified, {report.anchors_checked} anchors compared)."
        )
