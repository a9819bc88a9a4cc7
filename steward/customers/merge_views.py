"""Pages for merging duplicates and settling ownership conflicts — CUS-09, CUS-12.

The merge page (one duplicate from its 360° view, or many into one survivor), the list of
duplicate candidates, and the administrators' list of ownership conflicts the daily intake raised.
They parse input and call steward.customers.merging / steward.customers.mastering.
"""

from __future__ import annotations

import re

import django_filters
import django_tables2 as tables
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from steward.core.errors import DomainError
from steward.core.filters import StewardFilterSet
from steward.core.tables import LocalDateTimeColumn, StewardTable
from steward.core.views import ObjectListView, PermissionRequiredMixin
from steward.customers import mastering, merging
from steward.customers.models import Customer, OwnershipConflict
from steward.customers.services import resolve_customers

_SPLIT = re.compile(r"[\s,;，；]+")


def split_numbers(raw) -> list[str]:
    """Customer numbers typed or pasted into one field, separated by spaces, commas or lines."""
    if isinstance(raw, (list, tuple)):
        raw = " ".join(str(part) for part in raw)
    return [token for token in _SPLIT.split(str(raw or "")) if token]


def resolve_merge(actor, survivor_number: str, duplicate_numbers: list[str]):
    """(survivor, duplicates) from customer numbers the actor may merge; the survivor's own number
    is left out of the duplicates (the candidates list sends the whole group)."""
    survivor_number = (survivor_number or "").strip()
    if not survivor_number:
        raise DomainError(_("Enter the surviving customer's number."), field="survivor")
    (survivor,) = resolve_customers(actor, [survivor_number], merging.MERGE)
    numbers = [n for n in duplicate_numbers if n not in (survivor.cif, str(survivor.pk))]
    if not numbers:
        raise DomainError(_("Name at least one duplicate customer."), field="duplicates")
    if len(numbers) > merging.MAX_DUPLICATES:
        raise DomainError(
            _("Merge at most %(n)s duplicates at once.") % {"n": merging.MAX_DUPLICATES}, field="duplicates"
        )
    try:
        duplicates = resolve_customers(actor, numbers, merging.MERGE)
    except DomainError as error:
        raise DomainError(error.message, field="duplicates") from None
    return survivor, duplicates


class MergeView(PermissionRequiredMixin, View):
    """Merge duplicates into a survivor: GET previews (?survivor=<cif>&duplicates=<cifs>), POST
    merges. Opened from a customer's 360° view, that customer is the duplicate and no survivor is
    chosen yet; opened from the menu or the candidates list, the user names them."""

    permission = merging.MERGE
    template_name = "customers/merge.html"

    def preset(self, request, kwargs) -> Customer | None:
        if "pk" not in kwargs:
            return None
        return get_object_or_404(Customer.objects.visible_to(request.user, self.permission), pk=kwargs["pk"])

    def get(self, request, *args, **kwargs):
        preset = self.preset(request, kwargs)
        survivor_cif = str(request.GET.get("survivor", "")).strip()
        numbers = split_numbers(request.GET.getlist("duplicates")) or ([preset.cif] if preset else [])
        context = {
            "object": preset,
            "title": _("Merge %(customer)s") % {"customer": preset} if preset else _("Merge duplicate customers"),
            "survivor_cif": survivor_cif,
            "duplicates_text": " ".join(numbers),
        }
        if survivor_cif:
            try:
                survivor, duplicates = resolve_merge(request.user, survivor_cif, numbers)
                context["plan"] = merging.merge_preview(request.user, duplicates, survivor)
            except DomainError as error:
                context["error"] = error.message
        return TemplateResponse(request, self.template_name, context)

    def post(self, request, *args, **kwargs):
        preset = self.preset(request, kwargs)
        numbers = split_numbers(request.POST.getlist("duplicates")) or ([preset.cif] if preset else [])
        try:
            survivor, duplicates = resolve_merge(request.user, request.POST.get("survivor", ""), numbers)
            merging.merge_customers(request.user, duplicates, survivor)
        except DomainError as error:
            messages.error(request, error.message)
            back = reverse("customers:customer_merge", args=[preset.pk]) if preset else reverse("customers:merge")
            return HttpResponseRedirect(back)
        messages.success(
            request,
            _("%(n)s customers were merged into %(survivor)s.") % {"n": len(duplicates), "survivor": survivor}
            if len(duplicates) > 1
            else _("The customer was merged into %(survivor)s.") % {"survivor": survivor},
        )
        return HttpResponseRedirect(survivor.get_absolute_url())


