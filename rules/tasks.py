"""Celery tasks of the rules app: thin wrappers around services."""

from celery import shared_task

from rules.services import rules_sweep


@shared_task(name="rules.sweep_rules", ignore_result=True)
def sweep_rules() -> dict:
    """Beat, every minute: activate and expire due one-time rules (see ``rules_sweep``)."""
    result = rules_sweep()
    return {"activated": result.activated, "expired": result.expired}
