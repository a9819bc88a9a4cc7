from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from steward.access.services import has_permission
from steward.core.errors import DomainError
from steward.core.views import (
    ObjectActionView,
    ObjectListView,
    PermissionRequiredMixin,
    ServiceFormView,
    bulk_selection,
    may_open,
    safe_next,
)
from steward.customers.models import Customer
from steward.customers.views import CustomerListView
from steward.tags import batch, services
from steward.tags.forms import CategoryForm, GroupForm, TagForm
from steward.tags.models import CustomerGroup, CustomerTag, Tag, TagCategory
from steward.tags.permissions import (
    GROUP_ADD,
    GROUP_EXPORT,
    GROUP_MANAGE,
    GROUP_VIEW,
    TAG_APPLY,
    TAG_EXPORT,
    TAG_MANAGE,
    TAG_VIEW,
)
from steward.tags.tables import CategoryTable, GroupTable, TagTable

CUSTOMER_VIEW = "customers.customer:view"

# ---------------------------------------------------------------- categories and tags (CUS-05)


class TagListView(ObjectListView):
    model = Tag
    permission = TAG_VIEW
    table_class = TagTable
    title = gettext_lazy("Customer tags")
    template_name = "tags/tag_list.html"
    add_url_name = "tags:tag_add"
    add_permission = TAG_MANAGE
    select_related = ("category",)

    def get_queryset(self):
        # The count is of the customers the viewer may see, never the bank-wide number.
        visible = Customer.objects.visible_to(self.request.user, CUSTOMER_VIEW).values("pk")
        return (
            super()
            .get_queryset()
            .annotate(customers=Count("customer_links", filter=Q(customer_links__customer__in=visible)))
        )

    def extra_context(self, request):
        return {"can_manage": has_permission(request.user, TAG_MANAGE)}


class TagDetailView(CustomerListView):
    """A tag and the customers carrying it, as the viewer may see them."""

    page_permission = TAG_VIEW
    export_permission = TAG_EXPORT
    add_url_name = None
    template_name = "tags/tag_detail.html"

    def tag(self):
        if not hasattr(self, "_tag"):
            self._tag = get_object_or_404(
                Tag.objects.visible_to(self.request.user, TAG_VIEW).select_related("category"), pk=self.kwargs["pk"]
            )
        return self._tag

    @property
    def title(self):
        return self.tag().name

    def list_url(self, request):
        return request.path

    def get_queryset(self):
        tagged = CustomerTag.objects.filter(tag=self.tag()).values("customer_id")
        return super().get_queryset().filter(pk__in=tagged)

    def extra_context(self, request):
        import json

        tag = self.tag()
        return {
            "tag": tag,
            "definition_json": json.dumps(tag.definition, ensure_ascii=False) if tag.definition else "",
            "can_manage": has_permission(request.user, TAG_MANAGE),
            # The rule opens in the segments app's filter builder, under that page's own permission.
            "can_open_rule": may_open(request.user, "segments:builder"),
        }


class TagCreateView(ServiceFormView):
    model = Tag
    permission = TAG_MANAGE
    form_class = TagForm
    title = gettext_lazy("New tag")
    success_message = gettext_lazy("The tag was saved.")

    def perform(self, form, instance):
        data = form.cleaned_data
        return services.create_tag(
            self.request.user,
            category=data["category"],
            code=data["code"],
            name=data["name"],
            kind=data["kind"],
            definition=data["definition"],
            description=data["description"],
            color=data["color"],
            now=timezone.now(),
        )


class TagEditView(TagCreateView):
    def perform(self, form, instance):
        data = form.cleaned_data
        return services.update_tag(
            self.request.user,
            instance,
            category=data["category"],
            name=data["name"],
            definition=data["definition"],
            description=data["description"],
            color=data["color"],
            now=timezone.now(),
        )


class TagRecomputeView(ObjectActionView):
    model = Tag
    permission = TAG_MANAGE

    def act(self, request, obj):
        added, removed = services.recompute_now(request.user, obj, now=timezone.now())
        return _("The rule was recomputed: %(added)s customers tagged, %(removed)s untagged.") % {
            "added": added,
            "removed": removed,
        }


class TagActiveView(ObjectActionView):
    model = Tag
    permission = TAG_MANAGE

    def act(self, request, obj):
        active = request.POST.get("active") == "1"
        services.set_tag_active(request.user, obj, active, now=timezone.now())
        return _("The tag is active again.") if active else _("The tag was deactivated.")


class CategoryListView(ObjectListView):
    model = TagCategory
    permission = TAG_VIEW
    table_class = CategoryTable
    title = gettext_lazy("Tag categories")
    add_url_name = "tags:category_add"
    add_permission = TAG_MANAGE

    def get_queryset(self):
        return super().get_queryset().annotate(tag_count=Count("tags"))


