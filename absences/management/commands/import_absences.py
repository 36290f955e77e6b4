"""Import absences from a CSV or ICS file (docs/import-export.md)."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from absences.import_formats import ImportFileError, read_file
from absences.importing import DEFAULT_SOURCE, import_rows

# Files with fewer rows finish before a progress bar would tell anything.
PROGRESS_FROM_ROWS = 200


class Command(BaseCommand):
    help = "Import absences from a .csv or .ics file, idempotently by (source, source_id) / UID."

    def add_arguments(self, parser):
        parser.add_argument("file", help="A .csv (see docs/import-export.md) or .ics file")
        parser.add_argument(
            "--source",
            default=DEFAULT_SOURCE,
            help=f"Sync source for rows that do not name one (default '{DEFAULT_SOURCE}')",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check every row, write nothing")
        parser.add_argument("--no-progress", action="store_true", help="Never show the progress bar")

    def handle(self, *args, file: str, source: str, dry_run: bool, no_progress: bool, **options):
        path = Path(file)
        try:
            rows = read_file(path.name, path.read_bytes())
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from None
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        quiet = no_progress or len(rows) < PROGRESS_FROM_ROWS
        with tqdm(
            total=len(rows), unit="row", file=getattr(self.stderr, "_out", sys.stderr), disable=quiet, desc=path.name
        ) as bar:
            summary = import_rows(rows, source=source, dry_run=dry_run, tick=bar.update)
        for line in summary.report():
            self.stdout.write(line)
