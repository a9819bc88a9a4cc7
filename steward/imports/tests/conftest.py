from steward.customers.tests.conftest import book  # noqa: F401  (the customer import's fixtures)
