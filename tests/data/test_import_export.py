"""Export → import round trips (CSV and ICS), idempotent re-imports, bad rows, dry runs."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from absences.models import Absence, AbsenceChange
from absences.services import absence_create, absence_delete
from tests.factories import UserFactory

DOMAIN_FIELDS = (
    "type_id", "title", "start_at", "end_at", "all_day", "start_date", "end_date", "message", "reason",
    "recurrence", "recurrence_exceptions",
)  # fmt: skip


def dump(absence: Absence) -> tuple:
    values = tuple(getattr(absence, name) for name in DOMAIN_FIELDS)
    people = (absence.user.username, getattr(absence.coverer, "username", None))
    return (*people, getattr(absence.approval_delegate, "username", None), *values)


def snapshot() -> list:
    return sorted((dump(a) for a in Absence.objects.select_related("user", "coverer", "approval_delegate")), key=str)


def run(command: str, *args, **options) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


@pytest.fixture
def people(db):
    return {
        "alice": UserFactory(username="alice", timezone="Europe/Berlin"),
        "lena": UserFactory(username="lena", timezone="America/New_York"),
        "hiro": UserFactory(username="hiro", email="hiro@example.jp", timezone="Asia/Tokyo"),
    }


@pytest.fixture
def variety(people):
    """Timed, all-day and recurring absences of people in three zones, with and without sync keys."""
    alice, lena, hiro = people["alice"], people["lena"], people["hiro"]
    berlin = dt.datetime(2026, 3, 27, 13, tzinfo=dt.UTC)
    return [
        absence_create(user=alice, title="Dentist", start_at=berlin, end_at=berlin + dt.timedelta(hours=2)),
        absence_create(
            user=alice,
            type="vacation",
            title='Ski, "Alps"\nsecond line',
            message="Back on {until}; ask {coverer}.",
            coverer=lena,
            approval_delegate=hiro,
            reason="Annual leave",
            start_date=dt.date(2026, 2, 9),
            end_date=dt.date(2026, 2, 13),
            source="hr",
            source_id="A-17",
        ),
        # Weekly across the DST change, with a skipped day and a skipped occurrence.
        absence_create(
            user=lena,
            type="training",
            title="Course",
            start_at=dt.datetime(2026, 3, 2, 14, tzinfo=dt.UTC),
            end_at=dt.datetime(2026, 3, 2, 16, tzinfo=dt.UTC),
            recurrence="FREQ=WEEKLY;BYDAY=MO;UNTIL=20260601T000000Z",
            recurrence_exceptions=["2026-03-16", "2026-04-06T13:00:00Z"],
        ),
        absence_create(
            user=hiro,
            type="meeting",
            title="東京 offsite",
            start_date=dt.date(2026, 1, 5),
            end_date=dt.date(2026, 1, 5),
            recurrence="FREQ=MONTHLY;COUNT=6",
            source="cal",
            source_id="uid-123@example.jp",
        ),
        absence_create(user=hiro, type="sickness", start_date=dt.date(2026, 12, 30), end_date=dt.date(2027, 1, 2)),
    ]


def delete_all() -> None:
    for absence in Absence.objects.all():
        absence_delete(absence=absence)


@pytest.mark.django_db
@pytest.mark.parametrize("file_format", ["csv", "ics"])
def test_export_then_import_into_an_empty_database_gives_identical_absences(variety, tmp_path, file_format):
    before = snapshot()
    keys = sorted((a.source, a.source_id) for a in variety if a.source)
    path = tmp_path / f"absences.{file_format}"
    run("export_absences", format=file_format, output=str(path))
    delete_all()

    report = run("import_absences", str(path))

    assert report.splitlines()[0] == "Imported: 5 created, 0 updated, 0 unchanged, 0 failed."
    assert snapshot() == before
    assert sorted((a.source, a.source_id) for a in Absence.objects.filter(source__in=["hr", "cal"])) == keys


@pytest.mark.django_db
@pytest.mark.parametrize("file_format", ["csv", "ics"])
def test_reimporting_an_export_reports_every_row_unchanged_and_writes_nothing(variety, tmp_path, file_format):
    path = tmp_path / f"absences.{file_format}"
    run("export_absences", format=file_format, output=str(path))
    changes, stamps = AbsenceChange.objects.count(), sorted(Absence.objects.values_list("updated_at", flat=True))

    report = run("import_absences", str(path))

    assert report.strip() == "Imported: 0 created, 0 updated, 5 unchanged, 0 failed."
    assert AbsenceChange.objects.count() == changes
    assert sorted(Absence.objects.values_list("updated_at", flat=True)) == stamps


@pytest.mark.django_db
def test_a_changed_row_updates_its_absence_and_only_that_one(variety, tmp_path):
    path = tmp_path / "absences.csv"
    run("export_absences", format="csv", output=str(path))
    path.write_text(path.read_text().replace("Dentist", "Orthodontist"))

    report = run("import_absences", str(path))

    assert report.strip() == "Imported: 0 created, 1 updated, 4 unchanged, 0 failed."
    assert Absence.objects.get(pk=variety[0].pk).title == "Orthodontist"


BAD_FILE = """user,type,start,end,title,source_id,recurrence
alice,vacation,2026-07-01,2026-07-10,Summer,s-1,
zed,vacation,2026-07-01,2026-07-03,Unknown person,s-2,
alice,vacation,2026-07-10T10:00:00Z,2026-07-10T09:00:00Z,Backwards,s-3,
alice,holiday,2026-08-01,2026-08-02,No such type,s-4,
alice,vacation,2026-13-01,2026-13-02,Bad date,s-5,
alice,vacation,2026-09-01,2026-09-02,"A title
over two lines",,
alice,training,2026-09-07T09:00:00,2026-09-07T11:00:00,Weekly,s-7,FREQ=SOMETIMES
lena,trip,2026-10-05,2026-10-06,Conference,s-8,
"""


@pytest.mark.django_db
def test_a_file_with_bad_rows_imports_the_good_ones_and_names_each_bad_line_and_reason(people, tmp_path):
    path = tmp_path / "hr.csv"
    path.write_text(BAD_FILE)

    lines = run("import_absences", str(path), source="hr").splitlines()

    assert lines[0] == "Imported: 2 created, 0 updated, 0 unchanged, 6 failed."
    failures = dict(line.split(": ", 1) for line in lines[1:])
    assert list(failures) == ["line 3", "line 4", "line 5", "line 6", "line 7", "line 9"]
    assert failures["line 3"] == "user: No active user 'zed'."
    assert failures["line 4"] == "end_at: End must be after start."
    assert failures["line 5"].startswith("type: No active absence type 'holiday'")
    assert failures["line 6"].startswith("start: '2026-13-01' is neither a date")
    assert failures["line 7"].startswith("source_id: Every row needs a source_id")
    assert failures["line 9"].startswith("recurrence: Invalid RRULE")
    imported = Absence.objects.order_by("source_id")
    assert [(a.source, a.source_id, a.user.username, a.title) for a in imported] == [
        ("hr", "s-1", "alice", "Summer"),
        ("hr", "s-8", "lena", "Conference"),
    ]


@pytest.mark.django_db
def test_naive_datetimes_are_read_in_the_users_zone(people, tmp_path):
    path = tmp_path / "naive.csv"
    path.write_text("user,start,end,source_id\nalice,2026-07-01T09:00,2026-07-01T12:00,n-1\n")
    run("import_absences", str(path))
    absence = Absence.objects.get(source_id="n-1")
    assert absence.start_at == dt.datetime(2026, 7, 1, 7, tzinfo=dt.UTC)  # 09:00 in Berlin (CEST)
    assert absence.source == "import" and absence.type_id == "vacation" and absence.all_day is False


@pytest.mark.django_db
def test_dry_run_reports_what_would_happen_and_writes_nothing(people, tmp_path):
    path = tmp_path / "hr.csv"
    path.write_text(BAD_FILE)

    lines = run("import_absences", str(path), dry_run=True).splitlines()

    assert lines[0] == "Dry run (nothing written): 2 created, 0 updated, 0 unchanged, 6 failed."
    assert len(lines) == 7
    assert Absence.objects.count() == 0
    assert AbsenceChange.objects.count() == 0


FOREIGN_ICS = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Example//Calendar//EN\r
BEGIN:VEVENT\r
UID:holiday-1@example.com\r
DTSTAMP:20260101T000000Z\r
DTSTART;VALUE=DATE:20260803\r
DTEND;VALUE=DATE:20260815\r
SUMMARY:Summer holiday\r
ORGANIZER;CN=Hiro:mailto:hiro@example.jp\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:standup-7@example.com\r
DTSTAMP:20260101T000000Z\r
DTSTART;TZID=Asia/Tokyo:20260105T090000\r
DURATION:PT30M\r
RRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=40\r
EXDATE;TZID=Asia/Tokyo:20260107T090000\r
SUMMARY:Standup\r
X-STANDIN-USER:hiro\r
X-STANDIN-TYPE:meeting\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:nobody@example.com\r
DTSTAMP:20260101T000000Z\r
DTSTART;VALUE=DATE:20260901\r
SUMMARY:Whose?\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:standup-7@example.com\r
RECURRENCE-ID;TZID=Asia/Tokyo:20260108T090000\r
DTSTAMP:20260101T000000Z\r
DTSTART;TZID=Asia/Tokyo:20260108T100000\r
DURATION:PT30M\r
X-STANDIN-USER:hiro\r
END:VEVENT\r
END:VCALENDAR\r
"""


