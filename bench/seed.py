"""Seeding the benchmark database: a believable organisation, reproducible from a seed, with ``bulk_create``.

The shape (see ``docs/performance.md``): people in teams of 50 across six zones and a few holiday
regions; absences at a steady rate of ``ABSENCES_PER_PERSON_YEAR`` per person, so more absences mean
a longer history (at most ``MAX_FUTURE`` of it lies ahead); 1 % of them weekly series; routing rules
for a fifth of the people; one calendar of 500 members (250 direct, five teams); ``CHAINS``
assignee → coverer → coverer triples for the resolve scenario; an admin with an ``admin`` token.
"""

import datetime as dt
import json
import random
from dataclasses import dataclass, field
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.db import connection

from absences.models import Absence
from absences.recurrence import series_end
from calendars.models import Calendar, Event
from people.models import Team, User
from rules.models import RoutingSettings, Rule
from tokens.services import token_create

ZONES = ["Europe/Berlin", "Europe/London", "America/New_York", "America/Los_Angeles", "Asia/Kolkata", "UTC"]
# Most people have no holiday region; the rest spread over a few (country, subdivision) pairs.
REGIONS = [("", "")] * 6 + [("DE", "BY"), ("DE", ""), ("GB", ""), ("US", "CA"), ("US", ""), ("FR", "")]
FIRST_NAMES = ["Ada", "Ben", "Chen", "Dana", "Emil", "Fatima", "Gus", "Hana", "Ivo", "Jon", "Kira", "Lea"]
LAST_NAMES = ["Abe", "Berg", "Costa", "Diaz", "Eng", "Fox", "Gray", "Holt", "Ito", "Jung", "Kaur", "Lund"]
ABSENCES_PER_PERSON_YEAR = 12
MAX_FUTURE = dt.timedelta(days=180)
TEAM_SIZE = 50
CALENDAR_DIRECT = 250
CALENDAR_TEAMS = 5
CHAINS = 100
BATCH = 5000
TOKEN_RATE_LIMIT = 1_000_000_000  # rate limiting runs on every request, but never throttles the bench
EXCLUSION_FILTER = 'labels = "no-route" OR project = SANDBOX'

# (type, weight, all day, shortest, longest): all-day lengths in days, timed ones in hours.
KINDS = [
    ("vacation", 40, True, 1, 10),
    ("sickness", 22, True, 1, 3),
    ("training", 10, True, 1, 2),
    ("trip", 10, False, 8, 72),
    ("meeting", 12, False, 1, 3),
    ("other", 6, False, 2, 8),
]


@dataclass
class Organisation:
    """What the scenarios need to know about the seeded data."""

    now: dt.datetime
    admin: User
    token: str
    people: list[int]
    teams: list[int]
    calendar: int
    chains: list[tuple[int, int, int]] = field(default_factory=list)
    absences: int = 0
    span_days: float = 0.0


def seed(*, people: int, absences: int, rng: random.Random, now: dt.datetime) -> Organisation:
    """Fill the (empty, migrated) benchmark database. ``people`` includes the chain users."""
    users = _people(people, rng)
    admin = User.objects.create(username="bench-admin", email="admin@bench.example", is_staff=True, is_superuser=True)
    teams = _teams(users)
    chains = _chain_users(users)
    chain_cs = {c for _, _, c in chains}
    owners = [u for u in users if u.pk not in chain_cs]
    span = _timeline(absences, len(owners))
    _absences(absences, owners, rng, now=now, span=span)
    _rules(owners, rng, now=now, span=span)
    _chains(chains, now)
    calendar = _calendar(admin, users, teams, rng, now=now, span=span)
    _, raw = token_create(
        user=admin, name="bench", scopes=["read", "write", "delete", "admin"], rate_limit_per_hour=TOKEN_RATE_LIMIT
    )
    routing = RoutingSettings.get_solo()
    routing.default_exclusion_filter = EXCLUSION_FILTER
    routing.save()
    _analyze()
    return Organisation(
        now=now,
        admin=admin,
        token=raw,
        people=[u.pk for u in owners],
        teams=[t.pk for t in teams],
        calendar=calendar.pk,
        chains=chains,
        absences=absences,
        span_days=span.total_seconds() / 86400,
    )


