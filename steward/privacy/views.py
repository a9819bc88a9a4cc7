from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from steward.privacy.services import reveal


@login_required
@require_POST
def reveal_field(request, model_label, pk, field_name):
    """htmx: replace one masked value by the plain value; the reveal is audited.

    The server decides which permission the record must be visible under
    (services.REVEAL_PERMISSIONS); a ``permission`` sent by the browser is ignored."""
    value = reveal(request.user, model_label, pk, field_name)
    return HttpResponse(format_html('<span class="pii pii-revealed" data-testid="revealed">{}</span>', value))
