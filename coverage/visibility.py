"""Who may see the details (type, title, message) of whose private absences.

Availability itself is not secret: any signed-in caller may ask about anyone. Details of an
absence whose type is ``private`` are for the user, their team leads and admins only.
"""

from django.db.models import Q

from people.models import Team, User


def detail_visible_ids(caller, user_ids, *, admin: bool) -> set[int]:
    """The ids among ``user_ids`` whose private details ``caller`` may see (one query at most)."""
    ids = set(user_ids)
    if admin:
        return ids
    if ids <= {caller.pk}:
        return ids
    return set(User.objects.visible_to(caller, admin=False).filter(pk__in=ids).values_list("pk", flat=True))


def absence_summary(span, *, reveal: bool) -> dict | None:
    """``{id, type, title, start_at, end_at}`` of an away span's absence (the occurrence's times).
    A private type shows as ``away`` without its title to callers who may not see its details."""
    if span is None or span.absence is None:
        return None
    absence = span.absence
    hidden = absence.type.private and not reveal
    return {
        "id": absence.pk,
        "type": "away" if hidden else absence.type_id,
        "title": "" if hidden else absence.title,
        "start_at": span.start,
        "end_at": span.end,
    }


def absence_message(span, *, reveal: bool) -> str:
    """The absence's auto-reply text, withheld for a private type the caller may not see."""
    if span is None or span.absence is None:
        return ""
    if span.absence.type.private and not reveal:
        return ""
    return span.absence.message


def staffing_teams_visible_to(caller, *, admin: bool):
    """Teams whose staffing ``caller`` may read: those they belong to or lead; admins every team."""
    if admin:
        return Team.objects.all()
    mine = Team.objects.filter(Q(members=caller) | Q(leads=caller)).values("pk")
    return Team.objects.filter(pk__in=mine)
