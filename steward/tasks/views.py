from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from steward.access.services import has_permission
from steward.core.errors import DomainError
from steward.core.views import (
    ObjectActionView,
    ObjectDetailView,
    ObjectListView,
    PermissionRequiredMixin,
    ServiceFormView,
)
from steward.tasks import services
from steward.tasks.filters import MyItemFilterSet, TaskCategoryFilterSet, TaskFilterSet
from steward.tasks.forms import FinishItemForm, TaskCategoryForm, TaskForm
from steward.tasks.models import Task, TaskCategory, TaskItem
from steward.tasks.permissions import CATEGORY_CHANGE, MANAGE, VIEW, WORK
from steward.tasks.tables import MyItemTable, PoolItemTable, TaskCategoryTable, TaskTable


def _page_pk(value) -> int:
    if not 0 < int(value) < 2**63:
        raise Http404
    return int(value)


# ---------------------------------------------------------------- managing tasks


class TaskListView(ObjectListView):
    """The tasks of the orgs in scope (TASK-01 … TASK-04)."""

    model = Task
    permission = VIEW
    table_class = TaskTable
    filterset_class = TaskFilterSet
    title = gettext_lazy("Assigned tasks")
    add_url_name = "tasks:task_add"
    add_permission = MANAGE

    def get_queryset(self):
        return super().get_queryset().select_related("category", "org", "created_by")


class TaskAddView(ServiceFormView):
    """A new task: its items are created (and, system-assigned, dealt) when it is saved."""

    model = Task
    permission = MANAGE
    form_class = TaskForm
    title = gettext_lazy("New assigned task")

    def get_instance(self):
        return None

    def perform(self, form, instance):
        data = form.cleaned_data
        task = services.create_task(
            self.request.user,
            title=data["title"],
            category=data["category"],
            org=data["org"],
            description=data["description"],
            type=data["type"],
            subject=data["subject"],
            source=data["source"],
            method=data.get("method") or Task.Method.EVEN,
            assignee_ids=[employee.pk for employee in data.get("assignees") or []],
            due_on=data.get("due_on"),
            max_open_per_agent=data.get("max_open_per_agent"),
            **form.source_arguments(),
        )
        messages.success(
            self.request, _("The task was created with %(count)s items.") % {"count": f"{task.items.count():,}"}
        )
        return task


class TaskDetailView(ObjectDetailView):
    """A task and its progress: done, skipped and open items per assignee."""

    model = Task
    permission = VIEW
    template_name = "tasks/task_detail.html"
    select_related = ("category", "org", "created_by")

    def extra_context(self, request, obj) -> dict:
        may_manage = (
            obj.is_open
            and has_permission(request.user, MANAGE)
            and Task.objects.visible_to(request.user, MANAGE).filter(pk=obj.pk).exists()
        )
        rows = services.progress(obj)
        return {
            "progress": rows,
            "totals": {
                "open": sum(row.open for row in rows),
                "done": sum(row.done for row in rows),
                "skipped": sum(row.skipped for row in rows),
            },
            "assignees": list(obj.assignees.order_by("name")),
            "may_manage": may_manage,
        }


class TaskCloseView(ObjectActionView):
    model = Task
    permission = MANAGE

    def act(self, request, obj):
        services.close_task(request.user, obj)
        return _("The task is closed: nothing more is added or taken.")


class TaskEvaluateView(ObjectActionView):
    model = Task
    permission = MANAGE

    def act(self, request, obj):
        result = services.evaluate_now(request.user, obj)
        return _("%(added)s items added, %(dealt)s dealt, %(moved)s moved to the current relationship manager.") % {
            "added": f"{result.added:,}",
            "dealt": f"{result.dealt:,}",
            "moved": f"{result.moved:,}",
        }


# ---------------------------------------------------------------- categories


class CategoryListView(ObjectListView):
    model = TaskCategory
    permission = VIEW
    table_class = TaskCategoryTable
    filterset_class = TaskCategoryFilterSet
    title = gettext_lazy("Task categories")
    add_url_name = "tasks:category_add"
    add_permission = CATEGORY_CHANGE


class CategoryFormView(ServiceFormView):
    model = TaskCategory
    permission = CATEGORY_CHANGE
    form_class = TaskCategoryForm
    title = gettext_lazy("New task category")
    success_message = gettext_lazy("The category was saved.")

    def perform(self, form, instance):
        return services.save_category(self.request.user, form.instance)

    def success_url(self, obj):
        return reverse("tasks:category_list")


# ---------------------------------------------------------------- working items