def organisation_from_database() -> Organisation:
    """The :class:`Organisation` of a database ``seed`` filled earlier (``bench --reuse-database``).

    Everything is read back from the rows ``seed`` wrote: ``now`` from the chains' one-time rules
    (they start a day before it), the people in seeding order (by username, chain coverers C left
    out), the chains from their rules. The raw token is not stored anywhere, so the admin gets a
    new one; reply-log rows of earlier runs are cleared so every run claims its replies afresh.
    """
    from coverage.models import ReplyLog

    admin = User.objects.get(username="bench-admin")
    pay_rules = Rule.objects.filter(kind=Rule.Kind.ONE_TIME, projects=["PAY"], user__username__startswith="u")
    firsts = dict(pay_rules.values_list("user_id", "coverer_id"))
    bug_rules = Rule.objects.filter(kind=Rule.Kind.RECURRING, issue_types=["Bug"])
    seconds = dict(bug_rules.values_list("user_id", "coverer_id"))
    chains = sorted((a, b, seconds[b]) for a, b in firsts.items() if b in seconds)
    if not chains:
        raise LookupError("no bench chains here: was this database seeded by `manage.py bench`?")
    now = pay_rules.order_by("pk").values_list("start_at", flat=True).first() + dt.timedelta(days=1)
    finals = {c for _, _, c in chains}
    people = [
        pk
        for pk in User.objects.filter(username__startswith="u").order_by("username").values_list("pk", flat=True)
        if pk not in finals
    ]
    _, raw = token_create(
        user=admin, name="bench", scopes=["read", "write", "delete", "admin"], rate_limit_per_hour=TOKEN_RATE_LIMIT
    )
    ReplyLog.objects.filter(issue_key__startswith="PAY-").delete()
    return Organisation(
        now=now,
        admin=admin,
        token=raw,
        people=people,
        teams=list(Team.objects.order_by("pk").values_list("pk", flat=True)),
        calendar=Calendar.objects.filter(owner=admin).values_list("pk", flat=True).get(),
        chains=chains,
        absences=Absence.objects.count() - 2 * len(chains),
    )


def _people(count: int, rng: random.Random) -> list[User]:
    users = []
    for index in range(count):
        country, subdivision = rng.choice(REGIONS)
        users.append(
            User(
                username=f"u{index:05d}",
                email=f"u{index:05d}@bench.example",
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
                password="!",  # noqa: S106 - an unusable password: nobody signs in here
                timezone=ZoneInfo(ZONES[index % len(ZONES)]),
                holiday_country=country,
                holiday_subdivision=subdivision,
            )
        )
    User.objects.bulk_create(users, batch_size=BATCH)
    by_name = dict(User.objects.filter(username__startswith="u").values_list("username", "pk"))
    for user in users:
        user.pk = user.id = by_name[user.username]
    return users


def _teams(users: list[User]) -> list[Team]:
    """Consecutive blocks of ``TEAM_SIZE`` people; the first of each block leads it."""
    blocks = [users[i : i + TEAM_SIZE] for i in range(0, len(users), TEAM_SIZE)]
    teams = Team.objects.bulk_create(
        [Team(name=f"Team {n:04d}", min_available=int(len(block) * 0.8)) for n, block in enumerate(blocks)]
    )
    members = [
        Team.members.through(team_id=t.pk, user_id=u.pk) for t, block in zip(teams, blocks, strict=True) for u in block
    ]
    Team.members.through.objects.bulk_create(members, batch_size=BATCH)
    Team.leads.through.objects.bulk_create(
        [Team.leads.through(team_id=t.pk, user_id=b[0].pk) for t, b in zip(teams, blocks, strict=True)]
    )
    return teams


