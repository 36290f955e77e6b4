"""Seeded rows for browser tests.

The live-server tests flush the database after each test, and here the serialized rollback does
not bring the data migration's absence types back (observed: the test's connection has no
``_test_serialized_contents``), so the page tests put them back themselves, from the migration's
own list.
"""

import importlib

from absences.models import AbsenceType

DEFAULT_TYPES = importlib.import_module("absences.migrations.0002_seed_types").DEFAULT_TYPES


def seed_absence_types() -> None:
    for key, name, color, away, private in DEFAULT_TYPES:
        AbsenceType.objects.get_or_create(
            key=key, defaults={"name": name, "color": color, "counts_as_away": away, "private": private}
        )
