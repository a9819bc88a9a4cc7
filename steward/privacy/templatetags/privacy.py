from django import template

from steward.privacy.masking import mask
from steward.privacy.services import can_unmask, pii_fields
from steward.privacy.tables import reveal_button

register = template.Library()


@register.simple_tag(takes_context=True)
def pii(context, obj, field_name, view_permission=""):
    """{% pii employee "mobile" "org.employee:view" %} — masked, with a reveal button if permitted."""
    kind = pii_fields(type(obj)).get(field_name)
    value = getattr(obj, field_name, "")
    if not value:
        return "—"
    masked_value = mask(kind, value) if kind else value
    request = context.get("request")
    if kind and request is not None and can_unmask(request.user):
        return reveal_button(obj, field_name, masked_value, view_permission)
    return masked_value
