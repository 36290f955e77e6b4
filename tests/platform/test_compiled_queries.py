"""``config.compiled.CompiledQuery``: the hot path's querysets built once give exactly what building
them each time gives, and a builder whose SQL depends on its values is refused."""

import datetime as dt
from unittest import mock

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from absences.models import Absence
from config.api.fields import resolve_user_ref
from config.compiled import CompiledQuery, fetch_together
from coverage import selectors
from coverage.selectors import LOOKAHEAD, MOMENT, _absences_query, _rules_query, user_availability
from people.models import User
from rules.models import Rule
from tests.absences.factories import AbsenceFactory
from tests.factories import UserFactory
from tests.rules.factories import RuleFactory

ON_POSTGRES = connection.vendor == "postgresql"
AT = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)


def by_name(username: str):
    return User.objects.filter(username=username).order_by("pk")[:1]


@pytest.fixture
def people(db):
    away = UserFactory(username="away")
    coverer = UserFactory(username="coverer", email="Coverer@Example.com")
    UserFactory(username="gone", is_active=False)
    AbsenceFactory(user=away, start_at=AT - dt.timedelta(hours=2), end_at=AT + dt.timedelta(days=2), coverer=coverer)
    AbsenceFactory(user=away, start_at=AT + dt.timedelta(days=30), end_at=AT + dt.timedelta(days=31))
    AbsenceFactory(user=away, start_at=AT - dt.timedelta(days=400), end_at=AT - dt.timedelta(days=399))
    AbsenceFactory(
        user=away,
        start_at=AT - dt.timedelta(days=70, hours=3),
        end_at=AT - dt.timedelta(days=70, hours=1),
        recurrence="FREQ=WEEKLY",
        series_end_at=None,
    )
    AbsenceFactory(user=coverer, start_at=AT, end_at=AT + dt.timedelta(hours=1))
    RuleFactory(user=away, kind=Rule.Kind.RECURRING, start_at=None, end_at=None, coverer=coverer)
    RuleFactory(user=away, start_at=AT - dt.timedelta(days=1), end_at=AT + dt.timedelta(days=1))
    RuleFactory(user=away, start_at=AT + dt.timedelta(days=500), end_at=AT + dt.timedelta(days=501))
    RuleFactory(user=away, enabled=False, kind=Rule.Kind.RECURRING, start_at=None, end_at=None)
    return away, coverer


def snapshot(rows) -> list[tuple]:
    """What a caller reads off the models, related objects included (no lazy loads after this)."""
    out = []
    for row in rows:
        values = tuple(getattr(row, field.attname) for field in row._meta.concrete_fields)
        related = tuple(
            (name, getattr(cached, "pk", None))
            for name, cached in sorted(row._state.fields_cache.items())
            if cached is not None
        )
        out.append((values, related))
    return sorted(out, key=repr)


@pytest.mark.parametrize("at", [AT, AT + dt.timedelta(days=3), AT - dt.timedelta(days=69, hours=22)])
@pytest.mark.parametrize("window", [LOOKAHEAD, MOMENT])
@pytest.mark.parametrize("who", ["away", "both", "five"])
def test_few_peoples_absences_and_rules_are_what_the_querysets_give(people, at, window, who):
    away, coverer = people
    ids = {"away": [away.pk], "both": [coverer.pk, away.pk], "five": [away.pk, coverer.pk, -1, -2, -3]}[who]
    for compiled, build in ((selectors._few_absences, _absences_query), (selectors._few_rules, _rules_query)):
        fetched = compiled.fetch(ids, at, at + window)
        expected = list(build(ids, at, at + window))
        if window == LOOKAHEAD:
            assert fetched, "the data must give rows, or the comparison proves nothing"
        assert snapshot(fetched) == snapshot(expected)


def test_related_objects_come_loaded_without_more_queries(people):
    away, _ = people
    with CaptureQueriesContext(connection) as queries:
        absences = selectors._few_absences.fetch([away.pk], AT, AT + LOOKAHEAD)
        names = sorted((a.type.key, a.coverer.username if a.coverer else "") for a in absences)
    assert len(queries) == 1
    assert ("vacation", "coverer") in names


