"""The email task of rule transitions: enqueued after commit, each transition's messages sent at most
once however often (or however concurrently) the task runs, and a failed send retried."""

import datetime as dt
import logging
import smtplib
import threading
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection, transaction

from rules.models import Rule, RuleTransition
from rules.services import rules_sweep
from rules.tasks import EMAIL_RETRIES, TransitionEmailsNotSent, send_transition_emails
from tests.conftest import requires_postgres
from tests.factories import UserFactory
from tests.rules.factories import RuleFactory

START = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)
SWEPT_AT = START + dt.timedelta(minutes=5)


def activation_subject(rule):
    return f'[Standin] Routing rule "{rule.name}" is now active'


@pytest.fixture
def due(user, other):
    """Three scheduled reassign rules of Alice, covered by Bob, whose windows have started."""
    return RuleFactory.create_batch(3, user=user, coverer=other, action=Rule.Action.REASSIGN)


def claimed_transitions(django_capture_on_commit_callbacks) -> list[int]:
    """Sweep with the email task held back; return the transitions it claimed."""
    with django_capture_on_commit_callbacks(execute=False):
        result = rules_sweep(now=SWEPT_AT)
    assert result.activated == 3
    return list(RuleTransition.objects.order_by("pk").values_list("pk", flat=True))


def sent():
    return sorted((message.to[0], message.subject) for message in mail.outbox)


@pytest.mark.django_db
def test_the_task_run_twice_sends_each_email_once(due, user, other, django_capture_on_commit_callbacks):
    ids = claimed_transitions(django_capture_on_commit_callbacks)
    assert mail.outbox == []  # the sweep itself sends nothing

    assert send_transition_emails.delay(ids).get() == 3
    assert send_transition_emails.delay(ids).get() == 0  # a redelivered or duplicated task

    expected = sorted((person.email, activation_subject(rule)) for rule in due for person in (user, other))
    assert sent() == expected
    assert "Alice Smith" in next(m.body for m in mail.outbox if m.to == [other.email])
    assert RuleTransition.objects.filter(notified_at=None).count() == 0


@pytest.mark.django_db
def test_the_sweep_enqueues_the_emails_only_when_it_commits(due):
    with pytest.raises(RuntimeError), transaction.atomic():
        rules_sweep(now=SWEPT_AT)
        raise RuntimeError("rolled back")
    assert mail.outbox == []
    assert RuleTransition.objects.count() == 0
    assert set(Rule.objects.values_list("status", flat=True)) == {"scheduled"}


def failing_first(*errors):
    """``send_messages`` of the in-memory backend that raises ``errors`` on its first calls, then works."""
    real = EmailBackend.send_messages
    calls = []

    def send(backend, messages):
        calls.append(messages)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]
        return real(backend, messages)

    return mock.patch.object(EmailBackend, "send_messages", autospec=True, side_effect=send), calls


@pytest.mark.django_db
def test_a_failing_send_is_retried_and_then_sent_once(due, user, other, django_capture_on_commit_callbacks, caplog):
    ids = claimed_transitions(django_capture_on_commit_callbacks)
    patch, calls = failing_first(smtplib.SMTPServerDisconnected("Connection unexpectedly closed"))
    with patch, caplog.at_level(logging.WARNING, logger="rules.lifecycle"):
        send_transition_emails.apply(args=[ids], throw=False)  # eager: the retry runs at once

    assert len(sent()) == 6 and len(set(sent())) == 6  # every message once, none repeated by the retry
    assert len(calls) == 7  # one refused, then six messages (the first transition's again)
    assert any("retrying" in record.getMessage() for record in caplog.records)
    assert RuleTransition.objects.filter(notified_at=None).count() == 0


@pytest.mark.django_db
def test_an_unreachable_mail_server_is_retried_for_the_whole_batch(due, django_capture_on_commit_callbacks):
    ids = claimed_transitions(django_capture_on_commit_callbacks)
    opened = []

    def open_(backend):
        opened.append(1)
        if len(opened) == 1:
            raise ConnectionRefusedError("mail server down")

    with mock.patch.object(EmailBackend, "open", autospec=True, side_effect=open_, create=True):
        send_transition_emails.apply(args=[ids], throw=False)
    assert len(opened) == 2
    assert len(mail.outbox) == 6


@pytest.mark.django_db
def test_a_refused_second_recipient_is_not_retried_so_the_first_gets_one_message(
    due, user, other, django_capture_on_commit_callbacks
):
    ids = claimed_transitions(django_capture_on_commit_callbacks)[:1]
    refused = smtplib.SMTPRecipientsRefused({other.email: (550, b"no such user")})
    real = EmailBackend.send_messages

    def send(backend, messages):
        if messages[0].to == [other.email]:
            raise refused
        return real(backend, messages)

    with mock.patch.object(EmailBackend, "send_messages", autospec=True, side_effect=send):
        send_transition_emails.apply(args=[ids], throw=False)
        send_transition_emails.apply(args=[ids], throw=False)
    assert sent() == [(user.email, activation_subject(due[0]))]
    assert RuleTransition.objects.get(pk=ids[0]).notified_at is not None


