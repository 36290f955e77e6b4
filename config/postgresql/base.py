"""Django's PostgreSQL backend, with psycopg's C loader for ``timestamptz`` columns and cursors
that bind parameters on the server for the hot path's fixed queries (``prepared_cursor``).

Django registers a loader of its own for ``timestamptz`` (to attach the connection's time zone),
and that loader parses every value in Python: about 9 µs a value against about 1.5 µs for psycopg's
C loader. A calendar search or an ICS feed reads thousands of timestamps, so that difference was a
fifth of their time. When Django uses UTC (``USE_TZ`` with no per-database ``TIME_ZONE``, our
settings), the session time zone is UTC and the C loader already returns values in
``datetime.timezone.utc`` — the same objects Django's loader makes — so it is used instead.
"""

import datetime as dt

from django.conf import settings
from django.db.backends.postgresql import base, operations
from psycopg import adapt, errors, postgres, pq
from psycopg.types.datetime import TimestamptzLoader


def _optimised_loader() -> type[adapt.Loader]:
    """psycopg's own ``timestamptz`` text loader: registering it swaps in its C twin when psycopg's
    C extension is installed (psycopg[binary]), else it stays the pure-Python one."""
    oid = postgres.types["timestamptz"].oid
    adapters = adapt.AdaptersMap(postgres.adapters)
    adapters.register_loader(oid, TimestamptzLoader)
    return adapters.get_loader(oid, pq.Format.TEXT)


_OPTIMISED = _optimised_loader()
NEVER_BY_COUNT = 2**31 - 1


class UTCTimestamptzLoader(adapt.Loader):
    """The optimised loader behind the ``timezone`` attribute Django's cursors compare (the C class
    cannot be subclassed)."""

    timezone = dt.UTC

    def __init__(self, oid: int, context=None):
        super().__init__(oid, context)
        self._load = _OPTIMISED(oid, context).load

    def load(self, data):
        return self._load(data)


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor, sql, params):
        # Django reads the text psycopg sent, which for a cursor binding on the server has no
        # values (or is not kept for a prepared statement): compose it as Django's own server-side
        # binding mode does, so query logs and ``assertNumQueries`` show the real statement.
        if isinstance(cursor, base.ServerBindingCursor):
            try:
                return self.compose_sql(sql, params)
            except errors.DataError:
                return None
        return super().last_executed_query(cursor, sql, params)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def get_connection_params(self):
        params = super().get_connection_params()
        if self.timezone is dt.UTC:  # USE_TZ and the database in UTC: see the module docstring
            params["context"].register_loader("timestamptz", UTCTimestamptzLoader)
        if settings.DB_PREPARED_STATEMENTS:
            # psycopg prepares nothing while this is None (Django's default). So high that it never
            # prepares on its own: only ``PreparingCursor`` asks to (client-side cursors never do).
            params["prepare_threshold"] = NEVER_BY_COUNT
        return params

    def _configure_connection(self, connection):
        # Called for every new connection (and by a psycopg pool for each one it opens).
        commit = super()._configure_connection(connection)
        if settings.DB_PREPARED_STATEMENTS:
            # Only ``prepared_cursor`` prepares statements, and they are the hot path's fixed
            # lookups: an equality on an id or key plus time bounds, whose plan does not depend on
            # the values. In the default mode (``auto``) PostgreSQL kept planning each run afresh
            # when the generic plan's estimate came out above the custom plans' (it did for a
            # person's absences: 1.4 ms of planning for a 0.07 ms execution), which defeats
            # preparing. Statements that are not prepared are planned with their values as before.
            with connection.cursor() as cursor:
                cursor.execute("SET plan_cache_mode = force_generic_plan")
            commit = True
        return commit

    def prepared_cursor(self):
        """A cursor like ``cursor()`` (execute wrappers, query logging, health check, error
        wrapping) whose statements are bound on the server and prepared: PostgreSQL plans each one
        once per connection, not on every run. Only ``config.compiled`` uses it: its SQL text is
        the same on every call, while Django's usual client-side binding writes the values into
        the text (nothing to prepare). Django turns psycopg's automatic preparing off, for
        connection poolers in transaction mode; ``DB_PREPARED_STATEMENTS=false`` turns this off too
        (PgBouncer before 1.21, or without ``max_prepared_statements``)."""
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            cursor_class = PreparingCursor if settings.DB_PREPARED_STATEMENTS else base.ServerBindingCursor
            return self._prepare_cursor(cursor_class(self.connection))


class PreparingCursor(base.ServerBindingCursor):
    """Prepares every statement it runs (psycopg keeps up to ``prepared_max``, 100, per connection)."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True if prepare is None else prepare, binary=binary)
