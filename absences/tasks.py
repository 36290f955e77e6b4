"""Celery tasks of the absences app: thin wrappers around services."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from absences.changes import changes_prune


# Pruning is idempotent, so a run that lost its database connection is simply retried.
@shared_task(
    name="absences.prune_changes",
    ignore_result=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=60,
    max_retries=5,
)
def prune_changes() -> int:
    """Beat, daily: drop change-feed rows older than the kept history (90 days). Idempotent."""
    return changes_prune()
