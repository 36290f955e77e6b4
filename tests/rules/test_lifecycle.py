"""Rule lifecycle: status from the clock on writes, and the sweep (stamps, emails exactly once, flat cost)."""

import datetime as dt
import threading

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rules.lifecycle import EMAIL_BATCH
from rules.models import Rule, RuleTransition
from rules.services import rules_sweep
from rules.tasks import sweep_rules
from tests.conftest import requires_postgres
from tests.factories import UserFactory
from tests.rules.factories import RuleFactory

URL = "/api/v1/rules/"
START = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)
END = dt.datetime(2026, 12, 5, 17, tzinfo=dt.UTC)


def payload(**extra):
    return {
        "kind": "one_time",
        "name": "Vacation",
        "start_at": START.isoformat(),
        "end_at": END.isoformat(),
        "action": "reassign",
        "coverer": "bob",
        **extra,
    }


def subjects_to(address):
    return sorted(message.subject for message in mail.outbox if address in message.to)


@pytest.mark.django_db
def test_rule_created_inside_its_window_is_active_at_once_and_sweep_expires_it(
    alice_client, user, other, django_capture_on_commit_callbacks
):
    with time_machine.travel(START + dt.timedelta(hours=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            body = alice_client.post(URL, payload()).json()
        assert body["status"] == "active"
        assert body["activated_at"] == "2026-12-01T10:00:00Z"
    # the coverer and the user each learn about the activation once
    assert subjects_to(other.email) == ['[Standin] Routing rule "Vacation" is now active']
    assert subjects_to(user.email) == ['[Standin] Routing rule "Vacation" is now active']
    assert "Alice Smith" in next(m.body for m in mail.outbox if other.email in m.to)

    with (
        time_machine.travel(END + dt.timedelta(minutes=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = rules_sweep()
    assert (result.activated, result.expired) == (0, 1)
    rule = alice_client.get(f"{URL}{body['id']}/").json()
    assert rule["status"] == "expired"
    assert rule["expired_at"] == "2026-12-05T17:01:00Z"
    assert rule["activated_at"] == "2026-12-01T10:00:00Z"
    assert len(mail.outbox) == 4
    assert subjects_to(other.email)[0].endswith("has ended")


@pytest.mark.django_db
def test_sweep_activates_then_expires_scheduled_rule(alice_client, user, other, django_capture_on_commit_callbacks):
    with time_machine.travel(START - dt.timedelta(days=1), tick=False):
        rule_id = alice_client.post(URL, payload()).json()["id"]
    assert Rule.objects.get(pk=rule_id).status == "scheduled"
    assert mail.outbox == []

    with time_machine.travel(START, tick=False), django_capture_on_commit_callbacks(execute=True):
        call_command("sweep_rules", stdout=open("/dev/null", "w"))  # noqa: SIM115
    rule = Rule.objects.get(pk=rule_id)
    assert (rule.status, rule.activated_at, rule.expired_at) == ("active", START, None)
    assert len(mail.outbox) == 2

    with time_machine.travel(END, tick=False), django_capture_on_commit_callbacks(execute=True):
        sweep_rules.delay()
    rule.refresh_from_db()
    assert (rule.status, rule.expired_at) == ("expired", END)
    assert len(mail.outbox) == 4


@pytest.mark.django_db
def test_sweep_expires_a_scheduled_rule_whose_whole_window_passed(user, django_capture_on_commit_callbacks):
    rule = RuleFactory(user=user, status=Rule.Status.SCHEDULED)
    with django_capture_on_commit_callbacks(execute=True):
        result = rules_sweep(now=END + dt.timedelta(days=1))
    rule.refresh_from_db()
    assert (result.activated, result.expired) == (0, 1)
    assert (rule.status, rule.activated_at) == ("expired", None)
    assert [m.subject for m in mail.outbox] == [f'[Standin] Routing rule "{rule.name}" has ended']


@pytest.mark.django_db
def test_sweep_leaves_disabled_and_recurring_rules_alone(user):
    disabled = RuleFactory(user=user, enabled=False, status=Rule.Status.DISABLED)
    recurring = RuleFactory(user=user, kind=Rule.Kind.RECURRING, start_at=None, end_at=None, status="active")
    result = rules_sweep(now=START + dt.timedelta(hours=1))
    assert (result.activated, result.expired) == (0, 0)
    assert Rule.objects.get(pk=disabled.pk).status == "disabled"
    assert Rule.objects.get(pk=recurring.pk).status == "active"


@pytest.mark.django_db
def test_sweep_run_twice_sends_each_email_once(user, other, django_capture_on_commit_callbacks):
    RuleFactory.create_batch(3, user=user, coverer=other, action=Rule.Action.REASSIGN)
    at = START + dt.timedelta(minutes=5)
    with django_capture_on_commit_callbacks(execute=True):
        first = rules_sweep(now=at)
    with django_capture_on_commit_callbacks(execute=True):
        second = rules_sweep(now=at + dt.timedelta(seconds=30))
    assert (first.activated, second.activated) == (3, 0)
    assert len(mail.outbox) == 6
    assert RuleTransition.objects.count() == 3


@pytest.mark.django_db
def test_toggling_does_not_repeat_notices_but_a_moved_window_is_announced_again(
    alice_client, other, django_capture_on_commit_callbacks
):
    inside = START + dt.timedelta(hours=1)
    with time_machine.travel(inside, tick=False), django_capture_on_commit_callbacks(execute=True):
        rule_id = alice_client.post(URL, payload()).json()["id"]
        assert alice_client.patch(f"{URL}{rule_id}/", {"enabled": False}).json()["status"] == "disabled"
        assert alice_client.patch(f"{URL}{rule_id}/", {"enabled": True}).json()["status"] == "active"
    assert len(subjects_to(other.email)) == 1

    with time_machine.travel(inside, tick=False), django_capture_on_commit_callbacks(execute=True):
        body = alice_client.patch(f"{URL}{rule_id}/", {"start_at": "2026-12-03T09:00:00Z"}).json()
    assert (body["status"], body["activated_at"]) == ("scheduled", None)
    with django_capture_on_commit_callbacks(execute=True):
        rules_sweep(now=dt.datetime(2026, 12, 3, 10, tzinfo=dt.UTC))
    assert Rule.objects.get(pk=rule_id).status == "active"
    assert len(subjects_to(other.email)) == 2


def _due_rules(count: int, users) -> None:
    Rule.objects.bulk_create(
        Rule(
            user=users[index % len(users)],
            coverer=users[(index + 1) % len(users)],
            kind=Rule.Kind.ONE_TIME,
            action=Rule.Action.REASSIGN,
            start_at=START,
            end_at=END if index % 2 else START + dt.timedelta(minutes=1),
            status=Rule.Status.SCHEDULED,
        )
        for index in range(count)
    )


@pytest.mark.django_db
def test_sweep_is_five_statements_for_10_and_1000_due_rules_and_emails_go_in_batches(
    django_capture_on_commit_callbacks,
):
    users = UserFactory.create_batch(4)
    for count in (10, 1000):
        Rule.objects.all().delete()
        mail.outbox.clear()
        _due_rules(count, users)
        with django_capture_on_commit_callbacks() as enqueued, CaptureQueriesContext(connection) as queries:
            result = rules_sweep(now=START + dt.timedelta(minutes=5))
        assert result.activated + result.expired == count
        statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]  # the test's transaction
        # Two claim inserts, two guarded updates, the catch-up read: nothing composed in the sweep.
        assert len(statements) == 5
        assert mail.outbox == []
        assert len(enqueued) == -(-count // EMAIL_BATCH)  # one email task a batch of transitions

        with CaptureQueriesContext(connection) as task_queries:
            for callback in enqueued:
                callback()
        assert len(task_queries) == 2 * len(enqueued)  # each task: the claim, then one read
        assert len(mail.outbox) == 2 * count


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_racing_send_each_email_once():
    users = UserFactory.create_batch(4)
    _due_rules(200, users)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def sweep():
        try:
            barrier.wait()
            results.append(rules_sweep(now=START + dt.timedelta(minutes=5)))
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(results) == 2
    assert sum(r.activated + r.expired for r in results) == 200
    assert len(mail.outbox) == 400
    assert len({(m.to[0], m.subject, m.body) for m in mail.outbox}) == 400
    assert RuleTransition.objects.count() == 200
    assert set(Rule.objects.values_list("status", flat=True)) == {"active", "expired"}
