"""Writes for calendars, their events and feed keys. Views, the admin and demo data call these."""

import datetime as dt

from django.db import transaction
from django.db.models import Q

from absences.models import AbsenceType
from calendars.models import Calendar, Event, PersonalFeed, new_feed_key
from config.errors import DomainError
from people.models import Team, User
from people.querysets import managed_user_ids

# The longest native event, as for absences.
MAX_EVENT_LENGTH = dt.timedelta(days=366)


def shareable_user_ids(actor: User) -> set[int]:
    """People a non-admin may put on a calendar: themselves, the members of the teams they lead,
    and the members of their own teams (whose out-of-office days they already see at home)."""
    own_teams = Team.members.through.objects.filter(user_id=actor.pk).values("team_id")
    teammates = Team.members.through.objects.filter(team_id__in=own_teams).values_list("user_id", flat=True)
    return set(managed_user_ids(actor).values_list("pk", flat=True)) | set(teammates)


def _check_sharing(*, actor: User, admin: bool, members: list[User] | None, teams: list[Team] | None) -> None:
    if admin:
        return
    if members:
        allowed = shareable_user_ids(actor)
        for index, member in enumerate(members):
            if member.pk not in allowed:
                raise DomainError(
                    "You can add yourself, your teammates and the people you lead.",
                    code="not_allowed",
                    attr=f"members.{index}",
                )
    if teams:
        mine = set(Team.objects.filter(Q(members=actor) | Q(leads=actor)).values_list("pk", flat=True))
        for index, team in enumerate(teams):
            if team.pk not in mine:
                raise DomainError(
                    "You can add only teams you belong to or lead.", code="not_allowed", attr=f"teams.{index}"
                )


@transaction.atomic
def calendar_create(
    *,
    actor: User,
    admin: bool,
    name: str,
    owner: User | None = None,
    description: str = "",
    color: str = "#2563eb",
    is_public: bool = False,
    members: list[User] | None = None,
    teams: list[Team] | None = None,
    absence_types: list[AbsenceType] | None = None,
) -> Calendar:
    """Create a calendar. Only an admin may give it to another owner."""
    owner = owner or actor
    if owner.pk != actor.pk and not admin:
        raise DomainError("Only an admin can create a calendar for someone else.", code="not_allowed", attr="owner")
    _check_sharing(actor=actor, admin=admin, members=members, teams=teams)
    calendar = Calendar(name=name, description=description, color=color, is_public=is_public, owner=owner)
    calendar.full_clean()
    calendar.save()
    calendar.members.set(members or [])
    calendar.teams.set(teams or [])
    calendar.absence_types.set(absence_types or [])
    return calendar


@transaction.atomic
def calendar_update(*, calendar: Calendar, actor: User, admin: bool, **changes) -> Calendar:
    """Change a calendar's fields and lists. The owner may hand it over to someone else."""
    _check_sharing(actor=actor, admin=admin, members=changes.get("members"), teams=changes.get("teams"))
    relations = {key: changes.pop(key) for key in ("members", "teams", "absence_types") if key in changes}
    for key, value in changes.items():
        setattr(calendar, key, value)
    calendar.full_clean()
    calendar.save()
    for key, value in relations.items():
        getattr(calendar, key).set(value)
    return calendar


@transaction.atomic
def calendar_rotate_feed_key(*, calendar: Calendar) -> Calendar:
    """Give the calendar a new feed key; the old feed URL stops working at once."""
    calendar.feed_key = new_feed_key()
    calendar.save(update_fields=["feed_key", "updated_at"])
    return calendar


def calendar_may_post(*, calendar: Calendar, user: User, admin: bool) -> bool:
    """Who writes native events: the owner, the members (direct or through a team), admins."""
    if admin or calendar.owner_id == user.pk:
        return True
    if calendar.members.filter(pk=user.pk).exists():
        return True
    return calendar.teams.filter(members=user).exists()


def event_times(
    *, start_at=None, end_at=None, start_date=None, end_date=None, all_day: bool
) -> dict[str, dt.datetime | dt.date | bool | None]:
    """Checked times of an event. All-day events also store their UTC midnights for indexing."""
    if all_day:
        if end_date < start_date:
            raise DomainError("End date must not be before start date.", code="end_before_start", attr="end_date")
        start_at = dt.datetime.combine(start_date, dt.time(0), tzinfo=dt.UTC)
        end_at = dt.datetime.combine(end_date + dt.timedelta(days=1), dt.time(0), tzinfo=dt.UTC)
        attr = "end_date"
    else:
        if end_at <= start_at:
            raise DomainError("End must be after start.", code="end_before_start", attr="end_at")
        start_date = end_date = None
        attr = "end_at"
    if end_at - start_at > MAX_EVENT_LENGTH:
        raise DomainError("An event lasts at most 366 days.", code="max_duration", attr=attr)
    return {
        "start_at": start_at,
        "end_at": end_at,
        "start_date": start_date,
        "end_date": end_date,
        "all_day": all_day,
    }


@transaction.atomic
def event_create(
    *, calendar: Calendar, title: str, times: dict, attendees: list[User] | None = None, **fields
) -> Event:
    """Add a native event to a calendar (``times`` from ``event_times``)."""
    event = Event(calendar=calendar, title=title, **times, **fields)
    event.full_clean()
    event.save()
    event.attendees.set(attendees or [])
    return event


@transaction.atomic
def event_update(*, event: Event, times: dict | None = None, attendees: list[User] | None = None, **fields) -> Event:
    for key, value in {**fields, **(times or {})}.items():
        setattr(event, key, value)
    event.full_clean()
    event.save()
    if attendees is not None:
        event.attendees.set(attendees)
    return event


def personal_feed_of(user: User) -> PersonalFeed:
    """The user's personal feed, created with a fresh key the first time it is asked for."""
    feed, _ = PersonalFeed.objects.get_or_create(user=user)
    return feed


@transaction.atomic
def personal_feed_rotate(*, user: User) -> PersonalFeed:
    """A new personal feed key; the old URL stops working at once."""
    feed = personal_feed_of(user)
    feed.feed_key = new_feed_key()
    feed.save(update_fields=["feed_key", "updated_at"])
    return feed
