from django.utils.translation import gettext_lazy as _

from steward.access.registry import Permission, registry

GROUP = _("Personal data protection")

registry.add_permissions(
    Permission("privacy.pii:unmask", _("Unmask personal data, one field at a time (audited)"), GROUP),
    Permission("privacy.pii:export_unmasked", _("Export personal data unmasked (audited)"), GROUP),
)

SEED_ROLE_PERMISSIONS = {
    # Unmasking is for those who must verify identities; every reveal is audited.
    "compliance_auditor": ("privacy.pii:unmask",),
    "branch_manager": ("privacy.pii:unmask",),
}
