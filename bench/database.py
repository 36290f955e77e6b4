"""The separate benchmark database: ``standin_bench`` next to the configured PostgreSQL database, or a
temporary SQLite file. Created and migrated with Django's own test-database machinery, dropped after."""

import contextlib
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.db import connections

DEFAULT_NAME = "standin_bench"


@contextlib.contextmanager
def bench_database(name: str = DEFAULT_NAME, *, keep: bool = False):
    """Point the default connection at a fresh, migrated benchmark database for the block.

    The configured database is never written to: its name is only the way back afterwards.
    """
    connection = connections["default"]
    configured = connection.settings_dict["NAME"]
    with tempfile.TemporaryDirectory(prefix="standin-bench-") as folder:
        if connection.vendor == "sqlite":
            name = str(Path(folder) / "bench.sqlite3")
        connection.settings_dict.setdefault("TEST", {})["NAME"] = name
        created = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            yield created
        finally:
            connection.creation.destroy_test_db(configured, verbosity=0, keepdb=keep)


@contextlib.contextmanager
def reused_database(name: str):
    """Point the default connection at an existing benchmark database (``--keep`` or a copy of one),
    migrated to the current code and vacuumed, for the block; nothing is created or dropped.

    ``VACUUM ANALYZE`` first: a server without autovacuum keeps the dead index entries of earlier
    runs (each deletes its 10,000 sweep rules), which cost later runs' rule lookups milliseconds,
    and a migration's new index needs statistics and a visibility map like the seeded ones."""
    connection = connections["default"]
    if connection.vendor != "postgresql":
        raise ValueError("--reuse-database needs PostgreSQL")
    configured = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = name
    try:
        call_command("migrate", verbosity=0, interactive=False)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        yield name
    finally:
        connection.close()
        connection.settings_dict["NAME"] = configured
