import datetime as dt

from absences.staffing import team_staffing
from tests.absences.factories import AbsenceFactory
from tests.factories import TeamFactory, UserFactory

MON = dt.date(2026, 3, 2)


def berlin(*args):
    from zoneinfo import ZoneInfo

    return dt.datetime(*args, tzinfo=ZoneInfo("Europe/Berlin"))


def test_counts_schedules_holidays_and_away_absences(db, django_assert_num_queries):
    anna = UserFactory(timezone="Europe/Berlin", holiday_country="DE", holiday_subdivision="BY")
    ben = UserFactory(timezone="America/New_York", working_days=[0, 1, 2])
    cleo = UserFactory(timezone="UTC")
    team = TeamFactory(members=[anna, ben, cleo], min_available=2)
    # Anna away Tuesday (local), Ben only in a meeting (not away) on Monday.
    AbsenceFactory(user=anna, start_at=berlin(2026, 3, 3, 0), end_at=berlin(2026, 3, 4, 0))
    AbsenceFactory(user=ben, type_id="meeting", start_at=dt.datetime(2026, 3, 2, 15, tzinfo=dt.UTC))

    with django_assert_num_queries(2):
        days = team_staffing(team, MON, MON + dt.timedelta(days=6))

    by_date = {d.date: d for d in days}
    assert [by_date[MON].available, by_date[MON].away] == [3, []]
    tue = by_date[MON + dt.timedelta(days=1)]
    assert (tue.available, tue.away, tue.below_minimum) == (2, [anna], False)
    thu = by_date[MON + dt.timedelta(days=3)]  # Ben does not work Thursdays
    assert (thu.scheduled, thu.available, thu.below_minimum) == (2, 2, False)
    sat = by_date[MON + dt.timedelta(days=5)]
    assert (sat.scheduled, sat.available, sat.below_minimum) == (0, 0, False)


def test_away_on_any_part_of_the_local_day_and_recurring(db):
    ny = UserFactory(timezone="America/New_York")
    other = UserFactory(timezone="UTC")
    team = TeamFactory(members=[ny, other], min_available=2)
    # 02:00-03:00 UTC on Tuesday is Monday evening in New York.
    AbsenceFactory(
        user=ny, start_at=dt.datetime(2026, 3, 3, 2, tzinfo=dt.UTC), end_at=dt.datetime(2026, 3, 3, 3, tzinfo=dt.UTC)
    )
    # Every Friday morning, away for the other member.
    AbsenceFactory(
        user=other,
        start_at=dt.datetime(2026, 3, 6, 9, tzinfo=dt.UTC),
        end_at=dt.datetime(2026, 3, 6, 10, tzinfo=dt.UTC),
        recurrence="FREQ=WEEKLY;BYDAY=FR",
    )
    days = {d.date: d for d in team_staffing(team, MON, dt.date(2026, 3, 20))}
    assert days[MON].away == [ny] and days[MON].below_minimum
    assert days[dt.date(2026, 3, 3)].away == []
    assert [d for d, s in days.items() if other in s.away] == [
        dt.date(2026, 3, 6),
        dt.date(2026, 3, 13),
        dt.date(2026, 3, 20),
    ]
