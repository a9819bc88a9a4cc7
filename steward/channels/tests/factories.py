"""Test factories of the channels app."""

from __future__ import annotations

import factory
from django.utils import timezone

from steward.channels.models import Channel, MessageBatch, OutboundMessage, Purpose, Status
from steward.customers.tests.factories import CustomerFactory


class MessageBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MessageBatch

    name = factory.Sequence(lambda n: f"批次{n}")
    channel = Channel.SMS
    purpose = Purpose.SERVICE


class OutboundMessageFactory(factory.django.DjangoModelFactory):
    """A message written directly (as if queued): give customer= (or employee=); the address is the
    recipient's mobile unless given."""

    class Meta:
        model = OutboundMessage

    channel = Channel.SMS
    purpose = Purpose.SERVICE
    mobile = factory.LazyAttribute(
        lambda o: (o.customer.mobile if o.customer else o.employee.mobile) if o.channel == Channel.SMS else ""
    )
    body = factory.Sequence(lambda n: f"您好，这是第{n}条通知。")
    status = Status.QUEUED
    queued_at = factory.LazyFunction(timezone.now)
    customer = None
    employee = None


class People:
    """Customers of the bank fixture, by what matters to sending (all in the north team, owned by
    the north RM, unless named otherwise)."""

    def __init__(self, bank):
        self.bank = bank
        team, rm = bank.north_team, bank.north_rm
        self.subscribed = CustomerFactory(
            org=team,
            owner=rm,
            name="张三",
            gender="M",
            mobile="13812345678",
            email="zhang.san@example.com",
            sms_subscribed=True,
            email_subscribed=True,
        )
        self.lady = CustomerFactory(
            org=team, owner=rm, name="李四", gender="F", mobile="13912345678", sms_subscribed=True
        )
        self.unsubscribed = CustomerFactory(
            org=team, owner=rm, name="王五", mobile="13712345678", email="wang@example.com", sms_subscribed=False
        )
        self.no_mobile = CustomerFactory(org=team, owner=rm, name="赵六", mobile="", sms_subscribed=True)
        self.south = CustomerFactory(
            org=bank.south_team, owner=bank.south_rm, name="孙七", mobile="13612345678", sms_subscribed=True
        )


def people_of(bank) -> People:
    return People(bank)
