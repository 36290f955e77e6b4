import random

import pytest
from django.core.management import call_command

from calendars import demo
from calendars.models import Calendar, Event
from people import demo as people_demo

pytestmark = pytest.mark.django_db


def test_seed_makes_team_calendars_and_a_public_company_calendar(client_for):
    rng = random.Random(7)
    context = people_demo.seed(rng, people=8)
    demo.seed(rng, context)
    demo.seed(rng, context)  # running it again updates in place
    team_calendars = Calendar.objects.exclude(name=demo.COMPANY)
    assert sorted(c.name for c in team_calendars) == sorted(f"{t.name} team" for t in context["teams"])
    assert all(
        list(c.teams.all()) == [t]
        for c, t in zip(team_calendars.order_by("name"), sorted(context["teams"], key=lambda t: t.name), strict=True)
    )
    company = Calendar.objects.get(name=demo.COMPANY)
    assert company.is_public
    assert sorted(Event.objects.filter(calendar=company).values_list("type", flat=True)) == ["meeting", "release"]
    # Anyone signed in finds the company events through the search.
    client = client_for(context["users"][-1])
    first = company.events.order_by("start_at").first().start_at
    last = company.events.order_by("-end_at").first().end_at
    body = {
        "calendars": [company.pk],
        "start_ms": int(first.timestamp() * 1000) - 86_400_000,
        "end_ms": int(last.timestamp() * 1000) + 86_400_000,
    }
    response = client.post("/api/v1/events/search/", body, format="json")
    assert {e["type"] for e in response.json()["events"]} == {"meeting", "release"}


def test_seed_demo_command_runs(capsys):
    call_command("seed_demo", people=6)
    assert Calendar.objects.filter(is_public=True).count() == 1
