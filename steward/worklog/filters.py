import django_filters
from django.utils.translation import gettext_lazy as _

from steward.core.filters import StewardFilterSet
from steward.worklog.models import WorkEntry, WorkflowRun, WorkflowTemplate, WorkItem


class WorkEntryFilterSet(StewardFilterSet):
    search_fields = ("title__icontains", "details__icontains")
    owner = django_filters.ChoiceFilter(label=_("employee"), method="by_owner", empty_label=_("Everyone I may see"))
    on_from = django_filters.DateFilter(field_name="on", lookup_expr="gte", label=_("from"))
    on_to = django_filters.DateFilter(field_name="on", lookup_expr="lte", label=_("to"))

    class Meta:
        model = WorkEntry
        fields = ["q", "owner", "kind", "period", "on_from", "on_to"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        from steward.worklog.services import schedule_people

        people = schedule_people(request.user) if request is not None else []
        self.filters["owner"].extra["choices"] = [(str(p.pk), f"{p.name} ({p.employee_no})") for p in people]

    def by_owner(self, queryset, name, value):
        return queryset.filter(owner_id=value) if value else queryset


class WorkItemFilterSet(StewardFilterSet):
    search_fields = ("title__icontains",)
    box = django_filters.ChoiceFilter(
        label=_("show"),
        method="by_box",
        choices=[("mine", _("Given to me")), ("given", _("Given by me"))],
        empty_label=_("All I may follow"),
    )
    due_from = django_filters.DateFilter(field_name="due_on", lookup_expr="gte", label=_("due from"))
    due_to = django_filters.DateFilter(field_name="due_on", lookup_expr="lte", label=_("due to"))

    class Meta:
        model = WorkItem
        fields = ["q", "box", "due_from", "due_to"]

    def by_box(self, queryset, name, value):
        user = self.request.user
        if value == "mine":
            return queryset.filter(assignments__assignee=user)
        if value == "given":
            return queryset.filter(created_by=user)
        return queryset


class WorkflowRunFilterSet(StewardFilterSet):
    search_fields = ("customer__cif", "customer__name__startswith")
    overdue = django_filters.BooleanFilter(label=_("with overdue steps"), method="by_overdue")

    class Meta:
        model = WorkflowRun
        fields = ["q", "status", "template", "overdue"]

    def by_overdue(self, queryset, name, value):
        from django.utils import timezone

        if value is None:
            return queryset
        late = WorkflowRun.objects.filter(steps__done_at__isnull=True, steps__due_on__lt=timezone.localdate()).values(
            "pk"
        )
        return queryset.filter(pk__in=late) if value else queryset.exclude(pk__in=late)


class WorkflowTemplateFilterSet(StewardFilterSet):
    search_fields = ("name__icontains", "name_en__icontains")

    class Meta:
        model = WorkflowTemplate
        fields = ["q", "is_active"]