class CategoryCreateView(ServiceFormView):
    model = TagCategory
    permission = TAG_MANAGE
    form_class = CategoryForm
    title = gettext_lazy("New tag category")
    success_message = gettext_lazy("The tag category was saved.")

    def perform(self, form, instance):
        data = form.cleaned_data
        return services.create_category(
            self.request.user,
            code=data["code"],
            name=data["name"],
            description=data["description"],
            sort_order=data["sort_order"],
        )

    def success_url(self, obj):
        return reverse("tags:category_list")


class CategoryEditView(CategoryCreateView):
    def perform(self, form, instance):
        data = form.cleaned_data
        return services.update_category(
            self.request.user,
            instance,
            name=data["name"],
            description=data["description"],
            sort_order=data["sort_order"],
            is_active=data["is_active"],
        )


# ---------------------------------------------------------------- customer groups (CUS-04)


class GroupListView(ObjectListView):
    """My personal groups and the system groups I may see."""

    model = CustomerGroup
    permission = GROUP_VIEW
    table_class = GroupTable
    title = gettext_lazy("Customer groups")
    select_related = ("owner", "org")
    add_url_name = "tags:group_add"
    add_permission = GROUP_ADD


class GroupDetailView(CustomerListView):
    """A group's members, as the viewer may see them now; paged, exportable, with batch actions."""

    page_permission = GROUP_VIEW
    export_permission = GROUP_EXPORT
    add_url_name = None
    template_name = "tags/group_detail.html"
    bulk_actions = ("tags.group_remove_here", "tags.tag_add", "tags.tag_remove")

    def group(self):
        if not hasattr(self, "_group"):
            self._group = get_object_or_404(
                CustomerGroup.objects.visible_to(self.request.user, GROUP_VIEW).select_related("owner", "org"),
                pk=self.kwargs["pk"],
            )
        return self._group

    @property
    def title(self):
        return self.group().name

    def get_queryset(self):
        return services.members(self.request.user, self.group()).select_related(*self.select_related)

    def extra_context(self, request):
        group = self.group()
        user = request.user
        if group.kind == CustomerGroup.Kind.PERSONAL:
            can_admin = group.owner_id == user.pk and has_permission(user, GROUP_ADD)
        else:
            can_admin = services.manageable_system_groups(user).filter(pk=group.pk).exists()
        return {
            "group": group,
            "can_admin": can_admin,
            "batch_actions": batch.available(user),
        }


class GroupCreateView(ServiceFormView):
    model = CustomerGroup
    permission = GROUP_ADD
    form_class = GroupForm
    title = gettext_lazy("New customer group")
    success_message = gettext_lazy("The customer group was saved.")

    def get_form(self, data=None, instance=None):
        return self.form_class(
            data=data,
            instance=instance,
            user=self.request.user,
            can_manage=has_permission(self.request.user, GROUP_MANAGE),
        )

    def perform(self, form, instance):
        data = form.cleaned_data
        return services.create_group(
            self.request.user,
            name=data["name"],
            kind=data.get("kind") or CustomerGroup.Kind.PERSONAL,
            description=data["description"],
            org=data.get("org"),
        )


class GroupEditView(GroupCreateView):
    permission = GROUP_VIEW

    def perform(self, form, instance):
        data = form.cleaned_data
        return services.update_group(
            self.request.user, instance, name=data["name"], description=data["description"], org=data.get("org")
        )


class GroupDeleteView(ObjectActionView):
    model = CustomerGroup
    permission = GROUP_VIEW

    def post(self, request, *args, **kwargs):
        group = self.get_object()
        try:
            services.delete_group(request.user, group)
        except DomainError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(group.get_absolute_url())
        messages.success(request, _("The customer group was deleted."))
        return HttpResponseRedirect(reverse("tags:group_list"))


class GroupBatchView(PermissionRequiredMixin, View):
    """Start a registered batch action on the members of a group the user may see."""

    permission = GROUP_VIEW

    def post(self, request, pk, key):
        group = get_object_or_404(CustomerGroup.objects.visible_to(request.user, GROUP_VIEW), pk=pk)
        action = batch.BATCH_ACTIONS.get(key)
        if action is None:
            raise Http404
        if not has_permission(request.user, action.permission):
            raise PermissionDenied(_("You do not have the permission “%(name)s”.") % {"name": action.permission})
        try:
            return action.run(request, group, services.members(request.user, group))
        except DomainError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(group.get_absolute_url())


# ---------------------------------------------------------------- list bulk actions


