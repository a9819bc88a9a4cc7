"""The decorator every business service wears (DESIGN.md, "Shape of the code").

A service takes the acting user first. `@service` runs it in one transaction and makes that
user the actor of every audit entry written inside — also when it runs from a job or a
management command, where no request names the user.
"""

import functools

from django.db import transaction

from steward.audit.context import acting_as


def service(func):
    @functools.wraps(func)
    def wrapper(actor, *args, **kwargs):
        with acting_as(actor), transaction.atomic():
            return func(actor, *args, **kwargs)

    return wrapper
