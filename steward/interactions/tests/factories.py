"""Test factories of the interaction record."""

import factory
from django.utils import timezone

from steward.interactions.models import Interaction


class InteractionFactory(factory.django.DjangoModelFactory):
    """A contact written directly (bypassing the services, as a feed's bulk insert does). Give
    customer=; the employee defaults to the customer's owner. Does not move last_contact_at."""

    class Meta:
        model = Interaction

    customer = None
    employee = factory.LazyAttribute(lambda o: o.customer.owner if o.customer else None)
    channel = Interaction.Channel.CALL
    direction = Interaction.Direction.OUTBOUND
    occurred_at = factory.LazyFunction(timezone.now)
    outcome = Interaction.Outcome.REACHED
    summary = factory.Sequence(lambda n: f"联系记录{n}")
    source = Interaction.Source.MANUAL
    is_contact = factory.LazyAttribute(lambda o: o.outcome in ("reached", "sent", "delivered"))
    created_by = factory.LazyAttribute(lambda o: o.employee)
