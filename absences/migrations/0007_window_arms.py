"""PostgreSQL only: indexes for the two arms of a list's ``from``/``to`` window
(``AbsenceQuerySet.window_arms``, docs/performance.md "Lists at 1M, fourth pass").

- ``absence_period`` becomes an SP-GiST index (same column and INCLUDE list as 0006's GiST): the
  quad tree over (lower, upper) answers "running at T" (``period @> T``) from ~120 pages where the
  GiST read ~235 (1M absences: 0.6 against 2.1 ms), and a window's ``&&`` faster as well (5.9
  against 8.4 ms for 21k entries).
- ``absence_period_start (start_at, id) INCLUDE (type_id, user_id) WHERE NOT isempty(period)``:
  the absences beginning inside a window, in the list's order, index-only. No period is empty (an
  absence ends after it starts); the predicate is there so that only a query that states it (the
  window's arm, which also bounds ``start_at`` from below) can walk this index: a plain
  ``start_at`` index tempted PostgreSQL to walk all of history for ``ORDER BY start_at LIMIT 50``
  under conditions on other columns (docs/performance.md). ``WHERE period IS NOT NULL`` would not
  do that: PostgreSQL proves it from any strict condition on ``period`` (``&&``, ``@>``).
- ``absence_period_type_start (type_id, start_at) WHERE NOT isempty(period)``: the same arm counted
  for a ``type`` filter reads only those types' entries (12k of the 20k beginning in the bench's 60
  days: 0.6 against 2.1 ms). The list's type filter is one ``type_id IN (…)`` for it.
"""

from django.db import migrations

from config.postgresql.migrations import postgresql_only

FORWARD = [
    "DROP INDEX IF EXISTS absence_period",
    "CREATE INDEX absence_period ON absences_absence USING spgist (period) INCLUDE (type_id, user_id, start_at, id)",
    "CREATE INDEX absence_period_start ON absences_absence (start_at, id) INCLUDE (type_id, user_id) "
    "WHERE NOT isempty(period)",
    "CREATE INDEX absence_period_type_start ON absences_absence (type_id, start_at) WHERE NOT isempty(period)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS absence_period_type_start",
    "DROP INDEX IF EXISTS absence_period_start",
    "DROP INDEX IF EXISTS absence_period",
    "CREATE INDEX absence_period ON absences_absence USING gist (period) INCLUDE (type_id, user_id, start_at, id)",
]


class Migration(migrations.Migration):
    dependencies = [
        ("absences", "0006_period_range"),
    ]

    operations = [
        postgresql_only(FORWARD, BACKWARD),
    ]
