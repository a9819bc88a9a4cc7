"""Fixtures for the scheduling-centre tests: an administrator and throw-away jobs registered per test."""

import pytest
from celery.schedules import crontab

from steward.jobs.registry import SystemJob
from steward.jobs.registry import jobs as job_registry
from steward.testing import grant

ALL_JOB_PERMISSIONS = ("jobs.job:view", "jobs.job:change", "jobs.job:run")


@pytest.fixture
def operator(bank):
    """The bank's administrator, holding every scheduling-centre permission."""
    grant(bank.admin, *ALL_JOB_PERMISSIONS, scope="all")
    return bank.admin


@pytest.fixture
def operator_client(client, operator):
    client.force_login(operator)
    return client


@pytest.fixture
def register_job():
    """register_job(func, key="testing.job", ...) registers a job for this test only."""
    added = []

    def register(func, key="testing.job", label="Test job", schedule=None, **options):
        spec = SystemJob(key, label, func, schedule or crontab(minute="0", hour="1"), **options)
        job_registry.add(spec)
        added.append(key)
        return spec

    yield register
    for key in added:
        job_registry.remove(key)
