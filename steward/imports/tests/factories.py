import factory

from steward.imports.models import ImportRejection, ImportRun


class ImportRunFactory(factory.django.DjangoModelFactory):
    """A finished customer import check (give requested_by=; the org is the requester's)."""

    class Meta:
        model = ImportRun

    kind = "customers"
    mode = ImportRun.Mode.CHECK
    status = ImportRun.Status.SUCCEEDED
    phase = ImportRun.Phase.DONE
    file_name = factory.Sequence(lambda n: f"customers-{n}.xlsx")
    org = factory.LazyAttribute(lambda o: o.requested_by.org)
    language = "en"


class ImportRejectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportRejection

    line = factory.Sequence(lambda n: n + 2)
    column = "mobile"
    reason = "Not a mobile number."
