from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "steward.privacy"
    label = "privacy"
    verbose_name = _("Personal data protection")

    def ready(self):
        from django.core import checks

        from steward.basedata import defaults as basedata_defaults
        from steward.privacy import permissions, tables  # noqa: F401  (actions; PII column for every table)
        from steward.privacy.defaults import PARAMETERS

        declared = {spec.key for spec in basedata_defaults.PARAMETERS}
        basedata_defaults.PARAMETERS.extend(spec for spec in PARAMETERS if spec.key not in declared)

        checks.register(check_pii_keys, checks.Tags.security, deploy=True)


def check_pii_keys(app_configs, **kwargs):
    import os

    from django.core.checks import Error

    missing = [name for name in ("STEWARD_PII_KEYS", "STEWARD_BLIND_INDEX_KEY") if not os.environ.get(name)]
    return [
        Error(
            f"{name} is not set: personal data cannot be encrypted in production.",
            hint="See docs/security-pii.md for generating keys.",
            id="steward.E101",
        )
        for name in missing
    ]
