from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views import View

from steward.access.services import has_permission
from steward.core.errors import DomainError
from steward.core.views import ObjectDetailView, ObjectListView, PermissionRequiredMixin, ServiceFormView
from steward.worklog import services
from steward.worklog import warnings as work_warnings
from steward.worklog.filters import (
    WorkEntryFilterSet,
    WorkflowRunFilterSet,
    WorkflowTemplateFilterSet,
    WorkItemFilterSet,
)
from steward.worklog.forms import (
    GuidanceForm,
    ProgressForm,
    StartWorkflowForm,
    WorkEntryForm,
    WorkflowTemplateForm,
    WorkItemForm,
)
from steward.worklog.models import WorkEntry, WorkFeedback, WorkflowRun, WorkflowStep, WorkflowTemplate, WorkItem
from steward.worklog.permissions import (
    ADD,
    ASSIGN,
    GUIDE,
    ITEM_VIEW,
    VIEW,
    WORKFLOW_MANAGE,
    WORKFLOW_START,
    WORKFLOW_VIEW,
)
from steward.worklog.tables import WorkEntryTable, WorkflowRunTable, WorkflowTemplateTable, WorkItemTable


class WorkEntryListView(ObjectListView):
    """The schedule (行事历): my plans and journal, and those of my direct superiors and
    subordinates (SVC-06, SVC-13)."""

    model = WorkEntry
    permission = VIEW
    table_class = WorkEntryTable
    filterset_class = WorkEntryFilterSet
    title = pgettext_lazy("work schedule", "Schedule")
    template_name = "worklog/entry_list.html"
    add_url_name = "worklog:entry_add"
    add_permission = ADD

    def get_queryset(self):
        return super().get_queryset().select_related("owner")

    def extra_context(self, request):
        return {"people": services.schedule_people(request.user)}


class WorkEntryDetailView(ObjectDetailView):
    model = WorkEntry
    permission = VIEW
    template_name = "worklog/entry_detail.html"

    def extra_context(self, request, obj):
        can_guide = (
            obj.owner_id != request.user.pk
            and has_permission(request.user, GUIDE)
            and services.supervised_employees(request.user).filter(pk=obj.owner_id).exists()
        )
        return {
            "can_change": obj.owner_id == request.user.pk and has_permission(request.user, ADD),
            "can_guide": can_guide,
            "guidance_form": GuidanceForm(user=request.user) if can_guide else None,
            "guidance": obj.guidance.select_related("author"),
        }


class WorkEntryFormView(ServiceFormView):
    model = WorkEntry
    permission = ADD
    form_class = WorkEntryForm
    title = gettext_lazy("New work plan or journal entry")
    success_message = gettext_lazy("The entry was saved.")

    def get_instance(self):
        instance = super().get_instance()
        if instance is not None and instance.owner_id != self.request.user.pk:
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied(_("Only its author changes a work plan or journal entry."))
        return instance

    def get_form(self, data=None, instance=None):
        form = super().get_form(data=data, instance=instance)
        if instance is None and data is None:
            from django.utils import timezone

            form.initial.setdefault("on", timezone.localdate().isoformat())
            form.initial.setdefault("kind", self.request.GET.get("kind") or WorkEntry.Kind.PLAN)
        return form

    def perform(self, form, instance):
        return services.save_entry(self.request.user, form.instance)


