"""The separate benchmark database: ``standin_bench`` next to the configured PostgreSQL database, or a
temporary SQLite file. Created and migrated with Django's own test-database machinery, dropped after."""

import contextlib
import tempfile
from pathlib import Path

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
