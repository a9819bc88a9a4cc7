from django import template

from steward.privacy.masking import mask
from steward.privacy.services import can_unmask, pii_fields
from steward.privacy.tables import reveal_button

register = template.Library()


@register.simple_tag(takes_context=True)
def pii(context, obj, field_name, _unused_permission=""):
    """{% pii employee "mobile" %} — masked, with a reveal button if permitted.

    A third argument (the page's permission, as older templates pass) is ignored: the server
    decides which permission guards a reveal (privacy.services.REVEAL_PERMISSIONS)."""
    kind = pii_fields(type(obj)).get(field_name)
    value = getattr(obj, field_name, "")
    if not value:
        return "—"
    masked_value = mask(kind, value) if kind else value
    request = context.get("request")
    if kind and request is not None and can_unmask(request.user):
        return reveal_button(obj, field_name, masked_value)
    return masked_value
