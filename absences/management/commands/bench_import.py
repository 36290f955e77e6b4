"""Time a large CSV import (created rows, then the same file again: unchanged rows).

The import runs for real (its chunk commits included). Afterwards everything the benchmark made is
removed directly (bench users, their absences, history and change-feed rows), so run it on a
scratch database when sync clients read the change feed at the same time.
"""

import datetime as dt
import random
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from absences.import_formats import read_file
from absences.importing import import_rows
from absences.models import Absence, AbsenceChange
from people.models import User

TYPES = ["vacation", "sickness", "trip", "training", "other", "meeting"]
PREFIX = "bench-"
ZONES = ["Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney", "UTC"]


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


@transaction.atomic
def _clean_up() -> None:
    users = User.objects.filter(username__startswith=PREFIX)
    absence_ids = list(Absence.objects.filter(user__in=users).values_list("pk", flat=True))
    AbsenceChange.objects.filter(absence_id__in=absence_ids).delete()
    Absence.history.filter(id__in=absence_ids).delete()
    Absence.objects.filter(pk__in=absence_ids).delete()
    users.delete()


class Command(BaseCommand):
    help = "Time importing a generated CSV of --rows absences (default 10,000), then remove it again."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=10_000)
        parser.add_argument("--people", type=int, default=50)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, rows: int, people: int, seed: int, **options):
        rng = random.Random(seed)  # noqa: S311 - benchmark data, not secrets
        if User.objects.filter(username__startswith=PREFIX).exists():
            raise CommandError(f"Users named {PREFIX}* exist already: is another benchmark running?")
        try:
            self._run(rows, people, rng)
        finally:
            _clean_up()
            self.stdout.write("(benchmark data removed)")

    def _run(self, rows: int, people: int, rng: random.Random) -> None:
        usernames = []
        for index in range(people):
            user = User.objects.create(
                username=f"{PREFIX}{index}", email=f"{PREFIX}{index}@bench.invalid", timezone=ZONES[index % len(ZONES)]
            )
            usernames.append(user.username)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "bench.csv"
            path.write_text(bench_csv(rows, usernames, rng))
            for label in ("import (all created)", "re-import (all unchanged)"):
                started, cpu_started = time.perf_counter(), time.process_time()
                summary = import_rows(read_file(path.name, path.read_bytes()), source="bench")
                seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
                counts = ", ".join(f"{count} {name}" for name, count in sorted(summary.counts.items()))
                # CPU time of this process too: on a busy machine the wall clock mostly measures waiting.
                self.stdout.write(
                    f"{label:<26} {rows:>6} rows  {seconds:7.1f} s ({rows / seconds:5.0f} rows/s)  "
                    f"cpu {cpu:7.1f} s ({rows / cpu:5.0f} rows/s)  ({counts})"
                )
