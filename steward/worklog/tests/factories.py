import datetime as dt

import factory

from steward.testing import EmployeeFactory
from steward.worklog.models import WorkEntry, WorkItem


class WorkEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkEntry

    owner = factory.SubFactory(EmployeeFactory)
    kind = WorkEntry.Kind.PLAN
    period = WorkEntry.Period.DAY
    on = factory.LazyFunction(dt.date.today)
    title = factory.Sequence(lambda n: f"工作计划 {n}")


class WorkItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkItem

    created_by = factory.SubFactory(EmployeeFactory)
    title = factory.Sequence(lambda n: f"工作任务 {n}")
    due_on = factory.LazyFunction(lambda: dt.date.today() + dt.timedelta(days=7))