class BulkActionView(PermissionRequiredMixin, View):
    """POST from a customer list's bulk bar: the selected (or all matching) customers and a target."""

    def target(self, request):
        raise NotImplementedError

    def apply(self, request, target, customers) -> str:
        raise NotImplementedError

    def post(self, request):
        fallback = reverse("customers:my_customers")
        source = safe_next(request.POST.get("source", ""), fallback)
        try:
            customers = bulk_selection(request, Customer)
            target = self.target(request)
            message = self.apply(request, target, customers)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, message)
        return HttpResponseRedirect(source)


def _pk(request) -> int | None:
    value = request.POST.get("target", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


class BulkGroupView(BulkActionView):
    permission = GROUP_VIEW
    remove = False

    def target(self, request):
        group = services.groups_for_membership(request.user).filter(pk=_pk(request)).first()
        if group is None:
            raise DomainError(_("Choose a group you may change."))
        return group

    def apply(self, request, group, customers):
        now = timezone.now()
        if self.remove:
            count = services.remove_members(request.user, group, customers, now=now)
            return _("%(n)s customers were removed from %(group)s.") % {"n": count, "group": group.name}
        count = services.add_members(request.user, group, customers, now=now)
        return _("%(n)s customers were added to %(group)s.") % {"n": count, "group": group.name}


class BulkTagView(BulkActionView):
    permission = TAG_APPLY
    remove = False

    def target(self, request):
        tag = Tag.objects.filter(pk=_pk(request), kind=Tag.Kind.MANUAL, is_active=True).first()
        if tag is None:
            raise DomainError(_("Choose an active manual tag."))
        return tag

    def apply(self, request, tag, customers):
        now = timezone.now()
        if self.remove:
            count = services.untag_customers(request.user, tag, customers, now=now)
            return _("%(n)s customers lost the tag %(tag)s.") % {"n": count, "tag": tag.name}
        count = services.tag_customers(request.user, tag, customers, now=now)
        return _("%(n)s customers were tagged %(tag)s.") % {"n": count, "tag": tag.name}


# ---------------------------------------------------------------- the 360° view's tags tab


def tags_tab_context(request, customer) -> dict:
    """Context of customers/tabs/tags.html: the customer's tags, the manual tags one may add, and the
    groups the viewer sees that hold the customer."""
    user = request.user
    links = list(services.tags_of(user, customer))
    can_tag = has_permission(user, TAG_APPLY)
    present = {link.tag_id for link in links}
    addable = []
    if can_tag:
        addable = list(
            Tag.objects.filter(kind=Tag.Kind.MANUAL, is_active=True, category__is_active=True)
            .exclude(pk__in=present)
            .select_related("category")
        )
    return {
        "tag_links": links,
        "can_tag": can_tag,
        "addable_tags": addable,
        "customer_groups": list(services.groups_of(user, customer).select_related("owner", "org"))
        if has_permission(user, GROUP_VIEW)
        else [],
        "addable_groups": list(services.groups_for_membership(user).exclude(members__customer=customer))
        if has_permission(user, GROUP_VIEW)
        else [],
    }


class CustomerTagView(ObjectActionView):
    """From the tags tab: add (tag=<id>) or remove (remove=<id>) a manual tag on this customer."""

    model = Customer
    permission = TAG_APPLY

    def get_queryset(self):
        return Customer.objects.visible_to(self.request.user, CUSTOMER_VIEW)

    def act(self, request, obj):
        remove = request.POST.get("remove", "")
        pk = remove or request.POST.get("tag", "")
        tag = Tag.objects.filter(pk=pk if str(pk).isdigit() else None).first()
        if tag is None:
            raise DomainError(_("Choose a tag."))
        now = timezone.now()
        if remove:
            services.untag_customers(request.user, tag, [obj.pk], now=now)
            return _("The tag %(tag)s was removed.") % {"tag": tag.name}
        services.tag_customers(request.user, tag, [obj.pk], now=now)
        return _("The customer was tagged %(tag)s.") % {"tag": tag.name}


class CustomerGroupJoinView(ObjectActionView):
    """From the tags tab: add this customer to a group (group=<id>)."""

    model = Customer
    permission = GROUP_VIEW

    def get_queryset(self):
        return Customer.objects.visible_to(self.request.user, CUSTOMER_VIEW)

    def act(self, request, obj):
        group = services.groups_for_membership(request.user).filter(pk=_pk_of(request.POST.get("group"))).first()
        if group is None:
            raise DomainError(_("Choose a group you may change."))
        services.add_members(request.user, group, [obj.pk], now=timezone.now())
        return _("The customer was added to %(group)s.") % {"group": group.name}


def _pk_of(value) -> int | None:
    return int(value) if str(value or "").isdigit() else None
