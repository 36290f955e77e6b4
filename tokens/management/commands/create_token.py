"""``create_token USERNAME --scopes read,write``: prints the plaintext token and nothing else."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from config.errors import DomainError
from tokens import services


def _int_list(raw: str) -> list[int]:
    try:
        return [int(part) for part in raw.split(",") if part.strip()]
    except ValueError:
        raise CommandError(f"--calendars takes comma-separated ids, not {raw!r}.") from None


class Command(BaseCommand):
    help = "Create an API token for a user and print it (the only time it is shown)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--scopes", required=True, help="Comma-separated: read, write, delete, admin.")
        parser.add_argument("--name", default="Created by create_token")
        parser.add_argument("--calendars", default="", help="Comma-separated calendar ids (default: all).")
        parser.add_argument("--expires-in-days", type=int, default=None)
        parser.add_argument("--rate-limit", type=int, default=None, help="Requests an hour (default: the setting).")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {options['username']!r}.")
        days = options["expires_in_days"]
        if days is not None and days < 1:
            raise CommandError("--expires-in-days must be at least 1.")
        try:
            _token, plaintext = services.token_create(
                user=user,
                name=options["name"],
                scopes=[scope.strip() for scope in options["scopes"].split(",") if scope.strip()],
                calendar_ids=_int_list(options["calendars"]),
                expires_at=timezone.now() + dt.timedelta(days=days) if days else None,
                rate_limit_per_hour=options["rate_limit"],
            )
        except (DomainError, PermissionDenied) as exc:
            raise CommandError(getattr(exc, "detail", str(exc))) from None
        self.stdout.write(plaintext)