def test_availability_through_the_compiled_queries(people):
    away, _ = people
    availability = user_availability(away, AT)
    assert availability.available is False
    assert availability.back_at == AT + dt.timedelta(days=2)


@pytest.mark.parametrize(
    ("ref", "active_only", "expected"),
    [
        ("away", True, "away"),
        ("coverer@example.COM", True, "coverer"),
        ("gone", True, None),
        ("gone", False, "gone"),
        ("nobody", True, None),
    ],
)
def test_user_references(people, ref, active_only, expected):
    user = resolve_user_ref(ref, active_only=active_only)
    assert (user.username if user else None) == expected


def test_user_reference_by_id(people):
    away, _ = people
    assert resolve_user_ref(str(away.pk)) == away
    assert resolve_user_ref(away.pk).username == "away"
    assert resolve_user_ref(User.objects.get(username="gone").pk) is None


def test_each_call_runs_its_own_values(people):
    compiled = CompiledQuery(by_name, sentinels=("\x00a",), others=("\x00b",))
    assert [u.username for u in compiled.fetch("away")] == ["away"]
    assert [u.username for u in compiled.fetch("coverer")] == ["coverer"]
    assert compiled.fetch("nobody") == []


@pytest.mark.skipif(not ON_POSTGRES, reason="compiled only on PostgreSQL; SQLite builds each time")
class TestRefusedBuilders:
    def test_a_value_derived_from_an_argument(self, db):
        def build(start):
            return Absence.objects.filter(start_at__gte=start, end_at__lt=start + dt.timedelta(days=1))

        compiled = CompiledQuery(
            build, sentinels=(dt.datetime(1901, 1, 1, tzinfo=dt.UTC),), others=(dt.datetime(1902, 1, 1, tzinfo=dt.UTC),)
        )
        with pytest.raises(ValueError, match="depends on the values"):
            compiled.fetch(AT)

    def test_sql_whose_shape_depends_on_the_value(self, db):
        def build(ids):
            return User.objects.filter(pk__in=ids)

        compiled = CompiledQuery(build, sentinels=([-1],), others=([-2, -3],))
        with pytest.raises(ValueError):
            compiled.fetch([1])

    def test_a_sentinel_that_is_not_a_parameter(self, db):
        compiled = CompiledQuery(lambda name: User.objects.all()[:1], sentinels=("\x00a",), others=("\x00b",))
        with pytest.raises(ValueError, match="not parameters"):
            compiled.fetch("x")

    @pytest.mark.parametrize(
        "shape",
        [
            lambda qs: qs.values("username"),
            lambda qs: qs.values_list("username", flat=True),
            lambda qs: qs.values_list("username", named=True),
            lambda qs: qs.prefetch_related("teams"),
        ],
    )
    def test_rows_that_are_not_plain_models(self, db, shape):
        compiled = CompiledQuery(lambda name: shape(by_name(name)), sentinels=("\x00a",), others=("\x00b",))
        with pytest.raises(ValueError, match="only querysets of models or values_list"):
            compiled.fetch("x")

    def test_value_tuples_with_their_converters(self, people):
        def build(name):
            return User.objects.filter(username=name).order_by("pk").values_list("pk", "timezone", "username")[:1]

        compiled = CompiledQuery(build, sentinels=("\x00a",), others=("\x00b",))
        rows = compiled.fetch("away")
        assert rows == list(build("away")) and type(rows[0]) is tuple
        assert not isinstance(rows[0][1], str)  # the zone field's converter ran

    def test_annotations_and_converters_are_applied(self, people):
        from django.db.models import Count, F

        def build(name):
            return (
                User.objects.filter(username=name)
                .annotate(n_absences=Count("absences"), zone=F("timezone"))
                .order_by("pk")[:1]
            )

        compiled = CompiledQuery(build, sentinels=("\x00a",), others=("\x00b",))
        [user] = compiled.fetch("away")
        expected = build("away").get()
        assert (user.n_absences, user.zone, user.timezone) == (4, expected.zone, expected.timezone)
        assert user.timezone == expected.timezone and not isinstance(user.timezone, str)