class MyItemListView(ObjectListView):
    """My open items of every task, and the draw and pick tasks I may take items from."""

    model = TaskItem
    permission = WORK
    table_class = MyItemTable
    filterset_class = MyItemFilterSet
    title = gettext_lazy("My tasks")
    template_name = "tasks/my_items.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .filter(assignee=self.request.user, status=TaskItem.Status.OPEN)
            .select_related("task", "customer", "lead")
            .order_by("task__due_on", "taken_at", "pk")
        )

    def extra_context(self, request):
        user = request.user
        tasks = (
            services.takeable_tasks(user)
            .annotate(
                untaken=Count("items", filter=Q(items__status=TaskItem.Status.OPEN, items__assignee__isnull=True)),
                mine=Count("items", filter=Q(items__status=TaskItem.Status.OPEN, items__assignee=user)),
            )
            .order_by("due_on", "pk")
        )
        return {"takeable": list(tasks)}


class TaskPoolView(PermissionRequiredMixin, View):
    """An active-pick task's untaken items: the agent chooses whom to serve."""

    permission = WORK

    def get(self, request, pk):
        task = get_object_or_404(services.takeable_tasks(request.user), pk=_page_pk(pk), type=Task.Type.ACTIVE_PICK)
        items = services.pool_items(request.user, task).select_related("customer", "lead").order_by("added_at", "pk")
        table = PoolItemTable(items, request=request)
        table.paginate(
            page=request.GET.get("page", 1) if str(request.GET.get("page", "1")).isdigit() else 1, per_page=20
        )
        context = {"title": task.title, "task": task, "table": table}
        return TemplateResponse(request, "tasks/task_pool.html", context)


class DrawView(PermissionRequiredMixin, View):
    """Draw next: a random untaken item of a random-draw task."""

    permission = WORK
    http_method_names = ["post"]

    def post(self, request, pk):
        task = Task.objects.filter(pk=_page_pk(pk)).first()
        if task is None or not services.takeable_tasks(request.user).filter(pk=task.pk).exists():
            raise Http404
        try:
            item = services.draw_next(request.user, task)
        except DomainError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(reverse("tasks:my_items"))
        messages.success(request, _("You drew %(name)s.") % {"name": item.subject_name})
        return HttpResponseRedirect(item.get_absolute_url())


class PickView(PermissionRequiredMixin, View):
    permission = WORK
    http_method_names = ["post"]

    def post(self, request, pk):
        item = TaskItem.objects.visible_to(request.user, WORK).filter(pk=_page_pk(pk)).first()
        if item is None:
            raise Http404
        try:
            item = services.pick(request.user, item)
        except DomainError as error:
            messages.error(request, error.message)
            if item.task.type == Task.Type.ACTIVE_PICK:
                return HttpResponseRedirect(reverse("tasks:task_pool", args=[item.task_id]))
            return HttpResponseRedirect(reverse("tasks:my_items"))
        messages.success(request, _("You took %(name)s.") % {"name": item.subject_name})
        return HttpResponseRedirect(item.get_absolute_url())


class ItemDetailView(ObjectDetailView):
    """One item: whom to serve, for which task; its assignee finishes it here (done or skipped)."""

    model = TaskItem
    permission = WORK
    template_name = "tasks/item_detail.html"
    select_related = ("task", "customer", "lead", "assignee", "interaction")

    def can_finish(self, request, item) -> bool:
        return item.status == TaskItem.Status.OPEN and item.assignee_id == request.user.pk

    def extra_context(self, request, obj, form=None) -> dict:
        can_finish = self.can_finish(request, obj)
        if form is None and can_finish:
            form = FinishItemForm(user=request.user, initial={"occurred_at": timezone.localtime()})
        return {"can_finish": can_finish, "form": form}

    def post(self, request, *args, **kwargs):
        item = self.get_object()
        if not self.can_finish(request, item):
            raise PermissionDenied(_("This item is not yours to finish."))
        form = FinishItemForm(data=request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if "skip" in request.POST:
                    services.skip_item(request.user, item, outcome_note=data["outcome_note"])
                    messages.success(request, _("The item was skipped."))
                else:
                    contact = None
                    if data.get("record_contact"):
                        contact = {
                            "channel": data["channel"],
                            "outcome": data["outcome"],
                            "occurred_at": data.get("occurred_at"),
                        }
                    services.complete_item(request.user, item, outcome_note=data["outcome_note"], contact=contact)
                    messages.success(request, _("The item is done."))
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                return HttpResponseRedirect(reverse("tasks:my_items"))
        item.refresh_from_db()
        context = {"object": item, "title": str(item), **self.extra_context(request, item, form)}
        return TemplateResponse(request, self.template_name, context)
