"""Celery tasks of complaints: take ids (or nothing), call a service."""

from celery import shared_task


@shared_task
def complaints_file_pending_task() -> int:
    """File every queued Open311 report, in batches."""
    from django.core.cache import cache

    from kotapintar.complaints.services.reports import INTAKE_FLAG, complaints_file_pending

    cache.delete(INTAKE_FLAG)  # reports queued from now on schedule the next run
    filed = 0
    while batch := complaints_file_pending():
        filed += batch
    return filed
