"""The Celery task that sends messages (INT-05): thin, it calls the service."""

from __future__ import annotations

from celery import shared_task

from steward.channels import services


@shared_task(name="steward.channels.tasks.send_messages", ignore_result=True)
def send_messages(message_ids: list[int], now_iso: str | None = None, handed_iso: str | None = None):
    """Send each due message of `message_ids`; a failure is recorded on its message, never raised."""
    return services.send_messages(message_ids, now=services.business_now(now_iso, handed_iso))
