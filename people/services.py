"""Writes for people: work schedules and teams."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from people.models import Team, User
from people.schedules import validate_holiday_region, validate_working_days


def user_may_manage(*, actor: User, subject: User, admin: bool) -> bool:
    """May ``actor`` see and change ``subject``'s data? (self, their team lead, or admin)."""
    if admin or actor.pk == subject.pk:
        return True
    return Team.objects.filter(leads=actor, members=subject).exists()


@transaction.atomic
def work_schedule_update(*, user: User, **changes) -> User:
    """Change ``user``'s time zone, working days or holiday region; validates the whole schedule."""
    for field in ("timezone", "working_days", "holiday_country", "holiday_subdivision"):
        if field in changes:
            setattr(user, field, changes[field])
    user.working_days = validate_working_days(user.working_days)
    user.holiday_country, user.holiday_subdivision = validate_holiday_region(
        user.holiday_country, user.holiday_subdivision
    )
    user.save(update_fields=["timezone", "working_days", "holiday_country", "holiday_subdivision"])
    return user


@transaction.atomic
def team_create(*, name: str, members=(), leads=(), min_available: int = 0) -> Team:
    team = Team(name=name, min_available=min_available)
    team.full_clean()
    team.save()
    team.members.set(members)
    team.leads.set(leads)
    return team


@transaction.atomic
def team_update(*, team: Team, actor: User, admin: bool, **changes) -> Team:
    """Staff change anything; a lead may change only the members of their own team."""
    is_lead = team.leads.filter(pk=actor.pk).exists()
    if not admin:
        if not is_lead:
            raise PermissionDenied("Only staff and the team's leads may change a team.")
        forbidden = sorted(set(changes) - {"members"})
        if forbidden:
            raise PermissionDenied(f"Leads may change only the members; not {', '.join(forbidden)}.")
    for field in ("name", "min_available"):
        if field in changes:
            setattr(team, field, changes[field])
    team.full_clean()
    team.save()
    if "members" in changes:
        team.members.set(changes["members"])
    if "leads" in changes:
        team.leads.set(changes["leads"])
    return team
