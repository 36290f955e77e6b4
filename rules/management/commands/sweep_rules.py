"""``python manage.py sweep_rules``: one run of the beat sweep that activates and expires rules."""

from django.core.management.base import BaseCommand

from rules.services import rules_sweep


class Command(BaseCommand):
    help = "Activate and expire due one-time rules once, emailing each transition (safe to run any time)."

    def handle(self, *args, **options):
        result = rules_sweep()
        self.stdout.write(f"Activated {result.activated} rule(s), expired {result.expired} rule(s).")
