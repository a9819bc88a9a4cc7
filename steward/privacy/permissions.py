from django.utils.translation import gettext_lazy as _

from steward.access.registry import Permission, registry

GROUP = _("Personal data protection")

registry.add_permissions(
    Permission("privacy.pii:unmask", _("Unmask personal data, one field at a time (audited)"), GROUP),
    Permission(
        "privacy.pii:bulk_unmask",
        _("Unmask personal data of many records in one request (above the bulk threshold; audited)"),
        GROUP,
    ),
    Permission("privacy.pii:export_unmasked", _("Export personal data unmasked (audited)"), GROUP),
)

SEED_ROLE_PERMISSIONS = {
    # Unmasking is for those who must verify identities; every reveal is audited. Nobody is
    # seeded with privacy.pii:bulk_unmask: it is granted deliberately, for an interface that needs it.
    "compliance_auditor": ("privacy.pii:unmask",),
    "branch_manager": ("privacy.pii:unmask",),
}
