import django_filters
from django.utils.translation import gettext_lazy as _

from steward.access.models import Role
from steward.core.filters import StewardFilterSet


class RoleFilterSet(StewardFilterSet):
    search_fields = ("code__icontains", "name__icontains", "name_en__icontains")
    is_active = django_filters.BooleanFilter(label=_("active"))

    class Meta:
        model = Role
        fields = ["q", "is_active"]