class WorkEntryDeleteView(WorkEntryDetailView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        entry = self.get_object()
        try:
            services.delete_entry(request.user, entry)
        except DomainError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(entry.get_absolute_url())
        messages.success(request, _("The entry was deleted."))
        return HttpResponseRedirect(reverse("worklog:entry_list"))


# ------------------------------------------------------------------ work items and guidance


class WorkItemListView(ObjectListView):
    """Work items given to me, by me, and to those I supervise (SVC-08)."""

    model = WorkItem
    permission = ITEM_VIEW
    table_class = WorkItemTable
    filterset_class = WorkItemFilterSet
    title = gettext_lazy("Work items")
    add_url_name = "worklog:item_add"
    add_permission = ASSIGN

    def get_queryset(self):
        return super().get_queryset().select_related("created_by")


class WorkItemFormView(ServiceFormView):
    model = WorkItem
    permission = ASSIGN
    form_class = WorkItemForm
    title = gettext_lazy("Assign a work item")
    success_message = gettext_lazy("The work item was given; each employee was notified.")

    def get_instance(self):
        return None

    def get_form(self, data=None, instance=None):
        return self.form_class(data=data, user=self.request.user)

    def perform(self, form, instance):
        data = form.cleaned_data
        return services.assign_work(
            self.request.user,
            title=data["title"],
            details=data["details"],
            due_on=data["due_on"],
            assignee_ids=data["assignees"],
        )


class WorkItemDetailView(ObjectDetailView):
    model = WorkItem
    permission = ITEM_VIEW
    template_name = "worklog/item_detail.html"

    def extra_context(self, request, obj):
        assignments = services.progress_of(request.user, obj)
        mine = next((a for a in assignments if a.assignee_id == request.user.pk), None)
        feedback = WorkFeedback.objects.filter(assignment__in=assignments).select_related("author", "assignment")
        return {
            "assignments": assignments,
            "mine": mine,
            "feedback": feedback,
            "progress_form": ProgressForm(user=request.user, initial={"progress": mine.progress if mine else 0}),
        }

    def post(self, request, *args, **kwargs):
        """The assignee's progress report."""
        from django.template.response import TemplateResponse

        item = self.get_object()
        mine = item.assignments.filter(assignee=request.user).first()
        form = ProgressForm(data=request.POST, user=request.user)
        if mine is not None and form.is_valid():
            try:
                services.report_progress(
                    request.user, mine, progress=form.cleaned_data["progress"], text=form.cleaned_data["text"]
                )
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, _("Your progress was reported."))
                return HttpResponseRedirect(item.get_absolute_url())
        elif mine is None:
            form.add_error(None, _("Only the employee the work was given to reports its progress."))
        context = {"object": item, "title": str(item), **self.extra_context(request, item), "progress_form": form}
        return TemplateResponse(request, self.template_name, context, status=200)


