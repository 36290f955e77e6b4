"""A small organisation whose one user, the *owner*, holds one of everything, and six callers.

The owner's objects carry marker strings (``SECRET-…``) that no one else may ever read: the visibility
matrix checks that they appear where the caller is entitled and nowhere else.
"""

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.forms.models import model_to_dict

from absences.models import Absence
from absences.services import absence_create
from calendars.models import Calendar, Event, PersonalFeed
from rules.models import RoutingSettings, Rule, UserRoutingPreference
from tests.calendars.factories import CalendarFactory, EventFactory
from tests.factories import TeamFactory, UserFactory
from tests.rules.factories import RuleFactory
from tokens.models import APIToken, TokenSettings
from tokens.services import token_create

# The absence is "now" at AT (used by coverage questions); the rule's window is later, so coverage
# answers (which show rules to everyone by design, docs/coverage.md) never carry it.
AT = "2026-12-02T12:00:00Z"
ABSENCE_START = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)
RULE_START = dt.datetime(2027, 1, 10, 9, tzinfo=dt.UTC)

SECRETS = {
    "absence title": "SECRET-ABSENCE-TITLE",
    "absence message": "SECRET-ABSENCE-MESSAGE",
    "absence reason": "SECRET-ABSENCE-REASON",
    "rule name": "SECRET-RULE-NAME",
    "rule message": "SECRET-RULE-MESSAGE",
    "token name": "SECRET-TOKEN-NAME",
    "calendar name": "SECRET-CALENDAR-NAME",
    "calendar description": "SECRET-CALENDAR-DESCRIPTION",
    "event title": "SECRET-EVENT-TITLE",
    "exclusion filter": "SECRETPROJECT",
}

CALLERS = ("owner", "other", "lead", "admin", "staff", "limited")


@dataclass
class World:
    owner: object
    other: object
    lead: object
    admin: object
    staff: object
    team: object
    absence: Absence
    rule: Rule
    token: APIToken
    calendar: Calendar
    limited_calendar: Calendar
    event: Event
    personal_feed: PersonalFeed
    secrets: dict = field(default_factory=dict)

    def snapshot(self) -> dict:
        """Every stored value of the owner's objects and of the shared settings."""
        rows = {
            "absence": Absence.objects.filter(pk=self.absence.pk).first(),
            "rule": Rule.objects.filter(pk=self.rule.pk).first(),
            "token": APIToken.objects.filter(pk=self.token.pk).first(),
            "calendar": Calendar.objects.filter(pk=self.calendar.pk).first(),
            "event": Event.objects.filter(pk=self.event.pk).first(),
            "preference": UserRoutingPreference.objects.filter(user=self.owner).first(),
            "feed": PersonalFeed.objects.filter(user=self.owner).first(),
            "routing": RoutingSettings.get_solo(),
            "token settings": TokenSettings.get_solo(),
        }
        data = {name: model_to_dict(row) if row else None for name, row in rows.items()}
        owner = type(self.owner).objects.get(pk=self.owner.pk)
        data["schedule"] = (str(owner.timezone), list(owner.working_days), owner.holiday_country)
        data["team"] = (self.team.name, sorted(self.team.members.values_list("pk", flat=True)))
        return data


@pytest.fixture
def world(db) -> World:
    owner = UserFactory(username="owner", first_name="Olive", last_name="Owner", timezone="Europe/Berlin")
    other = UserFactory(username="other", first_name="Otto", last_name="Other")
    lead = UserFactory(username="lead", first_name="Lea", last_name="Lead")
    admin = UserFactory(username="admin", first_name="Ada", last_name="Admin", is_staff=True)
    staff = UserFactory(username="staff", first_name="Stan", last_name="Staff", is_staff=True)
    team = TeamFactory(name="Team T", members=[owner], leads=[lead])
    # Through the service, as the API would: whatever an absence write records (history, the change
    # feed) exists for the world's absence too.
    absence = absence_create(
        user=owner,
        type="sickness",  # private: only the owner, their lead and admins see its details
        title=SECRETS["absence title"],
        message=SECRETS["absence message"],
        reason=SECRETS["absence reason"],
        start_at=ABSENCE_START,
        end_at=ABSENCE_START + dt.timedelta(days=2),
        source="hr",
        source_id="owner-1",
    )
    rule = RuleFactory(
        user=owner,
        name=SECRETS["rule name"],
        message=SECRETS["rule message"],
        start_at=RULE_START,
        end_at=RULE_START + dt.timedelta(days=2),
    )
    token, _ = token_create(user=owner, name=SECRETS["token name"], scopes=["read"])
    calendar = CalendarFactory(
        owner=owner, name=SECRETS["calendar name"], description=SECRETS["calendar description"], members=[owner]
    )
    limited_calendar = CalendarFactory(owner=owner, name="Limited calendar")
    event = EventFactory(calendar=calendar, title=SECRETS["event title"], start_at=ABSENCE_START)
    UserRoutingPreference.objects.create(user=owner, exclusion_filter=f"project = {SECRETS['exclusion filter']}")
    personal_feed = PersonalFeed.objects.create(user=owner)
    secrets = {
        **SECRETS,
        "calendar feed key": calendar.feed_key,
        "personal feed key": personal_feed.feed_key,
    }
    return World(
        owner, other, lead, admin, staff, team, absence, rule, token, calendar, limited_calendar, event,
        personal_feed, secrets,
    )  # fmt: skip


@pytest.fixture
def caller_client(client_for, world):
    """``caller_client(name)``: the API client of one of the six callers, with a real bearer token."""

    def make(name: str):
        if name == "owner":
            return client_for(world.owner)
        if name == "other":
            return client_for(world.other)
        if name == "lead":
            return client_for(world.lead)
        if name == "admin":
            return client_for(world.admin)  # staff: read, write, delete and admin
        if name == "staff":
            return client_for(world.staff, scopes=["read", "write", "delete"])  # staff acting as a plain user
        if name == "limited":
            return client_for(world.owner, calendar_ids=[world.limited_calendar.pk])
        raise ValueError(name)

    return make


def pytest_terminal_summary(terminalreporter):
    """Print how many matrix and mass-assignment cases ran (and passed) in this session."""
    from tests.security import test_mass_assignment, test_scopes_everywhere, test_visibility_matrix

    lines = []
    for name, module, total in (
        ("visibility matrix", test_visibility_matrix, len(test_visibility_matrix.MATRIX)),
        ("mass assignment", test_mass_assignment, len(test_mass_assignment.CASES)),
        ("scopes everywhere", test_scopes_everywhere, len(test_scopes_everywhere.SCOPE_CASES)),
    ):
        ran = len(module.RESULTS)
        if ran:
            lines.append(f"{name}: {ran} of {total} cases ran, {module.PASSED.count(True)} passed")
    if lines:
        terminalreporter.write_sep("-", "security cases")
        for line in lines:
            terminalreporter.write_line(line)
