from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from steward.access.registry import registry
from steward.privacy.services import reveal


@login_required
@require_POST
def reveal_field(request, model_label, pk, field_name):
    """htmx: replace one masked value by the plain value; the reveal is audited."""
    permission = request.POST.get("permission", "")
    if permission not in registry.permissions:
        return HttpResponseBadRequest("permission is required")
    value = reveal(request.user, model_label, pk, field_name, permission)
    return HttpResponse(format_html('<span class="pii pii-revealed" data-testid="revealed">{}</span>', value))