@pytest.mark.django_db
def test_ics_from_another_calendar_imports_by_uid_with_recurrence_and_all_day_dates(people, tmp_path):
    path = tmp_path / "calendar.ics"
    path.write_text(FOREIGN_ICS, newline="")

    lines = run("import_absences", str(path), source="google").splitlines()

    assert lines[0] == "Imported: 2 created, 0 updated, 0 unchanged, 2 failed."
    assert lines[1] == "line 23: user: Name the user: X-STANDIN-USER, or an ORGANIZER/ATTENDEE email."
    assert lines[2].startswith("line 29: recurrence: Changed single occurrences (RECURRENCE-ID)")
    holiday = Absence.objects.get(source="google", source_id="holiday-1@example.com")
    assert (holiday.user.username, holiday.all_day, holiday.start_date, holiday.end_date) == (
        "hiro",
        True,
        dt.date(2026, 8, 3),
        dt.date(2026, 8, 14),
    )
    standup = Absence.objects.get(source_id="standup-7@example.com")
    assert standup.type_id == "meeting"
    assert standup.start_at == dt.datetime(2026, 1, 5, 0, tzinfo=dt.UTC)
    assert standup.end_at - standup.start_at == dt.timedelta(minutes=30)
    assert standup.recurrence == "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=40"
    assert standup.recurrence_exceptions == ["2026-01-07T00:00:00Z"]
    assert run("import_absences", str(path), source="google").splitlines()[0] == (
        "Imported: 0 created, 0 updated, 2 unchanged, 2 failed."
    )


