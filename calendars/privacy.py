"""How an absence looks to a given viewer (SPEC §4 privacy): a private type shows as "Away", with
no details and a neutral colour (the type's own colour would give the type away), unless the viewer
is its user, one of their team leads, or acting as admin."""

from dataclasses import dataclass

from people.querysets import managed_user_ids

AWAY_TYPE = "away"
AWAY_TITLE = "Away"
AWAY_COLOR = "#9ca3af"


@dataclass(frozen=True)
class Viewer:
    """Whose private details a reader may see: everyone's (admin) or those of ``managed_ids``."""

    admin: bool = False
    managed_ids: frozenset[int] = frozenset()

    def sees_details_of(self, user_id: int) -> bool:
        return self.admin or user_id in self.managed_ids


ANONYMOUS = Viewer()


def viewer_for(user, *, admin: bool) -> Viewer:
    """The viewer for a signed-in caller (one query unless admin); anonymous callers see no details."""
    if admin:
        return Viewer(admin=True)
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    return Viewer(managed_ids=frozenset(managed_user_ids(user).values_list("pk", flat=True)))


@dataclass(frozen=True)
class AbsenceFace:
    """What a viewer is shown of an absence."""

    type: str
    title: str
    color: str
    hidden: bool


def absence_face(absence, viewer: Viewer) -> AbsenceFace:
    """Type key, title and colour of ``absence`` as ``viewer`` may see them (needs ``absence.type``)."""
    kind = absence.type
    if kind.private and not viewer.sees_details_of(absence.user_id):
        return AbsenceFace(type=AWAY_TYPE, title=AWAY_TITLE, color=AWAY_COLOR, hidden=True)
    return AbsenceFace(type=kind.key, title=absence.title or kind.name, color=kind.color, hidden=False)
