"""Fill the database with a believable demo organisation. Safe to run again (it updates in place)."""

import importlib
import random

from django.core.management.base import BaseCommand

from people.demo import DEMO_PASSWORD

# Each app may offer `<app>.demo.seed(rng, context)`; they run in dependency order.
DEMO_APPS = ["absences", "rules", "calendars"]


class Command(BaseCommand):
    help = "Create demo people, teams and (as the apps provide them) absences, rules and calendars."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (same seed, same organisation)")
        parser.add_argument("--people", type=int, default=36)

    def handle(self, *args, seed: int, people: int, **options):
        from people import demo

        context = demo.seed(random.Random(seed), people=people)  # noqa: S311 - reproducible demo data, not secrets
        for app in DEMO_APPS:
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
                continue
            # One generator per app: what one app draws (or skips on a second run) never shifts another's data.
            module.seed(random.Random(f"{seed}:{app}"), context)  # noqa: S311
        self.stdout.write(
            f"Demo organisation ready: {len(context['users'])} people in {len(context['teams'])} teams.\n"
            f"Admin login: admin / {DEMO_PASSWORD}   (every demo person, e.g. alice1, uses the same password)"
        )
