"""My absences pages: list, create, edit, delete, warnings, and who may reach which absence."""

import datetime as dt

import pytest

from absences.models import Absence
from absences.services import absence_create
from people.models import Team

pytestmark = pytest.mark.django_db

FORM = {
    "type": "vacation",
    "title": "Beach",
    "all_day": "on",
    "start_date": "2026-12-01",
    "end_date": "2026-12-04",
    "coverer": "",
    "message": "",
    "repeats": "",
    "rrule": "",
}


def test_pages_need_sign_in(client):
    for path in ["/", "/absences/", "/absences/new/", "/rules/", "/calendar/", "/integrations/", "/settings/"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={path}"


def test_form_labels_match_the_spec(alice_browser, clock):
    html = alice_browser.get("/absences/new/").content.decode()
    for label in [
        "Type",
        "Title",
        "All day",
        "Start date",
        "End date",
        "Start",
        "End",
        "Coverer",
        "Message",
        "Repeats",
    ]:
        assert f"{label}</label>" in html or f"> {label}</label>" in html, label
    assert 'type="date"' in html and 'type="datetime-local"' in html
    assert '<button type="submit">Save</button>' in html


def test_create_all_day_absence_saves_and_lists_it(alice_browser, alice, bob, clock):
    response = alice_browser.post("/absences/new/", {**FORM, "coverer": "bob", "message": "Ask {coverer}"})

    assert response.status_code == 302 and response["Location"] == "/absences/"
    absence = Absence.objects.get(user=alice)
    assert (absence.all_day, absence.start_date, absence.end_date) == (True, dt.date(2026, 12, 1), dt.date(2026, 12, 4))
    assert absence.coverer == bob and absence.message == "Ask {coverer}"
    listing = alice_browser.get("/absences/").content.decode()
    assert "Beach" in listing and "Tue 1 Dec \u2013 Fri 4 Dec 2026" in listing and "Bob Jones" in listing


def test_timed_absence_is_read_in_my_time_zone(alice_browser, alice, clock):
    alice.timezone = "Europe/Berlin"
    alice.save()
    form = {**FORM, "all_day": "", "start": "2026-12-01T09:00", "end": "2026-12-01T13:00"}

    assert alice_browser.post("/absences/new/", form).status_code == 302

    absence = Absence.objects.get(user=alice)
    assert absence.start_at == dt.datetime(2026, 12, 1, 8, tzinfo=dt.UTC)
    assert "Tue 1 Dec 2026, 09:00 \u2013 13:00" in alice_browser.get("/absences/").content.decode()


def test_service_error_shows_next_to_its_field(alice_browser, clock):
    response = alice_browser.post("/absences/new/", {**FORM, "end_date": "2026-11-30"})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_end_date_error">End date must not be before start date.' in html
    assert 'aria-describedby="id_end_date_error"' in html and 'aria-invalid="true"' in html
    assert not Absence.objects.exists()


def test_unknown_coverer_and_bad_rrule_are_field_errors(alice_browser, clock):
    response = alice_browser.post(
        "/absences/new/", {**FORM, "coverer": "nobody", "repeats": "custom", "rrule": "FREQ=SOMETIMES"}
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_coverer_error">No active person with that username or email.' in html
    response = alice_browser.post("/absences/new/", {**FORM, "repeats": "custom", "rrule": "FREQ=SOMETIMES"})
    assert 'id="id_rrule_error"' in response.content.decode()
    assert not Absence.objects.exists()


def test_timed_end_before_start_marks_end(alice_browser, clock):
    form = {**FORM, "all_day": "", "start": "2026-12-01T13:00", "end": "2026-12-01T09:00"}
    response = alice_browser.post("/absences/new/", form)
    assert 'id="id_end_error">End must be after start.' in response.content.decode()


def test_recurrence_preset_becomes_an_rrule_and_reads_back(alice_browser, alice, clock):
    alice_browser.post("/absences/new/", {**FORM, "end_date": "2026-12-01", "repeats": "biweekly"})
    absence = Absence.objects.get(user=alice)
    assert absence.recurrence == "FREQ=WEEKLY;INTERVAL=2"
    html = alice_browser.get(f"/absences/{absence.pk}/edit/").content.decode()
    assert '<option value="biweekly" selected>' in html


def test_warnings_are_shown_before_saving_then_saved_when_seen(alice_browser, alice, bob, clock):
    absence_create(user=bob, start_date=dt.date(2026, 12, 2), end_date=dt.date(2026, 12, 2))
    form = {**FORM, "coverer": "bob"}

    first = alice_browser.post("/absences/new/", form)
    assert first.status_code == 200 and "bob is away during this absence" in first.content.decode()
    assert not Absence.objects.filter(user=alice).exists()

    check = alice_browser.post("/absences/check/", form)
    signature = check.context["signature"]
    assert "bob is away during this absence" in check.content.decode() and signature

    second = alice_browser.post("/absences/new/", {**form, "warnings_seen": signature})
    assert second.status_code == 302
    assert Absence.objects.filter(user=alice).exists()


def test_below_team_minimum_warning(alice_browser, alice, bob, clock):
    team = Team.objects.create(name="Ops", min_available=2)
    team.members.set([alice, bob])
    html = alice_browser.post("/absences/check/", FORM).content.decode()
    assert "Team Ops has fewer than 2 people available" in html


def test_edit_and_delete_my_absence(alice_browser, alice, clock):
    absence = absence_create(user=alice, start_date=dt.date(2026, 12, 1), end_date=dt.date(2026, 12, 2), title="Old")
    page = alice_browser.get(f"/absences/{absence.pk}/edit/").content.decode()
    assert 'value="Old"' in page and 'value="2026-12-01"' in page

    assert alice_browser.post(f"/absences/{absence.pk}/edit/", {**FORM, "title": "New"}).status_code == 302
    absence.refresh_from_db()
    assert (absence.title, absence.end_date) == ("New", dt.date(2026, 12, 4))

    confirm = alice_browser.get(f"/absences/{absence.pk}/delete/")
    assert "Delete this absence?" in confirm.content.decode() and Absence.objects.filter(pk=absence.pk).exists()
    assert alice_browser.post(f"/absences/{absence.pk}/delete/").status_code == 302
    assert not Absence.objects.filter(pk=absence.pk).exists()


def test_another_users_absence_is_404_everywhere(alice_browser, bob, clock):
    theirs = absence_create(user=bob, start_date=dt.date(2026, 12, 1), end_date=dt.date(2026, 12, 1))
    for path in [f"/absences/{theirs.pk}/edit/", f"/absences/{theirs.pk}/delete/"]:
        assert alice_browser.get(path).status_code == 404
    assert alice_browser.post(f"/absences/{theirs.pk}/edit/", FORM).status_code == 404
    assert alice_browser.post(f"/absences/{theirs.pk}/delete/").status_code == 404
    assert alice_browser.post(f"/absences/{theirs.pk}/check/", FORM).status_code == 404
    assert Absence.objects.filter(pk=theirs.pk, title="").exists()


def test_a_lead_may_edit_a_members_absence(client, alice, bob, clock):
    team = Team.objects.create(name="Ops")
    team.members.set([bob])
    team.leads.set([alice])
    theirs = absence_create(user=bob, start_date=dt.date(2026, 12, 1), end_date=dt.date(2026, 12, 1))
    client.force_login(alice)
    assert client.get(f"/absences/{theirs.pk}/edit/").status_code == 200


def test_list_shows_upcoming_first_and_past_on_request(alice_browser, alice, clock):
    absence_create(user=alice, start_date=dt.date(2026, 12, 10), end_date=dt.date(2026, 12, 10), title="Later")
    absence_create(user=alice, start_date=dt.date(2026, 11, 20), end_date=dt.date(2026, 11, 20), title="Sooner")
    absence_create(user=alice, start_date=dt.date(2026, 10, 1), end_date=dt.date(2026, 10, 1), title="Gone")

    upcoming = alice_browser.get("/absences/").content.decode()
    assert upcoming.index("Sooner") < upcoming.index("Later") and "Gone" not in upcoming
    past = alice_browser.get("/absences/?past=1").content.decode()
    assert "Gone" in past and "Later" not in past


def test_user_text_is_escaped(alice_browser, alice, clock):
    absence_create(
        user=alice, start_date=dt.date(2026, 12, 1), end_date=dt.date(2026, 12, 1), title="<script>alert(1)</script>"
    )
    html = alice_browser.get("/absences/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_long_lists_are_paged(alice_browser, alice, clock):
    for n in range(52):
        day = dt.date(2026, 12, 1) + dt.timedelta(days=n)
        absence_create(user=alice, start_date=day, end_date=day, title=f"Day {n}")
    first = alice_browser.get("/absences/").content.decode()
    assert "Day 49<" in first and "Day 50<" not in first and "Page 1 of 2" in first
    second = alice_browser.get("/absences/?page=2").content.decode()
    assert "Day 51<" in second and "Day 0<" not in second


def test_edit_form_shows_times_in_the_owners_zone(alice_browser, alice, clock):
    alice.timezone = "Europe/Berlin"
    alice.save()
    start = dt.datetime(2026, 12, 1, 8, tzinfo=dt.UTC)
    absence = absence_create(
        user=alice, start_at=start, end_at=start + dt.timedelta(hours=4), recurrence="FREQ=DAILY;COUNT=2"
    )

    html = alice_browser.get(f"/absences/{absence.pk}/edit/").content.decode()

    assert 'value="2026-12-01T09:00"' in html and 'value="2026-12-01T13:00"' in html
    assert '<option value="custom" selected>' in html and 'value="FREQ=DAILY;COUNT=2"' in html
