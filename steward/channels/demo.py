"""Demo messages for `manage.py seed_demo`: a service notice by SMS from the demo RM to some of
their customers (the console adapter writes them to var/outbox/sms.log; at night they are held
until the send window opens)."""

from django.utils import timezone

from steward.access.services import has_permission
from steward.channels import services
from steward.channels.models import MessageBatch
from steward.channels.permissions import SEND
from steward.customers.models import Customer
from steward.org.models import Employee

DEMO_BODY = "尊敬的{name}{title}，您好！您的客户经理{rm_name}提醒您：本月有理财产品到期，如需续作请联系我们。"


def seed_demo_channels(now=None) -> int:
    now = now or timezone.now()
    rm = Employee.objects.filter(employee_no="rm").first()
    if rm is None or MessageBatch.objects.exists() or not has_permission(rm, SEND):
        return 0
    customers = Customer.objects.visible_to(rm, SEND).filter(owner=rm).order_by("pk")[:20]
    if not customers.exists():
        return 0
    result = services.queue_messages(
        rm, "sms", customers, body=DEMO_BODY, purpose="service", batch="演示：理财到期提醒", now=now
    )
    return result.total
