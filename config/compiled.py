"""Querysets built and compiled once, run with new values on every call (the per-request hot path).

Django builds a queryset's filters (``build_filter``) and compiles its SQL (``as_sql``,
``get_select``) again on every evaluation: 0.5 to 1 ms of Python for a query with a join or two, more
than PostgreSQL needs to answer it. The few queries every API request makes (the bearer token, the
user in the path, one person's absences and rules) have a fixed shape and only their values
change, so :class:`CompiledQuery` builds each once, with sentinel values, keeps its SQL and
Django's own row-to-model machinery (select list, converters, ``select_related`` populators), and on
each call runs that SQL with the call's values. The rows become models exactly as the queryset
would make them: the results are the same objects, only the Python spent building them is saved.

Used on PostgreSQL only: psycopg passes parameters as they are, so a sentinel is found in the
compiled parameters and replaced. The SQL text is then the same on every call, so it is sent with
server-side binding and prepared (``config.postgresql``'s ``prepared_cursor``): PostgreSQL plans
it once per connection, where planning was most of its time for these small lookups. SQLite (the
embedded mode) adapts values while compiling (datetimes become text), so there the queryset is
simply built and evaluated as usual.

The builder must give SQL whose shape does not depend on the values (no ``None`` that turns into
``IS NULL``, no list whose length becomes the number of placeholders, no value in a slice, no value
derived from another such as ``start + 1 day``). It is compiled with two sets of sentinels, and
refused unless both give the same SQL, every sentinel appears as a parameter, and every other
parameter is the same in both. Tests compare both paths (``tests/platform/test_compiled_queries.py``).
"""

import copy
import weakref
from collections.abc import Callable

from django.db import connections
from django.db.models import QuerySet


class CompiledQuery:
    """``fetch(*values)`` is ``list(build(*values))``; ``sentinels`` and ``others`` are two sets of
    distinct values of the right types that no real call uses (see the module's docstring)."""

    def __init__(self, build: Callable[..., QuerySet], *, sentinels: tuple, others: tuple):
        if len(sentinels) != len(others):
            raise ValueError("sentinels and others differ in length")
        self.build = build
        self.sentinels = sentinels
        self.others = others
        # Per connection object: Django's are per thread, and a compiler (with its converters)
        # belongs to the connection it was made with.
        self._compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def fetch(self, *values, using: str = "default") -> list:
        if len(values) != len(self.sentinels):
            raise TypeError(f"expected {len(self.sentinels)} values, got {len(values)}")
        connection = connections[using]
        if connection.vendor != "postgresql":
            return list(self.build(*values).using(using))
        compiled = self._compiled.get(connection)
        if compiled is None:
            compiled = self._compiled[connection] = self._compile(using)
        template, compiler, sql, params, positions, converters = compiled
        bound_params = list(params)
        for index, argument in positions:
            bound_params[index] = values[argument]
        bound = copy.copy(compiler)
        if hasattr(connection, "prepared_cursor"):  # config.postgresql: prepared on the server
            bound.connection = _Prepared(connection)
        bound.as_sql = lambda *args, **kwargs: (sql, tuple(bound_params))
        bound.get_converters = lambda expressions: converters
        queryset = template._chain()
        queryset.query.get_compiler = lambda *args, **kwargs: bound
        return list(queryset)

    def _compile(self, using: str) -> tuple:
        template = self.build(*self.sentinels).using(using)
        compiler = template.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        positions = _positions(params, self.sentinels)
        other_sql, other_params = self.build(*self.others).using(using).query.get_compiler(using=using).as_sql()
        placeholders = {index for index, _ in positions}
        fixed = [param for index, param in enumerate(params) if index not in placeholders]
        other_fixed = [param for index, param in enumerate(other_params) if index not in placeholders]
        if other_sql != sql or _positions(other_params, self.others) != positions or fixed != other_fixed:
            raise ValueError(f"the SQL or a parameter depends on the values, not only its placeholders: {sql!r}")
        converters = compiler.get_converters([column[0] for column in compiler.select[: compiler.col_count]])
        return template, compiler, sql, tuple(params), positions, converters


def _positions(params, sentinels) -> list[tuple[int, int]]:
    """(parameter index, argument index) of each parameter that is one of the sentinels; every
    sentinel must be one, and each parameter at most one sentinel."""
    positions = []
    for index, param in enumerate(params):
        matches = [
            argument for argument, value in enumerate(sentinels) if type(param) is type(value) and param == value
        ]
        if len(matches) > 1:
            raise ValueError("two sentinels are equal")
        positions += [(index, argument) for argument in matches]
    missing = set(range(len(sentinels))) - {argument for _, argument in positions}
    if missing:
        raise ValueError(f"sentinels {sorted(missing)} are not parameters of the query")
    return positions


class _Prepared:
    """The connection, except that its cursors bind parameters on the server (``prepared_cursor``)."""

    def __init__(self, connection) -> None:
        self._connection = connection

    def cursor(self):
        return self._connection.prepared_cursor()

    def __getattr__(self, name: str):
        return getattr(self._connection, name)
