"""The one visibility policy: a caller sees and changes their own data, their led teams' members'
data, and, when acting as admin (staff through a session or an ``admin`` token), everyone's."""

from django.apps import apps
from django.db import models


def managed_user_ids(user):
    """A subquery of the ids whose data ``user`` may see and change without admin rights."""
    Team = apps.get_model("people", "Team")
    led_members = Team.members.through.objects.filter(team__leads=user).values("user_id")
    User = apps.get_model("people", "User")
    return User.objects.filter(models.Q(pk=user.pk) | models.Q(pk__in=led_members)).values("pk")


class UserQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def visible_to(self, user, *, admin: bool):
        """People whose data (schedule, absences, rules…) ``user`` may see and change."""
        if user is None or not user.is_authenticated:
            return self.none()
        if admin:
            return self
        return self.filter(pk__in=managed_user_ids(user))


class OwnedQuerySet(models.QuerySet):
    """For models that belong to one user: ``visible_to`` applies the same policy through ``owner_field``."""

    owner_field = "user"

    def visible_to(self, user, *, admin: bool):
        if user is None or not user.is_authenticated:
            return self.none()
        if admin:
            return self
        return self.filter(**{f"{self.owner_field}__in": managed_user_ids(user)})


class TeamQuerySet(models.QuerySet):
    def led_by(self, user):
        return self.filter(leads=user)
