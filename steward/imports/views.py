"""The pages of an import run (CUS-13): its progress (htmx swaps only the progress element while it
runs), the rejected rows, their report as .csv/.xlsx, and importing a checked file."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from steward.core.errors import DomainError
from steward.imports import services
from steward.imports.models import ImportRun

SHOWN_REJECTIONS = 200


class RunMixin(LoginRequiredMixin):
    def get_run(self) -> ImportRun:
        # Out of range ids (beyond 64 bits) are simply not found.
        pk = self.kwargs["pk"]
        if pk > 2**63 - 1:
            from django.http import Http404

            raise Http404
        return get_object_or_404(services.runs_visible_to(self.request.user).select_related("requested_by"), pk=pk)

    def context(self, run: ImportRun) -> dict:
        importer = services.importers.get(run.kind)
        return {
            "run": run,
            "importer": importer,
            "back_url": reverse(importer.back_url_name) if importer and importer.back_url_name else "",
            "title": _("Import of %(file)s") % {"file": run.file_name},
        }


class RunDetailView(RunMixin, View):
    def get(self, request, *args, **kwargs):
        run = self.get_run()
        context = self.context(run)
        context["rejections"] = list(run.rejections.all()[:SHOWN_REJECTIONS])
        context["more_rejections"] = max(0, run.rows_rejected - SHOWN_REJECTIONS)
        context["may_import"] = (
            run.mode == ImportRun.Mode.CHECK and run.status == ImportRun.Status.SUCCEEDED and bool(run.upload)
        )
        return TemplateResponse(request, "imports/run_detail.html", context)


class RunProgressView(RunMixin, View):
    """The progress element alone; when the run has finished, the whole page reloads once."""

    def get(self, request, *args, **kwargs):
        run = self.get_run()
        response = TemplateResponse(request, "imports/_progress.html", self.context(run))
        if run.is_finished and request.headers.get("HX-Request"):
            response["HX-Refresh"] = "true"
        return response


class ImportCheckedView(RunMixin, View):
    def post(self, request, *args, **kwargs):
        checked = self.get_run()
        try:
            run = services.import_checked(
                request.user, checked, mode=request.POST.get("mode", ""), confirmed=request.POST.get("confirm") == "1"
            )
        except DomainError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(checked.get_absolute_url())
        return HttpResponseRedirect(run.get_absolute_url())


class RejectionsCsvView(RunMixin, View):
    def get(self, request, *args, **kwargs):
        run = self.get_run()
        response = StreamingHttpResponse(services.rejections_csv(run), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-rejected.csv"'
        return response


class RejectionsXlsxView(RunMixin, View):
    def get(self, request, *args, **kwargs):
        run = self.get_run()
        response = HttpResponse(
            services.rejections_xlsx(run),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-rejected.xlsx"'
        return response
