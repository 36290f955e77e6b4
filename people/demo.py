"""Demo people and teams for `manage.py seed_demo` (deterministic for a given seed)."""

import random

from django.db import transaction

from people.models import Team, User

DEMO_PASSWORD = "standin-demo"  # noqa: S105 - a published demo credential, never used in production

# (time zone, holiday country, subdivision)
REGIONS = [
    ("Europe/Berlin", "DE", "BY"),
    ("Europe/Berlin", "DE", "BE"),
    ("America/New_York", "US", "NY"),
    ("America/Los_Angeles", "US", "CA"),
    ("Europe/London", "GB", "ENG"),
    ("Asia/Tokyo", "JP", ""),
    ("Australia/Sydney", "AU", "NSW"),
    ("Asia/Kolkata", "IN", ""),
    ("Europe/Paris", "FR", ""),
]
FIRST = [
    "Alice",
    "Bruno",
    "Chiara",
    "Dev",
    "Emma",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kavya",
    "Liam",
    "Mona",
    "Nils",
    "Olga",
    "Priya",
    "Quentin",
    "Rosa",
    "Sam",
    "Tariq",
    "Uma",
    "Viktor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoe",
    "Aiko",
    "Ben",
    "Carla",
    "Diego",
    "Elif",
    "Felix",
    "Gita",
    "Hannah",
    "Ivan",
    "Jade",
]
LAST = [
    "Smith",
    "Müller",
    "Rossi",
    "Patel",
    "Johnson",
    "Haddad",
    "Lee",
    "Tanaka",
    "García",
    "Weber",
    "Nair",
    "O'Brien",
    "Schmidt",
    "Berg",
    "Ivanova",
    "Sharma",
    "Dupont",
    "Silva",
    "Taylor",
    "Aziz",
    "Kim",
    "Novak",
]
TEAMS = [("Platform", 3), ("Support", 4), ("Sales", 2), ("Design", 1)]


@transaction.atomic
def seed(rng: random.Random, *, people: int = 36) -> dict:
    admin, _ = User.objects.get_or_create(
        username="admin", defaults={"email": "admin@example.com", "first_name": "Ada", "last_name": "Admin"}
    )
    admin.is_staff = admin.is_superuser = True
    admin.set_password(DEMO_PASSWORD)
    admin.save()

    users = []
    for index in range(people):
        first = FIRST[index % len(FIRST)]
        last = LAST[rng.randrange(len(LAST))]
        username = f"{first.lower()}{index + 1}"
        zone, country, subdivision = REGIONS[rng.randrange(len(REGIONS))]
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "email": f"{username}@example.com",
                "first_name": first,
                "last_name": last,
                "timezone": zone,
                "holiday_country": country,
                "holiday_subdivision": subdivision,
                "working_days": [0, 1, 2, 3, 4] if rng.random() > 0.15 else [0, 1, 2, 3],
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        users.append(user)

    teams = []
    per_team = max(1, len(users) // len(TEAMS))
    for index, (name, minimum) in enumerate(TEAMS):
        team, _ = Team.objects.update_or_create(name=name, defaults={"min_available": minimum})
        members = users[index * per_team : (index + 1) * per_team]
        team.members.set(members)
        team.leads.set(members[:1])
        teams.append(team)
    return {"admin": admin, "users": users, "teams": teams}
