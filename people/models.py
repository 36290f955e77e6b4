"""People: the user model with each person's work schedule, and teams."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from timezone_field import TimeZoneField

from people.querysets import TeamQuerySet, UserQuerySet

DEFAULT_WORKING_DAYS = [0, 1, 2, 3, 4]


def default_working_days() -> list[int]:
    return list(DEFAULT_WORKING_DAYS)


class StandinUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person. Carries the work schedule: the zone their local times are read in, the weekdays
    they work (0 = Monday) and the public-holiday calendar (``holidays`` country/subdivision)."""

    timezone = TimeZoneField(default="UTC", use_pytz=False)
    working_days = models.JSONField(default=default_working_days)
    holiday_country = models.CharField(max_length=2, blank=True, default="")
    holiday_subdivision = models.CharField(max_length=10, blank=True, default="")

    objects = StandinUserManager()

    class Meta:
        ordering = ["username"]
        constraints = [
            # Email is a way to name a user in the API, so it must name one user at most.
            models.UniqueConstraint(Lower("email"), name="people_user_email_ci_unique", condition=~models.Q(email="")),
        ]

    @property
    def display_name(self) -> str:
        return self.get_full_name().strip() or self.username

    def __str__(self) -> str:
        return self.display_name


class Team(models.Model):
    """A group of people with leads (who may see and manage the members' data) and a minimum
    number of members who must be available on each working day."""

    name = models.CharField(max_length=120, unique=True)
    members = models.ManyToManyField(User, related_name="teams", blank=True)
    leads = models.ManyToManyField(User, related_name="led_teams", blank=True)
    min_available = models.PositiveIntegerField(default=0, validators=[MinValueValidator(0)])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
