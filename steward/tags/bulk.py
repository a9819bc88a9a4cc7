"""The customer lists' bulk actions contributed by this app (see steward.core.views.BulkAction).

A customer list names them in its ``bulk_actions``; the targets offered are the groups and
manual tags the user may use."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from steward.core.views import BulkAction, register_bulk_action
from steward.tags.permissions import GROUP_VIEW, TAG_APPLY

GROUP_ADD_ACTION = "tags.group_add"
GROUP_REMOVE_ACTION = "tags.group_remove"
TAG_ADD_ACTION = "tags.tag_add"
TAG_REMOVE_ACTION = "tags.tag_remove"
CUSTOMER_BULK_ACTIONS = (GROUP_ADD_ACTION, GROUP_REMOVE_ACTION, TAG_ADD_ACTION, TAG_REMOVE_ACTION)


def group_targets(user, view):
    from steward.tags.services import groups_for_membership

    return [(group.pk, group_label(group)) for group in groups_for_membership(user)]


def this_group_target(user, view):
    """On a group's own page: the group itself (when the user may change its members)."""
    from steward.tags.services import groups_for_membership

    group = view.group()
    return [(group.pk, group_label(group))] if groups_for_membership(user).filter(pk=group.pk).exists() else []


def group_label(group) -> str:
    return f"{group.name} ({group.get_kind_display()})"


def tag_targets(user, view):
    from steward.tags.models import Tag

    tags = Tag.objects.filter(kind=Tag.Kind.MANUAL, is_active=True, category__is_active=True).select_related("category")
    return [(tag.pk, f"{tag.category.name} · {tag.name}") for tag in tags]


register_bulk_action(
    BulkAction(GROUP_ADD_ACTION, _("Add to group"), "tags:bulk_group_add", GROUP_VIEW, group_targets, "users-plus"),
    BulkAction(
        GROUP_REMOVE_ACTION, _("Remove from group"), "tags:bulk_group_remove", GROUP_VIEW, group_targets, "users-minus"
    ),
    BulkAction(
        "tags.group_remove_here",
        _("Remove from this group"),
        "tags:bulk_group_remove",
        GROUP_VIEW,
        this_group_target,
        "users-minus",
    ),
    BulkAction(TAG_ADD_ACTION, _("Add tag"), "tags:bulk_tag_add", TAG_APPLY, tag_targets, "tag"),
    BulkAction(TAG_REMOVE_ACTION, _("Remove tag"), "tags:bulk_tag_remove", TAG_APPLY, tag_targets, "tag-off"),
)