class DuplicateCandidatesView(PermissionRequiredMixin, View):
    """Groups of customers in the user's scope that look like one person (CUS-12)."""

    permission = merging.MERGE
    template_name = "customers/duplicate_candidates.html"

    def get(self, request, *args, **kwargs):
        match = request.GET.get("match", merging.MATCH_ID_NUMBER)
        if match not in merging.MATCHES:
            match = merging.MATCH_ID_NUMBER
        page = merging.candidate_page(request.user, match, request.GET.get("page", 1))
        return TemplateResponse(
            request,
            self.template_name,
            {"title": _("Duplicate candidates"), "page": page, "match": match, "matches": merging.MATCHES.items()},
        )


# ---------------------------------------------------------------- ownership conflicts (CUS-09)


class OwnershipConflictFilterSet(StewardFilterSet):
    status = django_filters.ChoiceFilter(
        choices=OwnershipConflict.Status.choices, label=gettext_lazy("status"), empty_label=gettext_lazy("All")
    )
    search_fields = ("customer__cif",)

    class Meta:
        model = OwnershipConflict
        fields = ["status"]


class OwnershipConflictTable(StewardTable):
    cif = tables.Column(accessor="customer__cif", verbose_name=gettext_lazy("customer number"))
    name = tables.Column(accessor="customer__name", verbose_name=gettext_lazy("name"))
    steward_owner = tables.Column(accessor="steward_owner__name", default="—")
    file_owner = tables.Column(accessor="file_owner__name", default="—")
    detected_at = LocalDateTimeColumn(verbose_name=gettext_lazy("detected at"))
    actions = tables.TemplateColumn(
        template_name="customers/_conflict_actions.html",
        verbose_name=gettext_lazy("decision"),
        orderable=False,
        exclude_from_export=True,
    )
    required_columns = ("cif", "actions")

    class Meta(StewardTable.Meta):
        model = OwnershipConflict
        fields = ("cif", "name", "steward_owner", "file_owner", "source", "data_date", "status", "detected_at")
        sequence = (*fields, "actions")
        order_by = ("-data_date",)

    def render_cif(self, value, record):
        from django.utils.html import format_html

        return format_html('<a href="{}">{}</a>', record.customer.get_absolute_url(), value)

    def render_source(self, value, record):
        return record.source_label

    def value_source(self, value, record):
        return record.source_label


class OwnershipConflictListView(ObjectListView):
    """The ownership conflicts of the customers in the administrator's scope (open ones first)."""

    model = OwnershipConflict
    permission = mastering.RESOLVE
    table_class = OwnershipConflictTable
    filterset_class = OwnershipConflictFilterSet
    title = gettext_lazy("Ownership conflicts")
    export_permission = mastering.RESOLVE

    def get_queryset(self):
        return mastering.conflicts_for(self.request.user).select_related("customer", "steward_owner", "file_owner")

    def filtered_queryset(self, request):
        if "status" not in request.GET:
            request.GET = request.GET.copy()
            request.GET["status"] = OwnershipConflict.Status.OPEN
        return super().filtered_queryset(request)


class OwnershipConflictResolveView(PermissionRequiredMixin, View):
    permission = mastering.RESOLVE

    def post(self, request, *args, **kwargs):
        conflict = get_object_or_404(mastering.conflicts_for(request.user), pk=kwargs["pk"])
        try:
            conflict = mastering.resolve_conflict(request.user, conflict, request.POST.get("decision", ""))
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(customer)s: %(decision)s.")
                % {"customer": conflict.customer.cif, "decision": conflict.get_status_display()},
            )
        return HttpResponseRedirect(reverse("customers:ownership_conflicts"))