class GuidanceView(WorkEntryDetailView):
    """POST on an entry: a supervisor's guidance on a subordinate's plan or journal (SVC-02)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        entry = self.get_object()
        form = GuidanceForm(data=request.POST, user=request.user)
        if form.is_valid():
            try:
                services.give_guidance(request.user, entry.owner, text=form.cleaned_data["text"], entry=entry)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("Your guidance was sent."))
        else:
            messages.error(request, _("Write the guidance."))
        return HttpResponseRedirect(entry.get_absolute_url())


# ------------------------------------------------------------------ standard workflows (SVC-11)


class WorkflowRunListView(ObjectListView):
    """Progress monitoring: every run on the customers in scope, with steps done and overdue."""

    model = WorkflowRun
    permission = WORKFLOW_VIEW
    table_class = WorkflowRunTable
    filterset_class = WorkflowRunFilterSet
    title = gettext_lazy("Standard workflows")
    template_name = "worklog/run_list.html"
    add_url_name = "worklog:run_start"
    add_permission = WORKFLOW_START

    def get_queryset(self):
        from django.utils import timezone

        queryset = super().get_queryset().select_related("customer", "template", "owner")
        return services.runs_with_progress(queryset, timezone.localdate())

    def extra_context(self, request):
        return {"can_manage": has_permission(request.user, WORKFLOW_MANAGE)}


class WorkflowRunDetailView(ObjectDetailView):
    model = WorkflowRun
    permission = WORKFLOW_VIEW
    template_name = "worklog/run_detail.html"

    def extra_context(self, request, obj):
        from django.utils import timezone

        from steward.customers.models import Customer

        can_act = (
            obj.status == WorkflowRun.Status.RUNNING
            and has_permission(request.user, WORKFLOW_START)
            and Customer.objects.visible_to(request.user, WORKFLOW_START).filter(pk=obj.customer_id).exists()
        )
        return {"steps": obj.steps.select_related("done_by"), "can_act": can_act, "today": timezone.localdate()}

    def post(self, request, *args, **kwargs):
        """Tick a step off (``step``) or cancel the run (``cancel``)."""
        from django.core.exceptions import PermissionDenied

        run = self.get_object()
        try:
            if "cancel" in request.POST:
                services.cancel_run(request.user, run)
                messages.success(request, _("The workflow was cancelled."))
            else:
                try:
                    step = run.steps.get(pk=int(request.POST.get("step", "")))
                except (ValueError, OverflowError, WorkflowStep.DoesNotExist):
                    messages.error(request, _("Choose a step of this workflow."))
                    return HttpResponseRedirect(run.get_absolute_url())
                services.complete_step(request.user, step, note=request.POST.get("note", ""))
                messages.success(request, _("The step was ticked off."))
        except DomainError as error:
            messages.error(request, error.message)
        except PermissionDenied:
            raise
        return HttpResponseRedirect(run.get_absolute_url())


class WorkflowStartView(ServiceFormView):
    model = WorkflowRun
    permission = WORKFLOW_START
    form_class = StartWorkflowForm
    title = gettext_lazy("Start a standard workflow")

    def get_instance(self):
        return None

    def get_form(self, data=None, instance=None):
        form = self.form_class(data=data, user=self.request.user)
        if data is None and self.request.GET.get("customer", "").isdigit():
            from steward.customers.models import Customer

            customer = (
                Customer.objects.visible_to(self.request.user, WORKFLOW_START)
                .filter(pk=int(self.request.GET["customer"][:18]))
                .first()
            )
            if customer is not None:
                form.initial["customers"] = customer.cif
        return form

    def perform(self, form, instance):
        started = services.start_workflow(
            self.request.user, form.cleaned_data["template"], form.cleaned_data["customers"]
        )
        messages.success(self.request, _("The workflow was started for %(count)s customers.") % {"count": started})
        return None

    def success_url(self, obj):
        return reverse("worklog:run_list")


class WorkflowTemplateListView(ObjectListView):
    model = WorkflowTemplate
    permission = WORKFLOW_MANAGE
    table_class = WorkflowTemplateTable
    filterset_class = WorkflowTemplateFilterSet
    title = gettext_lazy("Workflow templates")
    add_url_name = "worklog:template_add"
    add_permission = WORKFLOW_MANAGE

    def get_queryset(self):
        from django.db.models import Count

        return super().get_queryset().annotate(step_count=Count("steps"))


class WorkflowTemplateFormView(ServiceFormView):
    model = WorkflowTemplate
    permission = WORKFLOW_MANAGE
    form_class = WorkflowTemplateForm
    title = gettext_lazy("New workflow template")
    success_message = gettext_lazy("The workflow template was saved.")

    def perform(self, form, instance):
        return services.save_template(self.request.user, form.instance, form.cleaned_data["steps"])

    def success_url(self, obj):
        return reverse("worklog:template_list")


class WorkWarningsView(PermissionRequiredMixin, View):
    """Work warnings (SVC-06): my overdue contact plans, key customers not contacted in time,
    reminders left open, work plans, work items and workflow steps past their dates, counted per
    kind; a supervisor also sees the employees they supervise counted by RM and opens one RM's
    warnings read-only (?rm=<id>). A fixed number of queries whatever the books' sizes."""

    permission = VIEW
    team_limit = 200

    def get(self, request):
        user = request.user
        rm_param = request.GET.get("rm", "")
        team = work_warnings.supervised_rms(user)
        context = {"title": _("Work warnings"), "kinds": work_warnings.KIND_LABELS}
        if rm_param:
            if not (rm_param.isascii() and rm_param.isdigit() and len(rm_param) <= 18):
                raise Http404
            employee = team.filter(pk=int(rm_param)).first()
            if employee is None:
                raise Http404  # a peer's or a stranger's warnings are not mine to see
            context.update(
                employee=employee, read_only=True, title=_("Work warnings of %(name)s") % {"name": employee.name}
            )
            context["sections"] = work_warnings.work_warnings(user, employee.pk)
        else:
            context["employee"] = user
            context["sections"] = work_warnings.work_warnings(user, user.pk)
            people = list(team[: self.team_limit])
            if people:
                counts = work_warnings.counts_by_rm(user, [person.pk for person in people])
                shown = [
                    kind for kind in work_warnings.KINDS if kind in {section.kind for section in context["sections"]}
                ]
                context["team_kinds"] = [(kind, work_warnings.KIND_LABELS[kind]) for kind in shown]
                context["team"] = [
                    {
                        "employee": person,
                        "counts": [counts[person.pk].get(kind, 0) for kind in shown],
                        "total": sum(counts[person.pk].values()),
                    }
                    for person in people
                ]
        return TemplateResponse(request, "worklog/warnings.html", context)
