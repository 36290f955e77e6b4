"""Demo routing rules for `manage.py seed_demo`: a few one-time and recurring rules (idempotent by name)."""

import datetime as dt
import random

from django.utils import timezone

from rules import services
from rules.models import Rule

PROJECTS = ["WEB", "API", "OPS", "MOBILE", "DATA"]
ISSUE_TYPES = ["Bug", "Task", "Story", "Incident"]
MESSAGES = [
    "{user} is away until {until}; {coverer} picks this up.",
    "Thanks! {user} is out of office until {until}.",
    "",
]


def seed(rng: random.Random, context: dict) -> None:
    users = list(context["users"])
    if len(users) < 3:
        return
    admin = context["admin"]
    today = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0)
    for index, user in enumerate(rng.sample(users, k=min(8, len(users)))):
        name = f"Demo rule {index + 1}"
        if Rule.objects.filter(user=user, name=name).exists():
            continue
        coverer = rng.choice([person for person in users if person.pk != user.pk])
        action = rng.choice([Rule.Action.REASSIGN, Rule.Action.REASSIGN, Rule.Action.UNASSIGN, Rule.Action.KEEP])
        fields = {
            "name": name,
            "projects": rng.sample(PROJECTS, k=rng.randint(0, 2)),
            "issue_types": rng.sample(ISSUE_TYPES, k=rng.randint(0, 1)),
            "coverer": coverer if action == Rule.Action.REASSIGN else None,
            "message": rng.choice(MESSAGES),
        }
        if index % 2 == 0:
            start = today + dt.timedelta(days=rng.randint(-3, 10))
            window = {"start_at": start, "end_at": start + dt.timedelta(days=rng.randint(1, 7))}
            services.rule_create(
                actor=admin, admin=True, user=user, kind=Rule.Kind.ONE_TIME, action=action, **fields, **window
            )
        else:
            services.rule_create(actor=user, admin=False, user=user, kind=Rule.Kind.RECURRING, action=action, **fields)
