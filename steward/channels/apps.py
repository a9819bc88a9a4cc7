from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "steward.channels"
    label = "channels"
    verbose_name = _("Messages to customers and staff")

    def ready(self):
        from steward.basedata import defaults as basedata_defaults
        from steward.channels import jobs, permissions  # noqa: F401  (menus, actions, the release job)
        from steward.channels.defaults import PARAMETERS
        from steward.channels.services import register_audit_labels

        declared = {spec.key for spec in basedata_defaults.PARAMETERS}
        basedata_defaults.PARAMETERS.extend(spec for spec in PARAMETERS if spec.key not in declared)
        register_audit_labels()

        from steward.channels.mass_sms import register_types

        register_types()  # the mass SMS application (MKT-14)

        # The outbox's addresses are revealed under the outbox's own permission (PLT-13).
        from steward.privacy.services import REVEAL_PERMISSIONS

        REVEAL_PERMISSIONS.setdefault("channels.outboundmessage", permissions.VIEW)

        # CUS-12: a merge leaves a merged customer's messages where they are (they went to that
        # number); an unsent one is refused at send time ("merged into another customer").
        from steward.customers.merging import MERGE_RULES

        MERGE_RULES.setdefault(
            "channels.OutboundMessage.customer", "stays: sent to that customer number; unsent ones are refused"
        )
