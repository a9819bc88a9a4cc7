"""Import runs and the rows they rejected — CUS-13 (issue 12, point 5).

An upload is stored with its run, checked and written in the background by a Celery task
(steward/imports/tasks.py), and reported on line by line.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from steward.access.scope import ScopedManager


class ImportRun(models.Model):
    """One file imported (or only checked) by one employee, for one kind of record (`kind`, the
    key of a registered importer). Its counts and progress are written as the run goes, so the
    page shows them while it runs; `ImportRejection` holds the refused rows."""

    class Mode(models.TextChoices):
        CHECK = "check", _("Check only")
        IMPORT = "import", _("Import when every row is clean")
        IMPORT_GOOD = "import_good", _("Import the good rows")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Finished")
        REFUSED = "refused", _("Nothing imported: rows with errors")
        FAILED = "failed", _("Failed")

    class Phase(models.TextChoices):
        WAITING = "", _("Waiting")
        CHECKING = "checking", _("Checking the rows")
        SAVING = "saving", _("Saving")
        DONE = "done", _("Done")

    FINISHED = (Status.SUCCEEDED, Status.REFUSED, Status.FAILED)

    kind = models.CharField(_("kind"), max_length=40, db_index=True)
    mode = models.CharField(_("mode"), max_length=12, choices=Mode.choices, default=Mode.CHECK)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    phase = models.CharField(_("phase"), max_length=10, choices=Phase.choices, default=Phase.WAITING, blank=True)
    upload = models.FileField(_("file"), upload_to="imports/%Y/%m/%d/", max_length=300, blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    file_size = models.BigIntegerField(_("file size (bytes)"), default=0)
    language = models.CharField(_("language"), max_length=10, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    org = models.ForeignKey(
        "org.Org", verbose_name=_("org"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_run = models.ForeignKey(
        "self",
        verbose_name=_("imported from the check"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="imports",
    )
    rows_total = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    rows_checked = models.PositiveIntegerField(_("rows checked"), default=0)
    rows_good = models.PositiveIntegerField(_("good rows"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rows with errors"), default=0)
    rows_written = models.PositiveIntegerField(_("rows imported"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ScopedManager()
    scope_owner_field = "requested_by"
    scope_org_field = "org"
    # Progress is written every batch; the run's outcome is one audit event (imports.finished).
    audit_ignore = True

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_mode_display()})"

    def get_absolute_url(self) -> str:
        return reverse("imports:run_detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def progress_percent(self) -> int | None:
        """Of the phase under way: rows checked of the file, then rows saved of the good rows."""
        if self.is_finished:
            return 100
        if self.phase == self.Phase.SAVING and self.rows_good:
            return min(100, self.rows_written * 100 // self.rows_good)
        if self.phase == self.Phase.CHECKING and self.rows_total:
            return min(99, self.rows_checked * 100 // self.rows_total)
        return None

    @property
    def writes(self) -> bool:
        return self.mode != self.Mode.CHECK


class ImportRejection(models.Model):
    """A row the run refused: its physical line in the file (the header is line 1), the column
    (as its header reads) and why, in the language of the person who started the run."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="rejections")
    line = models.PositiveIntegerField(_("line"))
    column = models.CharField(_("column"), max_length=100, blank=True)
    reason = models.TextField(_("reason"))

    audit_ignore = True

    class Meta:
        ordering = ["run", "line", "pk"]
        indexes = [models.Index(fields=["run", "line"], name="import_rejection_line")]
        verbose_name = _("rejected row")
        verbose_name_plural = _("rejected rows")

    def __str__(self) -> str:
        return f"{self.line}: {self.reason}"