def _chain_users(users: list[User]) -> list[tuple[int, int, int]]:
    """The last ``3 * CHAINS`` people form (assignee, first coverer, final coverer) triples."""
    count = min(CHAINS, len(users) // 10)
    tail = users[len(users) - 3 * count :]
    return [(tail[3 * i].pk, tail[3 * i + 1].pk, tail[3 * i + 2].pk) for i in range(count)]


def _timeline(absences: int, owners: int) -> dt.timedelta:
    """How much history ``absences`` make at the steady per-person rate (at least a day)."""
    years = absences / max(owners, 1) / ABSENCES_PER_PERSON_YEAR
    return max(dt.timedelta(days=years * 365), dt.timedelta(days=1))


def _window(now: dt.datetime, span: dt.timedelta) -> tuple[dt.datetime, float]:
    future = min(span / 2, MAX_FUTURE)
    return now - (span - future), span.total_seconds()


# Columns every seeded absence sets; the rest keep their defaults.
ABSENCE_DEFAULTS = {
    "title": "",
    "all_day": False,
    "start_date": None,
    "end_date": None,
    "message": "",
    "coverer_id": None,
    "approval_delegate_id": None,
    "reason": "",
    "source": None,
    "source_id": None,
    "recurrence": "",
    "recurrence_exceptions": [],
}


def _absences(count: int, owners: list[User], rng: random.Random, *, now: dt.datetime, span: dt.timedelta) -> None:
    """``count`` absences, round-robin over ``owners``, in batches: ``COPY`` on PostgreSQL (the
    bulk load is most of a 1M run otherwise), ``bulk_create`` elsewhere. Same rows either way."""
    first, seconds = _window(now, span)
    weights = [k[1] for k in KINDS]
    batch: list[dict] = []
    for index in range(count):
        owner = owners[index % len(owners)]
        moment = first + dt.timedelta(seconds=rng.random() * seconds)
        row = dict(ABSENCE_DEFAULTS, user_id=owner.pk, created_at=now, updated_at=now)
        if rng.random() < 0.01:
            row.update(_series(owner, moment, rng, now))
        else:
            row.update(_one_off(owner, moment, rng.choices(KINDS, weights)[0], rng))
        row["coverer_id"] = _teammate(owner, owners, rng) if rng.random() < 0.6 else None
        if rng.random() < 0.5:
            row["message"] = "I am away until {until}." + (" {coverer} covers for me." if row["coverer_id"] else "")
        if rng.random() < 0.3:
            row["source"], row["source_id"] = "hr", str(index)
        batch.append(row)
        if len(batch) >= BATCH:
            _insert_absences(batch)
            batch = []
    if batch:
        _insert_absences(batch)


def _insert_absences(rows: list[dict]) -> None:
    if connection.vendor != "postgresql":
        Absence.objects.bulk_create([Absence(**row) for row in rows])
        return
    columns = list(rows[0])
    table = Absence._meta.db_table
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row([json.dumps(v) if isinstance(v, list) else v for v in row.values()])


def _one_off(owner: User, moment: dt.datetime, kind: tuple, rng: random.Random) -> dict:
    key, _, all_day, shortest, longest = kind
    zone = owner.timezone
    length = rng.randint(shortest, longest)
    if all_day:
        first = moment.astimezone(zone).date()
        last = first + dt.timedelta(days=length - 1)
        start = dt.datetime.combine(first, dt.time.min, tzinfo=zone).astimezone(dt.UTC)
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone).astimezone(dt.UTC)
        title = f"{key.title()} of {owner.first_name}"
        return {"type_id": key, "start_at": start, "end_at": end, "series_end_at": end, "all_day": True,
                "start_date": first, "end_date": last, "title": title}  # fmt: skip
    local = moment.astimezone(zone).replace(hour=rng.randint(7, 15), minute=0, second=0, microsecond=0)
    start = local.astimezone(dt.UTC)
    end = start + dt.timedelta(hours=length)
    return {"type_id": key, "start_at": start, "end_at": end, "series_end_at": end, "title": key.title()}


def _series(owner: User, moment: dt.datetime, rng: random.Random, now: dt.datetime) -> dict:
    """A weekly afternoon off on the weekday of ``moment``: 4 to 26 times, or endless."""
    local = moment.astimezone(owner.timezone).replace(hour=13, minute=0, second=0, microsecond=0)
    day = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][local.weekday()]
    # Standing arrangements (endless) are current ones: one in ten series of the last year. Older
    # arrangements have ended, so their number follows the people, not the length of history.
    endless = moment > now - dt.timedelta(days=365) and rng.random() < 0.1
    rule = f"FREQ=WEEKLY;BYDAY={day}" + ("" if endless else f";COUNT={rng.randint(4, 26)}")
    start = local.astimezone(dt.UTC)
    end = start + dt.timedelta(hours=4)
    shape = SimpleNamespace(user=owner, recurrence=rule, start_at=start, end_at=end, all_day=False)
    return {"type_id": "other", "start_at": start, "end_at": end, "recurrence": rule, "title": "Afternoon off",
            "series_end_at": series_end(shape)}  # fmt: skip


def _teammate(owner: User, owners: list[User], rng: random.Random) -> int:
    index = (owner.pk * 7 + rng.randrange(1, TEAM_SIZE)) % len(owners)
    mate = owners[index]
    return mate.pk if mate.pk != owner.pk else owners[(index + 1) % len(owners)].pk


