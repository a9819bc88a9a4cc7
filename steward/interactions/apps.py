from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteractionsConfig(AppConfig):
    name = "steward.interactions"
    label = "interactions"
    verbose_name = _("Contacts")

    def ready(self):
        from steward.customers.services import register_service_history_source
        from steward.interactions import (  # noqa: F401  (menus, actions, the channels' receiver, the CTI job)
            calendar,
            calls_merging,
            channel_messages,
            jobs,
            permissions,
        )
        from steward.interactions.history import contact_events

        # The 360° view's service history shows the contacts (CUS-02, SVC-05).
        register_service_history_source(contact_events)
