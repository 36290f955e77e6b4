"""Test data for the schema fuzzing run (.ci/schema), fed to ``manage.py shell``.

Schemathesis takes path parameters from the responses of list operations (its resource pool), but
it cannot create an event itself often enough: a random body rarely meets the conditional rule
"start_at and end_at, or start_date and end_date". Without events every call on
``/calendars/{calendar_pk}/events/{id}/`` was a 404 and those operations were never really tested.
So a few calendars with events (timed and all-day), a colleague and a team exist from the start;
the run may change or delete any of them, hence several of each.
"""

import datetime as dt

from calendars.models import Calendar, Event
from people.models import Team, User

fuzzer = User.objects.get(username="fuzzer")
colleague = User.objects.create_user("colleague", "colleague@example.com", first_name="Col", last_name="League")
team = Team.objects.create(name="Fuzzing team")
team.members.add(fuzzer, colleague)
team.leads.add(fuzzer)
start = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
for number in range(3):
    calendar = Calendar.objects.create(name=f"Seeded {number}", owner=fuzzer, is_public=number == 0)
    calendar.members.add(colleague)
    for day in range(4):
        begin = start + dt.timedelta(days=day + 7 * number)
        event = Event.objects.create(
            calendar=calendar,
            type="meeting",
            title=f"Meeting {day}",
            start_at=begin,
            end_at=begin + dt.timedelta(hours=1),
        )
        event.attendees.add(colleague)
    Event.objects.create(
        calendar=calendar,
        type="offsite",
        title="Offsite",
        all_day=True,
        start_date=start.date(),
        end_date=start.date() + dt.timedelta(days=1),
        start_at=start.replace(hour=0),
        end_at=start.replace(hour=0) + dt.timedelta(days=2),
    )
print(f"seeded: {Calendar.objects.count()} calendars, {Event.objects.count()} events, users fuzzer and colleague")
