"""Celery tasks of the absences app: thin wrappers around services."""

from celery import shared_task

from absences.changes import changes_prune


@shared_task(name="absences.prune_changes", ignore_result=True)
def prune_changes() -> int:
    """Beat, daily: drop change-feed rows older than the kept history (90 days). Idempotent."""
    return changes_prune()
