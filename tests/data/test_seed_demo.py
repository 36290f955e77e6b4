"""seed_demo: the same seed gives the same organisation; it covers what the demo promises."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command

from absences.models import Absence, AbsenceType
from calendars.models import Calendar, Event
from people.models import Team, User
from rules.models import Rule

NOW = dt.datetime(2026, 11, 2, 8, 30, tzinfo=dt.UTC)


def names(users) -> list[str]:
    return sorted(user.username for user in users.all())


def organisation() -> dict:
    """Everything seed_demo makes, without database ids and write times."""
    return {
        "users": list(
            User.objects.order_by("username").values_list(
                "username", "email", "first_name", "last_name", "timezone", "holiday_country",
                "holiday_subdivision", "working_days", "is_staff",
            )
        ),
        "teams": [
            (t.name, t.min_available, names(t.members), names(t.leads))
            for t in Team.objects.order_by("name").prefetch_related("members", "leads")
        ],
        "absences": list(
            Absence.objects.order_by("source_id").values_list(
                "source", "source_id", "user__username", "type_id", "title", "start_at", "end_at", "all_day",
                "recurrence", "recurrence_exceptions", "coverer__username", "message",
            )
        ),
        "rules": list(
            Rule.objects.order_by("user__username", "name").values_list(
                "user__username", "name", "kind", "action", "projects", "issue_types", "coverer__username",
                "message", "start_at", "end_at", "status",
            )
        ),
        "calendars": [
            (c.name, c.owner.username, c.description, c.color, c.is_public, sorted(t.name for t in c.teams.all()))
            for c in Calendar.objects.order_by("name").select_related("owner").prefetch_related("teams")
        ],
        "events": [
            (e.calendar.name, e.title, e.type, e.start_at, e.end_at, e.all_day, names(e.attendees))
            for e in Event.objects.order_by("title").select_related("calendar").prefetch_related("attendees")
        ],
    }  # fmt: skip


def seed(number: int) -> dict:
    with time_machine.travel(NOW, tick=False):
        call_command("seed_demo", seed=number, people=16, stdout=io.StringIO())
    return organisation()


def wipe() -> None:
    Event.objects.all().delete()
    Calendar.objects.all().delete()
    Rule.objects.all().delete()
    Absence.objects.all().delete()
    Team.objects.all().delete()
    User.objects.all().delete()


@pytest.mark.django_db
def test_the_same_seed_builds_the_same_organisation():
    first = seed(7)
    wipe()
    assert seed(7) == first


@pytest.mark.django_db
def test_running_it_again_changes_nothing_and_another_seed_builds_another_organisation():
    first = seed(7)
    assert seed(7) == first
    wipe()
    assert seed(8)["absences"] != first["absences"]


@pytest.mark.django_db
def test_the_demo_has_every_absence_type_recurring_absences_zones_countries_rules_and_calendars():
    org = seed(2026)
    assert {row[3] for row in org["absences"]} == set(AbsenceType.objects.values_list("key", flat=True))
    assert any(row[8] for row in org["absences"]), "no recurring absence"
    assert any(row[7] for row in org["absences"]) and not all(row[7] for row in org["absences"])
    assert len({row[4] for row in org["users"]}) >= 4 and len({row[5] for row in org["users"] if row[5]}) >= 4
    assert all(team[3] and set(team[3]) <= set(team[2]) for team in org["teams"]), (
        "every team has a lead among its members"
    )
    assert {rule[2] for rule in org["rules"]} == {"one_time", "recurring"}
    assert org["calendars"] and org["events"]
    assert ("admin", True) in {(row[0], row[8]) for row in org["users"]}
