"""PostgreSQL only: a stored ``period`` range per absence and GiST indexes on it.

``period`` is ``[start_at, end)`` where ``end`` is ``end_at`` for a one-off absence and
``series_end_at`` for a series (unbounded when the series never ends), kept by the database
(a generated column), so ``overlapping()`` is one ``&&`` that a GiST index answers. The model does
not declare the column: SQLite keeps the btree window indexes and their conditions.

Adding a stored column rewrites the table (1M absences: 104 s with both index builds, loaded
machine) and clears its visibility map: run ``VACUUM ANALYZE absences_absence`` after migrating,
or the covering index's counts read the table until autovacuum has been there.
"""

from django.db import migrations

PERIOD = (
    "ALTER TABLE absences_absence ADD COLUMN period tstzrange GENERATED ALWAYS AS "
    "(tstzrange(start_at, CASE WHEN recurrence = '' THEN end_at ELSE series_end_at END, '[)')) STORED"
)
INDEXES = [
    # Covering: a window's count, and its page's keys in (start_at, id) order, read the index alone
    # (absence list, coverage/current); no heap visit for the rows the filters drop.
    "CREATE INDEX absence_period ON absences_absence USING gist (period) INCLUDE (type_id, user_id, start_at, id)",
    # Series in a window (their occurrences are then expanded): ~1 % of the rows.
    "CREATE INDEX absence_series_period ON absences_absence USING gist (period) WHERE NOT (recurrence = '')",
]
DROP = [
    "DROP INDEX IF EXISTS absence_series_period",
    "DROP INDEX IF EXISTS absence_period",
    "ALTER TABLE absences_absence DROP COLUMN IF EXISTS period",
]


def add_period(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # The new column has no statistics until analysed: the planner would guess its selectivity.
        for sql in [PERIOD, *INDEXES, "ANALYZE absences_absence"]:
            schema_editor.execute(sql)


def drop_period(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("absences", "0005_merge_0004_change_feed_0004_window_indexes"),
    ]

    operations = [
        migrations.RunPython(add_period, drop_period, elidable=False),
    ]
