"""Export absences as CSV or ICS, in the format `import_absences` reads back (docs/import-export.md)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from absences.exporting import export_csv, export_ics, export_selection
from config.api.fields import resolve_user_ref


def _moment(text: str, option: str) -> dt.datetime:
    """A date (midnight UTC) or an ISO 8601 datetime (UTC when it has no offset)."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option}: give a date (YYYY-MM-DD) or an ISO 8601 datetime, not '{text}'.") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


class Command(BaseCommand):
    help = "Export absences (all, or some people's, or those overlapping a window) as CSV or ICS."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["csv", "ics"], default="csv")
        parser.add_argument(
            "--user", action="append", default=[], help="Only this person's absences (id, username or email; repeat)"
        )
        parser.add_argument("--from", dest="start", help="Only absences ending after this date/datetime (UTC)")
        parser.add_argument("--to", dest="end", help="Only absences starting before this date/datetime (UTC)")
        parser.add_argument("--output", help="Write to this file instead of stdout")

    def handle(self, *args, format: str, user: list[str], start, end, output, **options):
        users = None
        if user:
            users = [resolve_user_ref(ref, active_only=False) for ref in user]
            unknown = [ref for ref, found in zip(user, users, strict=True) if found is None]
            if unknown:
                raise CommandError(f"Unknown user(s): {', '.join(unknown)}")
        start_at = _moment(start, "--from") if start else None
        end_at = _moment(end, "--to") if end else None
        if start_at and end_at and end_at <= start_at:
            raise CommandError("--to must be after --from.")
        absences = export_selection(users=users, start=start_at, end=end_at)
        content = export_csv(absences).encode() if format == "csv" else export_ics(absences)
        if output:
            with open(output, "wb") as handle:
                handle.write(content)
        else:
            self.stdout.write(content.decode(), ending="")
