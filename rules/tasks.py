"""Celery tasks of the rules app: thin wrappers around services."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from rules.services import rules_sweep


# The sweep is idempotent (transitions are claimed by unique rows), so a run that lost its database
# connection is simply retried; the next beat tick would catch up anyway, the retry just sooner.
@shared_task(
    name="rules.sweep_rules",
    ignore_result=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=60,
    max_retries=5,
)
def sweep_rules() -> dict:
    """Beat, every minute: activate and expire due one-time rules (see ``rules_sweep``)."""
    result = rules_sweep()
    return {"activated": result.activated, "expired": result.expired}
