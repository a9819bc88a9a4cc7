"""Deployment checks of the audit trail (PLT-07): its HMAC keys and its anchor sinks."""

import os

from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured


@register(Tags.security, deploy=True)
def audit_keys_configured(app_configs=None, **kwargs):
    from steward.audit import keys

    if not keys.configured():
        return [
            Error(
                f"{keys.ENV} is not set: production cannot write or verify the audit trail without its HMAC key.",
                hint="Set it to 'a1:<base64 of 32 random bytes>' (docs/audit.md).",
                id="steward.E701",
            )
        ]
    try:
        keys.parse_keys(os.environ[keys.ENV])
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="steward.E702")]
    return []


@register(Tags.security)
def audit_anchor_sinks(app_configs=None, **kwargs):
    from steward.audit.anchors import check_sink, configured_sinks

    problems = []
    for sink in configured_sinks():
        try:
            check_sink(sink)
        except ImproperlyConfigured as exc:
            problems.append(Error(str(exc), id="steward.E703"))
    return problems
