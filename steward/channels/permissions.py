from django.utils.translation import gettext_lazy as _

from steward.access.registry import MenuItem, Permission, registry

GROUP = _("Messages to customers and staff")

VIEW = "channels.message:view"  # the outbox: messages to the customers and staff in scope
SEND = "channels.message:send"  # queue messages to recipients in scope; cancel unsent ones
MANDATORY = "channels.message:mandatory"  # send mandatory notices, which pass over subscriptions
EXPORT = "channels.message:export"
RECEIPT = "channels.receipt:post"  # the SMS gateway's service account posts delivery reports
MASS_SMS_APPROVE = "channels.mass_sms:approve"  # decide mass SMS applications (MKT-14)

registry.add_permissions(
    Permission(VIEW, _("View the outbox (messages sent to customers and staff)"), GROUP, kind="menu"),
    Permission(SEND, _("Send messages and cancel unsent ones"), GROUP),
    Permission(MANDATORY, _("Send mandatory notices (regardless of subscriptions)"), GROUP, scoped=False),
    Permission(EXPORT, _("Export the outbox"), GROUP),
    Permission(RECEIPT, _("Post delivery reports (the SMS gateway's account)"), GROUP, scoped=False),
    Permission(MASS_SMS_APPROVE, _("Decide mass SMS applications"), GROUP),
)
registry.add_menu(
    MenuItem("outbox", _("Outbox"), "channels:message_list", VIEW, _("Work"), "send", 340),
)

SEED_ROLE_PERMISSIONS = {
    # An RM sees the messages to their own customers (and to themself), and may send to them.
    "relationship_manager": (VIEW, SEND),
    "team_lead": (VIEW, SEND, EXPORT, MASS_SMS_APPROVE),
    "branch_manager": (VIEW, SEND, EXPORT, MASS_SMS_APPROVE),
    "marketing_manager": (VIEW, SEND, EXPORT),
    "compliance_auditor": (VIEW, EXPORT),
}
