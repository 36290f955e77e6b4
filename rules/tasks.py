"""Celery tasks of the rules app: thin wrappers around services."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from rules.lifecycle import transitions_notify
from rules.services import rules_sweep

# Retries of a mail outage: 1, 2, 4 … minutes apart, about two hours in all before giving up.
EMAIL_RETRIES = 7
EMAIL_RETRY_FIRST = 60


class TransitionEmailsNotSent(Exception):
    """Raised once the retries are spent: these transitions stay recorded with ``notified_at`` empty."""


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


# Enqueued after commit by whoever claimed the transitions (the sweep, a rule write). Each
# transition's emails are claimed before they are sent, so a duplicate or concurrent run sends
# nothing twice; a run retries only the transitions none of whose messages went out.
@shared_task(
    name="rules.send_transition_emails",
    bind=True,
    ignore_result=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=60,
    max_retries=EMAIL_RETRIES,
)
def send_transition_emails(self, transition_ids: list[int]) -> int:
    """Email the user and coverer of each rule transition in ``transition_ids`` (once each)."""
    result = transitions_notify(transition_ids)
    if result.retry:
        countdown = EMAIL_RETRY_FIRST * 2**self.request.retries
        failure = TransitionEmailsNotSent(f"emails of rule transitions {result.retry} not sent")
        raise self.retry(args=[result.retry], countdown=countdown, exc=failure)
    return len(result.sent)
