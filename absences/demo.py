"""Demo absences around today for `manage.py seed_demo`: every type, some all-day, some
recurring, some with coverers and auto-reply messages. Idempotent through the sync key."""

import datetime as dt
import random

from django.utils import timezone

from absences.models import AbsenceType
from absences.services import absence_upsert_by_source

SOURCE = "demo"
MESSAGES = [
    "I am away until {until}. {coverer} covers for me.",
    "Out of office until {until}; urgent matters go to {coverer}.",
    "",
]
TITLES = {
    "vacation": ["Summer holiday", "Long weekend", "Family visit"],
    "sickness": ["Sick leave"],
    "trip": ["Customer visit", "Conference"],
    "training": ["Security training", "Language course"],
    "other": ["Moving house", "Parental leave"],
    "meeting": ["Offsite", "Planning"],
}


def _one(rng: random.Random, user, others, type_key: str, index: int, today: dt.date) -> None:
    fields = {"type": type_key, "title": rng.choice(TITLES.get(type_key, ["Away"]))}
    if type_key == "meeting":
        start = timezone.localtime(timezone.now(), user.timezone).replace(hour=10, minute=0, second=0, microsecond=0)
        start += dt.timedelta(days=rng.randrange(-3, 10))
        fields.update(start_at=start, end_at=start + dt.timedelta(hours=2))
        if rng.random() < 0.5:
            fields["recurrence"] = "FREQ=WEEKLY;COUNT=12"
    elif type_key == "training" and rng.random() < 0.6:
        start = timezone.localtime(timezone.now(), user.timezone).replace(hour=13, minute=0, second=0, microsecond=0)
        fields.update(start_at=start - dt.timedelta(days=14), end_at=start - dt.timedelta(days=14, hours=-2))
        fields.update(recurrence="FREQ=WEEKLY;INTERVAL=2;COUNT=8", recurrence_exceptions=[])
    else:
        first = today + dt.timedelta(days=rng.randrange(-20, 40))
        fields.update(start_date=first, end_date=first + dt.timedelta(days=rng.randrange(0, 10)))
    if type_key != "meeting" and others:
        fields["coverer"] = rng.choice(others)
        fields["message"] = rng.choice(MESSAGES)
    absence_upsert_by_source(source=SOURCE, source_id=f"{user.username}-{index}", user=user, **fields)


def seed(rng: random.Random, context: dict) -> None:
    """Two or three absences per demo person, cycling through every active type."""
    users = context["users"]
    type_keys = list(AbsenceType.objects.filter(is_active=True).values_list("key", flat=True))
    today = timezone.localdate()
    counter = 0
    for user in users:
        others = [u for u in users if u.pk != user.pk]
        for index in range(rng.randrange(2, 4)):
            _one(rng, user, others, type_keys[counter % len(type_keys)], index, today)
            counter += 1
