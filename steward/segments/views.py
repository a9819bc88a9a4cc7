import json

import django_filters
import django_tables2 as tables
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from steward.access.services import has_permission
from steward.core.errors import DomainError
from steward.core.views import ObjectActionView, ObjectListView, PermissionRequiredMixin
from steward.customers.filters import CustomerFilterSet
from steward.customers.tables import CustomerTable
from steward.customers.views import CustomerListView
from steward.org.models import Org
from steward.segments import builder, services
from steward.segments.models import Segment
from steward.segments.permissions import ADD, CHANGE, EXPORT, VIEW
from steward.segments.tables import SegmentTable

SCREEN_TITLES = {
    "high_value": gettext_lazy("High-value customers (top 20% by AUM)"),
    # The percentage is a placeholder: "30% or" would read as a format code to gettext tools.
    "at_risk": lazy(
        lambda: (
            _("At-risk customers (AUM down %(percent)s or more in 30 days, or a product matured and not reinvested)")
            % {"percent": "30%"}
        ),
        str,
    )(),
    "high_potential": gettext_lazy("High-potential customers"),
}


class BuilderView(PermissionRequiredMixin, View):
    """The filter builder: rows of field / operator / value, re-rendered by htmx with a live count."""

    permission = VIEW
    template_name = "segments/builder.html"

    def render(self, request, definition, error=None, status=200):
        today = timezone.localdate()
        count = None
        effective = json.dumps(builder.complete(definition), ensure_ascii=False)
        if error is None:
            try:
                count = services.count(request.user, builder.complete(definition), today)
            except DomainError as exc:
                error = exc.message
        text = json.dumps(definition, ensure_ascii=False)
        context = {
            "title": _("Customer filter"),
            "rows": builder.rows(definition),
            "fields": builder.field_choices(),
            "definition_json": text,
            "count": count,
            "error": error,
            "results_url": reverse("segments:results") + "?" + urlencode({"definition": effective}),
            "effective_json": effective,
            "can_save": has_permission(request.user, ADD),
            "kinds": Segment.Kind.choices,
        }
        template = "segments/builder_partial.html" if request.htmx else self.template_name
        return TemplateResponse(request, template, context, status=status)

    def get(self, request):
        definition, error = builder.parse(request.GET.get("definition"))
        if not definition["rules"]:
            definition = {"op": "and", "rules": [builder.new_rule()]}
        # A definition that is not one (too deep, a rule that is not an object …) is a 400 that says where.
        return self.render(request, definition, error, status=400 if error else 200)

    def post(self, request):
        _definition, error = builder.parse(request.POST.get("definition"))
        if error:
            return self.render(request, {"op": "and", "rules": [builder.new_rule()]}, error, status=400)
        return self.render(request, builder.apply_form(request.POST))


class ResultsView(CustomerListView):
    """The customers a definition selects — always within the viewer's own visibility."""

    title = gettext_lazy("Filter results")
    page_permission = VIEW
    export_permission = EXPORT
    add_url_name = None

    def get_queryset(self):
        definition, error = builder.parse(self.request.GET.get("definition"))
        if error:
            return super().get_queryset().none()
        try:
            condition = services.compile_definition(definition, timezone.localdate())
        except DomainError:
            return super().get_queryset().none()
        return super().get_queryset().filter(condition)


class SegmentSaveView(PermissionRequiredMixin, View):
    permission = ADD

    def post(self, request):
        definition, error = builder.parse(request.POST.get("definition"))
        if error:
            messages.error(request, error)
            return HttpResponseRedirect(reverse("segments:builder"))
        try:
            segment = services.create_segment(
                request.user,
                name=request.POST.get("name", ""),
                kind=request.POST.get("kind", Segment.Kind.DYNAMIC),
                definition=definition,
                now=timezone.now(),
            )
        except DomainError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(
                reverse("segments:builder") + "?" + urlencode({"definition": json.dumps(definition)})
            )
        messages.success(request, _("Segment saved."))
        return HttpResponseRedirect(segment.get_absolute_url())


class SegmentListView(ObjectListView):
    model = Segment
    permission = VIEW
    table_class = SegmentTable
    select_related = ("owner",)
    title = gettext_lazy("Customer segments")


