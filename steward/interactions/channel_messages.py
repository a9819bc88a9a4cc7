"""Messages sent through Steward's channels are contacts (SVC-05, INT-05): when a message to a
customer settles as sent, delivered or failed, one interaction per recipient is recorded — set-
based, idempotent on the message (a settlement announced twice records nothing more; a late
delivery report that turns "sent" into "delivered" or "failed" corrects the recorded outcome). A message
refused or cancelled before sending never touched the customer: no row."""

from __future__ import annotations

from django.dispatch import receiver

from steward.channels.signals import message_settled

# channel → (interaction channel, interaction source)
CHANNELS = {"sms": ("sms", "sms"), "email": ("email", "email"), "push": ("app_push", "push")}
TOUCHED = {"sent": "sent", "delivered": "delivered", "failed": "failed"}
SUMMARY_CHARS = 200


def message_reference(pk: int) -> str:
    return f"message:{pk}"


@receiver(message_settled, dispatch_uid="interactions.log_settled_messages")
def log_settled_messages(sender, message_ids, statuses, now, **kwargs) -> int:
    from steward.channels.models import OutboundMessage
    from steward.interactions.services import record_automatic

    touched = [pk for pk in message_ids if statuses.get(pk) in TOUCHED]
    if not touched:
        return 0
    rows_by_source: dict[str, list[dict]] = {}
    messages = (
        OutboundMessage.objects.filter(pk__in=touched, customer__isnull=False)
        .values_list("pk", "customer_id", "channel", "created_by_id", "subject", "body", "sent_at")
        .iterator(chunk_size=2000)
    )
    for pk, customer_id, channel, sender_id, subject, body, sent_at in messages:
        interaction_channel, source = CHANNELS[channel]
        text = subject or body
        rows_by_source.setdefault(source, []).append(
            {
                "customer_id": customer_id,
                "employee_id": sender_id,
                "channel": interaction_channel,
                "direction": "outbound",
                "occurred_at": sent_at or now,
                "outcome": TOUCHED[statuses[pk]],
                "summary": text[:SUMMARY_CHARS],
                "external_ref": message_reference(pk),
            }
        )
    recorded = sum(record_automatic(rows, source=source, now=now) for source, rows in rows_by_source.items())
    _correct_outcomes(rows_by_source)
    return recorded


def _correct_outcomes(rows_by_source: dict[str, list[dict]]) -> None:
    """A late delivery report settles a message again (sent → delivered or failed): the contact
    already recorded for it takes the new outcome, one UPDATE per (source, outcome)."""
    from steward.interactions.models import Interaction
    from steward.interactions.services import CONTACT_OUTCOMES

    for source, rows in rows_by_source.items():
        by_outcome: dict[str, list[str]] = {}
        for row in rows:
            by_outcome.setdefault(row["outcome"], []).append(row["external_ref"])
        for outcome, refs in by_outcome.items():
            for start in range(0, len(refs), 1000):
                Interaction.objects.filter(source=source, external_ref__in=refs[start : start + 1000]).exclude(
                    outcome=outcome
                ).update(outcome=outcome, is_contact=outcome in CONTACT_OUTCOMES)
