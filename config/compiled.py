"""Querysets built and compiled once, run with new values on every call (the per-request hot path).

Django builds a queryset's filters (``build_filter``) and compiles its SQL (``as_sql``,
``get_select``) again on every evaluation: 0.5 to 1 ms of Python for a query with a join or two, more
than PostgreSQL needs to answer it. The few queries every API request makes (the bearer token, the
user in the path, one person's absences and rules) have a fixed shape and only their values
change, so :class:`CompiledQuery` builds each once, with sentinel values, keeps its SQL and what
Django's ``ModelIterable`` (or ``ValuesListIterable``) works out before turning rows into models (or
tuples): the select list's converters, the ``select_related`` populators, the annotations'
positions. Each call runs that SQL with the call's values on a cursor and turns the rows into
models as ``ModelIterable`` does (tuples as ``values_list()`` does), without cloning a queryset or
a compiler. The results are the same objects; only the Python spent building the query (and ~45 µs
a call of cloning and set-up) is saved.

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

import contextlib
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import ModelIterable, ValuesListIterable, get_related_populators


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
        return fetch_together(self.bind(*values), using=using)[0]

    def bind(self, *values) -> "Bound":
        """This query with these values, to run now (``fetch``) or with others (``fetch_together``)."""
        if len(values) != len(self.sentinels):
            raise TypeError(f"expected {len(self.sentinels)} values, got {len(values)}")
        return Bound(self, values)

    def _statement(self, connection, using: str, values: tuple) -> tuple[str, list, "_RowMaker"]:
        compiled = self._compiled.get(connection)
        if compiled is None:
            compiled = self._compiled[connection] = self._compile(using)
        sql, params, positions, rows_to_results = compiled
        bound_params = list(params)
        for index, argument in positions:
            bound_params[index] = values[argument]
        return sql, bound_params, rows_to_results

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
        return sql, tuple(params), positions, _RowMaker(template, compiler, using)


class _RowMaker:
    """Rows of the compiled SQL to what the queryset gives: models, as Django's ``ModelIterable``
    makes them (the select list's converters, ``select_related`` populators, annotations), or
    tuples, as ``ValuesListIterable`` does (``values_list()``, converters applied); everything that
    depends only on the query is worked out once instead of on every evaluation."""

    def __init__(self, template: QuerySet, compiler, using: str) -> None:
        iterable = template._iterable_class
        if iterable not in (ModelIterable, ValuesListIterable) or template._prefetch_related_lookups:
            raise ValueError("only querysets of models or values_list tuples (no prefetch_related) can be compiled")
        if template._known_related_objects or compiler.has_composite_fields(compiler.select):
            raise ValueError("known related objects and composite fields are not supported")
        select, klass_info = compiler.select, compiler.klass_info
        self.using = using
        self.col_count = compiler.col_count if compiler.has_extra_select else None
        self.converters = compiler.get_converters([column[0] for column in select[: compiler.col_count]])
        self.apply_converters = compiler.apply_converters
        self.tuples = iterable is ValuesListIterable
        if self.tuples:
            return
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [column[0].target.attname for column in select[self.start : self.end]]
        self.populators = get_related_populators(klass_info, select, using)
        self.annotations = tuple(compiler.annotation_col_map.items())

    def __call__(self, rows: list) -> list:
        if self.col_count is not None:
            rows = [row[: self.col_count] for row in rows]
        if self.converters:
            rows = self.apply_converters(rows, self.converters)
        if self.tuples:
            return [tuple(row) for row in rows]
        from_db, using, init_list, start, end = self.model.from_db, self.using, self.init_list, self.start, self.end
        made = []
        for row in rows:
            obj = from_db(using, init_list, row[start:end])
            for populator in self.populators:
                populator.populate(row, obj)
            for name, position in self.annotations:
                setattr(obj, name, row[position])
            made.append(obj)
        return made


@dataclass(frozen=True)
class Bound:
    """A compiled query and the values of one run (``CompiledQuery.bind``)."""

    query: CompiledQuery
    values: tuple


def fetch_together(*reads: "Bound | Callable[[], list]", using: str = "default") -> list[list]:
    """The results of ``reads`` (bound compiled queries, or functions returning a list), in order.

    On PostgreSQL the compiled ones go to the server in one round trip (a psycopg pipeline) and
    come back together: on an idle machine a round trip to PostgreSQL costs ~80 µs of waking
    processes, more than these lookups take to run (three of them: ~270 µs one after the other,
    ~140 µs pipelined). Each is still its own statement (query counts, logs and execute wrappers
    see each one). Functions run afterwards, one by one; SQLite runs everything one by one.
    """
    connection = connections[using]
    compiled = [read for read in reads if isinstance(read, Bound)]
    results: dict[int, list] = {}
    if compiled and connection.vendor == "postgresql":
        cursor_of = getattr(connection, "prepared_cursor", connection.cursor)  # config.postgresql: prepared
        statements = [read.query._statement(connection, using, read.values) for read in compiled]
        with contextlib.ExitStack() as open_cursors:
            cursors = [open_cursors.enter_context(cursor_of()) for _ in statements]
            with contextlib.ExitStack() as pipeline:
                if len(statements) > 1:
                    pipeline.enter_context(connection.wrap_database_errors)  # errors surface at the sync
                    pipeline.enter_context(connection.connection.pipeline())
                for cursor, (sql, params, _) in zip(cursors, statements, strict=True):
                    cursor.execute(sql, params)
            for read, cursor, (_, _, rows_to_results) in zip(compiled, cursors, statements, strict=True):
                results[id(read)] = rows_to_results(cursor.fetchall())
    out = []
    for read in reads:
        if isinstance(read, Bound):
            out.append(results[id(read)] if id(read) in results else list(read.query.build(*read.values).using(using)))
        else:
            out.append(read())
    return out


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