@pytest.mark.django_db
def test_export_narrows_to_users_and_a_window(variety, people):
    csv_text = run(
        "export_absences", format="csv", user=["hiro@example.jp"], **{"from": "2026-07-01", "to": "2027-01-01"}
    )
    rows = csv_text.splitlines()
    assert rows[0].startswith("user,type,start,end,all_day")
    assert [row.split(",")[0] for row in rows[1:]] == ["hiro"]
    assert "2026-12-30,2027-01-02,true" in rows[1]


@pytest.mark.django_db
def test_ics_export_is_a_calendar_with_time_zones_rrules_and_dates(variety):
    text = run("export_absences", format="ics")
    assert text.startswith("BEGIN:VCALENDAR")
    assert "BEGIN:VTIMEZONE\r\nTZID:America/New_York" in text
    assert "DTSTART;TZID=America/New_York:20260302T090000" in text
    assert "RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20260601T000000Z" in text
    assert "DTSTART;VALUE=DATE:20260209" in text and "DTEND;VALUE=DATE:20260214" in text
    assert text.count("BEGIN:VEVENT") == 5


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.txt", "x", "Give a .csv or an .ics file."),
        ("a.csv", "", "The file is empty"),
        ("a.csv", "user,start,end,source_id,colour\n", "unknown column(s): colour"),
        ("a.csv", "user,start\n", "missing column(s): end, source_id"),
        ("a.ics", "BEGIN:VCALENDAR\nnot ical", "Not a valid iCalendar file"),
    ],
)
def test_unreadable_files_import_nothing_and_say_why(people, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run("import_absences", str(path))
    assert Absence.objects.count() == 0


@pytest.mark.django_db
def test_long_files_show_a_progress_bar_on_stderr(people, tmp_path):
    rows = "".join(
        f"alice,2026-01-01T{h:02d}:00:00Z,2026-01-01T{h:02d}:30:00Z,p-{i}-{h}\n" for i in range(10) for h in range(24)
    )
    path = tmp_path / "long.csv"
    path.write_text("user,start,end,source_id\n" + rows)
    out, err = io.StringIO(), io.StringIO()

    call_command("import_absences", str(path), stdout=out, stderr=err)

    assert out.getvalue().strip() == "Imported: 240 created, 0 updated, 0 unchanged, 0 failed."
    assert "240/240" in err.getvalue()