def _status(start: dt.datetime, end: dt.datetime, now: dt.datetime) -> str:
    if now < start:
        return Rule.Status.SCHEDULED
    return Rule.Status.ACTIVE if now < end else Rule.Status.EXPIRED


def _rules(owners: list[User], rng: random.Random, *, now: dt.datetime, span: dt.timedelta) -> None:
    """A recurring rule for 15 % of the people, a one-time one (past, running or ahead) for 5 %."""
    first, seconds = _window(now, span)
    rules = []
    for owner in owners:
        draw = rng.random()
        if draw < 0.15:
            rules.append(
                Rule(
                    user_id=owner.pk,
                    kind=Rule.Kind.RECURRING,
                    action=Rule.Action.REASSIGN,
                    coverer_id=_teammate(owner, owners, rng),
                    projects=["OPS"] if draw < 0.05 else [],
                    status=Rule.Status.ACTIVE,
                    message="Routed to {coverer}.",
                )
            )
        elif draw < 0.20:
            start = first + dt.timedelta(seconds=rng.random() * seconds)
            end = start + dt.timedelta(days=rng.randint(1, 7))
            rules.append(
                Rule(
                    user_id=owner.pk,
                    kind=Rule.Kind.ONE_TIME,
                    action=Rule.Action.UNASSIGN,
                    start_at=start,
                    end_at=end,
                    status=_status(start, end, now),
                )
            )
    Rule.objects.bulk_create(rules, batch_size=BATCH)


def _chains(chains: list[tuple[int, int, int]], now: dt.datetime) -> None:
    """A is away and routes project PAY to B by a one-time rule; B is away and routes bugs to C by a
    recurring rule; C is available. Resolving a PAY bug of A passes B and lands on C (2 hops)."""
    absences, rules = [], []
    for a, b, c in chains:
        absences.append(
            Absence(
                user_id=a,
                type_id="vacation",
                start_at=now - dt.timedelta(days=2),
                end_at=now + dt.timedelta(days=3),
                series_end_at=now + dt.timedelta(days=3),
                coverer_id=b,
                message="Away until {until}; ask {coverer}.",
            )
        )
        absences.append(
            Absence(
                user_id=b,
                type_id="trip",
                start_at=now - dt.timedelta(days=1),
                end_at=now + dt.timedelta(days=4),
                series_end_at=now + dt.timedelta(days=4),
                coverer_id=c,
            )
        )
        rules.append(
            Rule(
                user_id=a,
                kind=Rule.Kind.ONE_TIME,
                action=Rule.Action.REASSIGN,
                coverer_id=b,
                projects=["PAY"],
                start_at=now - dt.timedelta(days=1),
                end_at=now + dt.timedelta(days=2),
                status=Rule.Status.ACTIVE,
                message="Payments work goes to {coverer}.",
            )
        )
        rules.append(
            Rule(
                user_id=b,
                kind=Rule.Kind.RECURRING,
                action=Rule.Action.REASSIGN,
                coverer_id=c,
                issue_types=["Bug"],
                status=Rule.Status.ACTIVE,
            )
        )
    Absence.objects.bulk_create(absences)
    Rule.objects.bulk_create(rules)


def _calendar(admin: User, users: list[User], teams: list[Team], rng, *, now: dt.datetime, span: dt.timedelta):
    """500 members: the first ``CALENDAR_DIRECT`` people after the calendar teams, and those teams."""
    calendar = Calendar.objects.create(name="Engineering", owner=admin, color="#2563eb")
    calendar.teams.set(teams[:CALENDAR_TEAMS])
    direct = users[CALENDAR_TEAMS * TEAM_SIZE : CALENDAR_TEAMS * TEAM_SIZE + CALENDAR_DIRECT]
    calendar.members.set(direct)
    first, seconds = _window(now, span)
    events = []
    for n in range(300):
        start = first + dt.timedelta(seconds=rng.random() * seconds)
        events.append(
            Event(
                calendar=calendar,
                type=rng.choice(["meeting", "release"]),
                title=f"Event {n}",
                start_at=start,
                end_at=start + dt.timedelta(hours=rng.randint(1, 4)),
            )
        )
    Event.objects.bulk_create(events)
    return calendar


def _analyze() -> None:
    """Fresh planner statistics (and a visibility map for index-only scans) after the bulk load."""
    with connection.cursor() as cursor:
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block  # not inside a test's transaction
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
