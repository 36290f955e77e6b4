"""Demo calendars for `manage.py seed_demo`: one per team and a public company calendar."""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from calendars import services
from calendars.models import Calendar, Event

TEAM_COLORS = ["#2563eb", "#16a34a", "#d97706", "#9333ea", "#0891b2", "#db2777"]
COMPANY = "Company"


@transaction.atomic
def seed(rng: random.Random, context: dict) -> None:
    admin = context["admin"]
    for index, team in enumerate(context["teams"]):
        calendar = Calendar.objects.filter(name=f"{team.name} team", owner=admin).first()
        if calendar is None:
            calendar = services.calendar_create(
                actor=admin, admin=True, name=f"{team.name} team", color=TEAM_COLORS[index % len(TEAM_COLORS)]
            )
        services.calendar_update(
            calendar=calendar,
            actor=admin,
            admin=True,
            description=f"Who in {team.name} is out, and the team's own events.",
            teams=[team],
        )
    company = Calendar.objects.filter(name=COMPANY, owner=admin).first() or services.calendar_create(
        actor=admin, admin=True, name=COMPANY, color="#475569", is_public=True
    )
    services.calendar_update(
        calendar=company, actor=admin, admin=True, description="Releases and all-hands meetings.", is_public=True
    )
    _seed_events(rng, company, context["users"])


def _seed_events(rng: random.Random, calendar: Calendar, users: list) -> None:
    if Event.objects.filter(calendar=calendar).exists():
        return
    today = timezone.localdate()
    release_day = today + dt.timedelta(days=rng.randrange(7, 21))
    services.event_create(
        calendar=calendar,
        title="Release 4.2",
        type="release",
        description="Code freeze the day before.",
        times=services.event_times(start_date=release_day, end_date=release_day, all_day=True),
    )
    meeting_day = today + dt.timedelta(days=rng.randrange(1, 10))
    start = dt.datetime.combine(meeting_day, dt.time(15, 0), tzinfo=dt.UTC)
    services.event_create(
        calendar=calendar,
        title="All-hands meeting",
        type="meeting",
        times=services.event_times(start_at=start, end_at=start + dt.timedelta(hours=1), all_day=False),
        attendees=rng.sample(users, k=min(5, len(users))),
    )
