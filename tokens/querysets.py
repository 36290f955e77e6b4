from django.db import models
from django.db.models import Q
from django.utils import timezone


class APITokenQuerySet(models.QuerySet):
    def visible_to(self, user, *, admin: bool = False) -> "APITokenQuerySet":
        """A caller sees their own tokens; an admin sees everyone's."""
        if admin:
            return self
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    def usable(self) -> "APITokenQuerySet":
        """Neither revoked nor expired (now)."""
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
        )
