"""The Celery task behind every import run (CUS-13): thin, it calls the service."""

from __future__ import annotations

from celery import shared_task

from steward.imports import services


@shared_task(name="steward.imports.tasks.run_import", ignore_result=True)
def run_import(run_id: int):
    run = services.execute_import(run_id)
    return run.pk if run is not None else None
