"""Signals of the channels (INT-05).

``message_settled`` is sent once for each message when its outcome is final — delivered, sent (on
a channel without delivery reports, or when no report came in time), failed, refused or
cancelled — and once more when a late delivery report turns a message settled as sent into
delivered or failed, with ``message_ids`` (a list) and ``statuses`` ({id: final status}), ``now`` (when they
were settled) and ``sender=OutboundMessage``. Receivers must therefore be idempotent and take the
latest status as the truth. Receivers (the interaction record logs one contact
per recipient) run inside the settling transaction, in a savepoint: a receiver that fails is
logged and undoes nothing of the settlement (a message that went out stays sent).
"""

from django.dispatch import Signal

message_settled = Signal()