class SegmentDetailView(CustomerListView):
    """A segment's members, as the viewer may see them now."""

    page_permission = VIEW
    export_permission = EXPORT
    add_url_name = None
    template_name = "segments/segment_detail.html"

    def segment(self):
        if not hasattr(self, "_segment"):
            self._segment = get_object_or_404(
                Segment.objects.visible_to(self.request.user, VIEW).select_related("owner"), pk=self.kwargs["pk"]
            )
        return self._segment

    @property
    def title(self):
        return self.segment().name

    def get_queryset(self):
        members = services.members(self.request.user, self.segment(), timezone.localdate())
        return members.select_related(*self.select_related)

    def extra_context(self, request):
        segment = self.segment()
        return {
            "segment": segment,
            "definition_json": json.dumps(segment.definition, ensure_ascii=False),
            "can_change": has_permission(request.user, CHANGE),
        }


class SegmentRefreshView(ObjectActionView):
    model = Segment
    permission = CHANGE

    def act(self, request, obj):
        services.refresh_snapshot(request.user, obj, now=timezone.now())
        return _("Snapshot refreshed.")


class SegmentDeleteView(ObjectActionView):
    model = Segment
    permission = CHANGE

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        try:
            services.delete_segment(request.user, obj, now=timezone.now())
        except DomainError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(obj.get_absolute_url())
        messages.success(request, _("Segment deleted."))
        return HttpResponseRedirect(reverse("segments:segment_list"))


class ScreenListView(PermissionRequiredMixin, View):
    permission = VIEW

    def get(self, request):
        screens = [(key, SCREEN_TITLES[key]) for key in services.SCREENS]
        return TemplateResponse(request, "segments/screen_list.html", {"title": _("Screens"), "screens": screens})


class AtRiskTable(CustomerTable):
    """The customer list plus why each customer is at risk (the rows come from services.at_risk)."""

    reason = tables.Column(
        accessor="pk", verbose_name=gettext_lazy("reason"), orderable=False, attrs={"td": {"data-testid": "reason"}}
    )
    required_columns = ("cif", "reason")

    class Meta(CustomerTable.Meta):
        sequence = ("cif", "name", "reason", "...")

    def render_reason(self, record):
        return "; ".join(services.at_risk_reasons(record))

    def value_reason(self, record):
        return self.render_reason(record)


class AtRiskFilterSet(CustomerFilterSet):
    rule = django_filters.ChoiceFilter(
        choices=[
            ("aum_drop", gettext_lazy("AUM down in 30 days")),
            ("maturity", gettext_lazy("Product matured, not reinvested")),
        ],
        method="by_rule",
        label=gettext_lazy("at-risk rule"),
    )

    class Meta(CustomerFilterSet.Meta):
        fields = ["rule", *CustomerFilterSet.Meta.fields]

    def by_rule(self, queryset, name, value):
        return queryset.filter(services.at_risk_condition(value, timezone.localdate()))


class ScreenView(CustomerListView):
    page_permission = VIEW
    export_permission = EXPORT
    add_url_name = None

    @property
    def title(self):
        return SCREEN_TITLES[self.kwargs["key"]]

    def dispatch(self, request, *args, **kwargs):
        if kwargs["key"] not in SCREEN_TITLES:
            raise Http404
        if kwargs["key"] == "at_risk":
            self.table_class = AtRiskTable
            self.filterset_class = AtRiskFilterSet
        return super().dispatch(request, *args, **kwargs)

    def table_key(self) -> str:
        # A screen with its own columns keeps its own column choice.
        return "segments.at_risk" if self.kwargs["key"] == "at_risk" else super().table_key()

    def get_queryset(self):
        org = None
        if self.kwargs["key"] == "high_value":
            code = self.request.GET.get("org")
            org = Org.objects.filter(code=code).first() if code else self.request.user.org
        try:
            queryset = services.screen(self.request.user, self.kwargs["key"], timezone.localdate(), org=org)
        except DomainError as error:
            raise PermissionDenied(error.message) from error
        return queryset.select_related(*self.select_related)