@pytest.mark.django_db
def test_when_retries_run_out_the_transitions_are_left_unannounced(due, django_capture_on_commit_callbacks):
    ids = claimed_transitions(django_capture_on_commit_callbacks)
    down = smtplib.SMTPServerDisconnected("down")
    patch, calls = failing_first(down, down, down)
    with patch:  # the last retry
        outcome = send_transition_emails.apply(args=[ids], retries=EMAIL_RETRIES, throw=False)
    assert isinstance(outcome.result, TransitionEmailsNotSent)
    assert len(calls) == 3  # each transition tried once
    assert mail.outbox == []
    # Released, not marked sent: an operator sees them in the admin (notified_at empty).
    assert RuleTransition.objects.filter(notified_at=None).count() == 3


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_the_task_run_twice_at_once_sends_each_email_once():
    users = UserFactory.create_batch(4)
    for index in range(100):
        RuleFactory(user=users[index % 4], coverer=users[(index + 1) % 4], action=Rule.Action.REASSIGN)
    with mock.patch("rules.lifecycle.transaction.on_commit"):  # hold the sweep's own enqueue back
        rules_sweep(now=SWEPT_AT)
    ids = list(RuleTransition.objects.values_list("pk", flat=True))
    barrier = threading.Barrier(2)
    counts, errors = [], []

    def run():
        try:
            barrier.wait()
            counts.append(send_transition_emails.apply(args=[ids]).get())
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(counts) == 100
    assert len(mail.outbox) == 200
    assert len({(m.to[0], m.subject, m.body) for m in mail.outbox}) == 200


@pytest.mark.django_db
def test_a_broker_that_refuses_the_task_does_not_fail_the_rule_write(
    alice_client, django_capture_on_commit_callbacks, caplog
):
    from kombu.exceptions import OperationalError as BrokerDown

    window = {"start_at": "2026-12-01T09:00:00Z", "end_at": "2026-12-05T17:00:00Z"}
    with (
        mock.patch.object(send_transition_emails, "delay", side_effect=BrokerDown("Error 111 connecting")),
        django_capture_on_commit_callbacks(execute=True),
        caplog.at_level(logging.ERROR),
        time_machine.travel(START + dt.timedelta(hours=1), tick=False),
    ):
        response = alice_client.post("/api/v1/rules/", {"kind": "one_time", "action": "keep", **window}, format="json")
    assert response.status_code == 201, response.content  # the rule is saved and active …
    assert response.json()["status"] == "active"
    assert mail.outbox == []  # … its notice could not be queued: logged, left unannounced
    assert any("on_commit" in record.getMessage() for record in caplog.records)
    assert RuleTransition.objects.get().notified_at is None


def test_a_notice_the_broker_refused_goes_out_with_a_later_sweep(
    alice_client, user, django_capture_on_commit_callbacks
):
    """Redis down past Celery's publish retries: the rule is saved, its notice stays unannounced, and
    the first sweep five minutes later (broker back) hands it to the task, which sends it once."""
    from kombu.exceptions import OperationalError as BrokerDown

    window = {"start_at": "2026-12-01T09:00:00Z", "end_at": "2026-12-05T17:00:00Z"}
    written = START + dt.timedelta(hours=1)
    with (
        mock.patch.object(send_transition_emails, "delay", side_effect=BrokerDown("Error 111 connecting")),
        django_capture_on_commit_callbacks(execute=True),
        time_machine.travel(written, tick=False),
    ):
        response = alice_client.post("/api/v1/rules/", {"kind": "one_time", "action": "keep", **window}, format="json")
    assert response.status_code == 201, response.content
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        rules_sweep(now=written + dt.timedelta(minutes=4))  # the task may still be on its way
    assert mail.outbox == []
    for minutes in (5, 6):  # caught up once; the next sweep finds it announced
        with django_capture_on_commit_callbacks(execute=True):
            rules_sweep(now=written + dt.timedelta(minutes=minutes))
    assert sent() == [(user.email, '[Standin] Routing rule "One-time rule" is now active')]
    assert RuleTransition.objects.get().notified_at is not None


@pytest.mark.django_db
def test_the_catch_up_takes_only_recent_unclaimed_transitions(user, django_capture_on_commit_callbacks):
    now = START + dt.timedelta(days=3)
    ages = {
        "just now": dt.timedelta(minutes=1),
        "ten minutes": dt.timedelta(minutes=10),
        "two days": dt.timedelta(days=2),
    }
    made = {}
    for label, age in ages.items():
        rule = RuleFactory(user=user, status=Rule.Status.ACTIVE, end_at=now + dt.timedelta(days=9))
        made[label] = RuleTransition.objects.create(rule=rule, transition="activated", at=now - age)
    claimed = RuleFactory(user=user, status=Rule.Status.ACTIVE, end_at=now + dt.timedelta(days=9))
    RuleTransition.objects.create(rule=claimed, transition="activated", at=now - ages["ten minutes"], notified_at=now)

    with django_capture_on_commit_callbacks(execute=False) as enqueued:
        rules_sweep(now=now)
    with mock.patch.object(send_transition_emails, "delay") as delay:
        for callback in enqueued:
            callback()
    assert [call.args[0] for call in delay.call_args_list] == [[made["ten minutes"].pk]]