def test_wrong_number_of_values(db):
    compiled = CompiledQuery(by_name, sentinels=("\x00a",), others=("\x00b",))
    with pytest.raises(TypeError):
        compiled.fetch("a", "b")


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.skipif(not ON_POSTGRES, reason="prepared statements are PostgreSQL's")
@pytest.mark.parametrize("prepared", [True, False])
def test_compiled_queries_are_prepared_unless_turned_off(people, settings, prepared):
    """``DB_PREPARED_STATEMENTS=false`` (a pooler that cannot keep them) sends the same SQL unprepared."""
    settings.DB_PREPARED_STATEMENTS = prepared
    compiled = CompiledQuery(
        lambda name: User.objects.filter(username=name).exclude(last_name="x").order_by("-date_joined")[:1],
        sentinels=("\x00a",),
        others=("\x00b",),
    )
    before = prepared_statements()
    assert [user.username for user in compiled.fetch("away")] == ["away"]
    new = [s for s in prepared_statements() if s not in before]
    assert [s for s in new if '"date_joined" DESC' in s] == ([new[0]] if prepared else [])


@pytest.mark.skipif(not ON_POSTGRES, reason="plan caching is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("prepared", "mode"), [(True, "force_generic_plan"), (False, "auto")])
def test_prepared_statements_are_planned_once_per_connection(settings, prepared, mode):
    """A prepared statement runs the plan made for it; nothing re-plans it with each call's values."""
    settings.DB_PREPARED_STATEMENTS = prepared
    connection.close()  # the setting applies to new connections
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW plan_cache_mode")
            assert cursor.fetchone()[0] == mode
    finally:
        connection.close()


def test_reads_fetched_together_are_what_each_gives_alone(people):
    """``fetch_together``: the compiled reads go out in one psycopg pipeline on PostgreSQL, other
    reads run after; each result is what its query gives on its own, in the order asked."""
    away, coverer = people
    reads = [
        selectors._few_absences.bind([away.pk], AT, AT + LOOKAHEAD),
        lambda: ["plain"],
        selectors._few_rules.bind([away.pk, coverer.pk], AT, AT + MOMENT),
        CompiledQuery(by_name, sentinels=("\x00a",), others=("\x00b",)).bind("coverer"),
    ]
    pipelines = []
    if ON_POSTGRES:
        real = type(connection.connection).pipeline

        def counting(conn):
            pipelines.append(conn)
            return real(conn)

        with mock.patch.object(type(connection.connection), "pipeline", counting):
            together = fetch_together(*reads)
    else:
        together = fetch_together(*reads)
    alone = [
        list(_absences_query([away.pk], AT, AT + LOOKAHEAD)),
        ["plain"],
        list(_rules_query([away.pk, coverer.pk], AT, AT + MOMENT)),
        list(by_name("coverer")),
    ]
    assert [snapshot(rows) if rows != ["plain"] else rows for rows in together] == [
        snapshot(rows) if rows != ["plain"] else rows for rows in alone
    ]
    assert together[0] and together[2] and together[3], "empty results would prove nothing"
    assert len(pipelines) == (1 if ON_POSTGRES else 0)


@pytest.mark.skipif(not ON_POSTGRES, reason="pipelines are PostgreSQL's")
def test_a_failed_read_in_a_pipeline_raises_djangos_error_and_leaves_the_connection_usable(people):
    from django.db import DataError
    from django.db.models import IntegerField, Value
    from django.db.models.functions import Cast

    def as_number(text):
        return User.objects.annotate(number=Cast(Value(text), IntegerField())).filter(username="away")[:1]

    number = CompiledQuery(as_number, sentinels=("\x00a",), others=("\x00b",))
    good = CompiledQuery(by_name, sentinels=("\x00a",), others=("\x00b",)).bind("away")
    # Raised by the server, at the pipeline's sync; the savepoint is what any caller inside a
    # transaction needs after a failed statement.
    with pytest.raises(DataError, match="invalid input syntax"), transaction.atomic():
        fetch_together(good, number.bind("twelve"))
    assert [u.username for u in fetch_together(good)[0]] == ["away"]
    [user] = fetch_together(number.bind("12"), good)[0]
    assert user.number == 12
