"""Time a large CSV import (created rows, then the same file again: unchanged rows).

Everything happens inside one transaction that is rolled back at the end, so the database is left
as it was; the import's own chunk commits (one per 100 rows) are therefore not in the numbers.
"""

import datetime as dt
import random
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from absences.import_formats import read_file
from absences.importing import import_rows
from people.models import User

TYPES = ["vacation", "sickness", "trip", "training", "other", "meeting"]
ZONES = ["Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney", "UTC"]


class _Rollback(Exception):
    pass


def bench_csv(rows: int, usernames: list[str], rng: random.Random) -> str:
    lines = ["user,type,start,end,title,source_id,recurrence"]
    base = dt.date(2026, 1, 1)
    for index in range(rows):
        day = base + dt.timedelta(days=rng.randrange(700))
        if index % 3 == 0:
            start = dt.datetime.combine(day, dt.time(rng.randrange(6, 18)), tzinfo=dt.UTC)
            times = f"{start.isoformat()},{(start + dt.timedelta(hours=2)).isoformat()}"
        else:
            times = f"{day.isoformat()},{(day + dt.timedelta(days=rng.randrange(5))).isoformat()}"
        recurrence = "FREQ=WEEKLY;COUNT=10" if index % 10 == 0 else ""
        user, kind = rng.choice(usernames), TYPES[index % len(TYPES)]
        lines.append(f"{user},{kind},{times},Bench {index},bench-{index},{recurrence}")
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "Time importing a generated CSV of --rows absences (default 10,000); leaves the database unchanged."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=10_000)
        parser.add_argument("--people", type=int, default=50)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, rows: int, people: int, seed: int, **options):
        rng = random.Random(seed)  # noqa: S311 - benchmark data, not secrets
        try:
            with transaction.atomic():
                self._run(rows, people, rng)
                raise _Rollback
        except _Rollback:
            self.stdout.write("(rolled back: the database is unchanged)")

    def _run(self, rows: int, people: int, rng: random.Random) -> None:
        usernames = []
        for index in range(people):
            user = User.objects.create(
                username=f"bench-{index}", email=f"bench-{index}@bench.invalid", timezone=ZONES[index % len(ZONES)]
            )
            usernames.append(user.username)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "bench.csv"
            path.write_text(bench_csv(rows, usernames, rng))
            for label in ("import (all created)", "re-import (all unchanged)"):
                started = time.perf_counter()
                summary = import_rows(read_file(path.name, path.read_bytes()), source="bench")
                seconds = time.perf_counter() - started
                counts = ", ".join(f"{count} {name}" for name, count in sorted(summary.counts.items()))
                self.stdout.write(
                    f"{label:<28} {rows:>7} rows  {seconds:8.2f} s  {rows / seconds:8.0f} rows/s  ({counts})"
                )
