"""Every customer has its figures row from the start, so lists sort and filter on AUM with a plain
join (no missing rows, no NULLs first). The intake, which inserts customers in SQL, adds the rows
for its new customers itself (steward/holdings/figures.py)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from steward.customers.models import Customer, CustomerFigures


@receiver(post_save, sender=Customer, dispatch_uid="customers.figures_row")
def create_figures_row(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        CustomerFigures.objects.get_or_create(customer=instance)
