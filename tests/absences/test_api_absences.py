"""Absences over the API: fields, all-day and DST, validation, visibility, privacy."""

import datetime as dt

import pytest
import time_machine

from absences.models import Absence
from absences.selectors import details_visible_to, present_absence
from tests.absences.factories import AbsenceFactory
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/absences/"
TIMES = {"start_at": "2026-03-02T09:00", "end_at": "2026-03-02T17:00"}


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def errors(response) -> list[tuple[str, str]]:
    return [(e["attr"], e["code"]) for e in response.json()["errors"]]


class TestCreate:
    @time_machine.travel("2026-02-01T12:00:00Z")
    def test_defaults_and_naive_times_in_the_users_zone(self, alice_client, user):
        response = alice_client.post(URL, {"start_at": "2026-03-02T09:00", "end_at": "2026-03-02T17:00"})
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["user"] == {"id": user.pk, "username": "alice", "email": "alice@example.com", "name": "Alice Smith"}
        assert body["type"] == "vacation"
        # Berlin is UTC+1 in March before the DST change.
        assert (body["start_at"], body["end_at"]) == ("2026-03-02T08:00:00Z", "2026-03-02T16:00:00Z")
        assert (body["all_day"], body["start_date"], body["end_date"]) == (False, None, None)
        assert (body["state"], body["working_days"], body["warnings"]) == ("upcoming", 1, [])
        assert body["created_at"].endswith("Z") and body["recurrence_exceptions"] == []

    def test_every_field_round_trips(self, alice_client, other, carol):
        payload = {
            "type": "trip",
            "title": "Customer visit",
            "start_at": "2026-03-02T09:00:00+01:00",
            "end_at": "2026-03-04T18:00:00+01:00",
            "message": "Back on {until}; ask {coverer}.",
            "coverer": "bob",
            "approval_delegate": "carol@example.com",
            "reason": "Sales",
            "source": "hr",
            "source_id": "A-1",
        }
        body = alice_client.post(URL, payload).json()
        assert body["type"] == "trip" and body["title"] == "Customer visit" and body["reason"] == "Sales"
        assert body["coverer"]["username"] == "bob" and body["approval_delegate"]["username"] == "carol"
        assert (body["source"], body["source_id"], body["message"]) == ("hr", "A-1", payload["message"])
        assert body["working_days"] == 3
        fetched = alice_client.get(f"{URL}{body['id']}/").json()
        assert {k: v for k, v in fetched.items() if k != "warnings"} == {
            k: v for k, v in body.items() if k != "warnings"
        }

    @pytest.mark.parametrize(
        "payload,attr,code",
        [
            ({**TIMES, "type": "holiday"}, "type", "does_not_exist"),
            ({**TIMES, "type": "retired"}, "type", "does_not_exist"),
            ({**TIMES, "title": "x" * 201}, "title", "max_length"),
            ({**TIMES, "end_at": "2026-03-02T09:00"}, "end_at", "end_before_start"),
            ({**TIMES, "end_at": "2026-03-02T08:00"}, "end_at", "end_before_start"),
            ({**TIMES, "end_at": "2027-03-04T09:00"}, "end_at", "max_duration"),
            ({**TIMES, "start_at": "not a time"}, "start_at", "invalid"),
            ({"start_at": "0001-01-01T00:30", "end_at": "0001-01-01T01:00"}, "start_at", "out_of_range"),
            ({"start_at": "9999-12-31T22:00", "end_at": "9999-12-31T23:30"}, "start_at", "out_of_range"),
            ({"start_date": "9999-12-31"}, "start_date", "out_of_range"),
            ({"start_at": None, "end_at": "2026-03-02T09:00"}, "start_at", "null"),
            ({"end_at": "2026-03-02T09:00"}, "start_at", "required"),
            ({"start_date": "2026-03-05", "end_date": "2026-03-04"}, "end_date", "end_before_start"),
            ({"start_date": "2026-03-05", "end_date": "2027-03-06"}, "end_date", "max_duration"),
            ({"end_date": "2026-03-05"}, "start_date", "required"),
            ({**TIMES, "start_date": "2026-03-05"}, "start_date", "exclusive"),
            ({"start_date": "5 March"}, "start_date", "invalid"),
            ({**TIMES, "message": "m" * 2001}, "message", "max_length"),
            ({**TIMES, "coverer": "alice"}, "coverer", "self_cover"),
            ({**TIMES, "coverer": "nobody"}, "coverer", "unknown"),
            ({**TIMES, "approval_delegate": "ghost@example.com"}, "approval_delegate", "unknown"),
            ({**TIMES, "reason": "r" * 81}, "reason", "max_length"),
            ({**TIMES, "source": "s" * 31, "source_id": "1"}, "source", "max_length"),
            ({**TIMES, "source": "hr", "source_id": "i" * 129}, "source_id", "max_length"),
            ({**TIMES, "recurrence": "FREQ=SOMETIMES"}, "recurrence", "invalid_rrule"),
            ({**TIMES, "recurrence": "FREQ=WEEKLY;UNTIL=20261231"}, "recurrence", "invalid_rrule"),
            ({**TIMES, "recurrence": "FREQ=HOURLY"}, "recurrence", "invalid_rrule"),
            ({**TIMES, "recurrence": "FREQ=WEEKLY;INTERVAL=0"}, "recurrence", "invalid_rrule"),
            ({**TIMES, "recurrence": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"}, "recurrence", "invalid_rrule"),
            ({**TIMES, "recurrence": "FREQ=DAILY\nDTSTART:20260101T000000Z"}, "recurrence", "invalid_rrule"),
            (
                {**TIMES, "recurrence": "FREQ=WEEKLY", "recurrence_exceptions": ["friday"]},
                "recurrence_exceptions.0",
                "invalid",
            ),
            ({**TIMES, "recurrence_exceptions": "2026-03-06"}, "recurrence_exceptions", "not_a_list"),
            # Schema-valid (a date, a date-time) but outside the years every time runs in: not "invalid".
            (
                {**TIMES, "recurrence": "FREQ=WEEKLY", "recurrence_exceptions": ["2026-03-06", "0001-01-01"]},
                "recurrence_exceptions.1",
                "out_of_range",
            ),
            (
                {**TIMES, "recurrence": "FREQ=WEEKLY", "recurrence_exceptions": ["0001-01-01T00:00:00+05:00"]},
                "recurrence_exceptions.0",
                "out_of_range",
            ),
            ({**TIMES, "user": "bob"}, "user", "not_permitted"),
            ({**TIMES, "user": "nobody"}, "user", "unknown"),
        ],
    )
    def test_bad_input_is_400_on_its_field_and_writes_nothing(self, alice_client, other, payload, attr, code):
        from absences.models import AbsenceType

        AbsenceType.objects.create(key="retired", name="Retired", is_active=False)
        response = alice_client.post(URL, payload)
        assert response.status_code == 400, response.content
        assert response.json()["type"] == "validation_error"
        assert errors(response) == [(attr, code)]
        assert Absence.objects.count() == 0

    def test_missing_times_is_400_on_start_at(self, alice_client):
        response = alice_client.post(URL, {"title": "Away"})
        assert errors(response) == [("start_at", "required")]

    def test_repeating_a_sync_key_is_400_unique(self, alice_client):
        payload = {"start_at": "2026-03-02T09:00", "end_at": "2026-03-02T17:00", "source": "hr", "source_id": "7"}
        assert alice_client.post(URL, payload).status_code == 201
        response = alice_client.post(URL, payload)
        assert response.status_code == 400
        assert errors(response) == [("source_id", "unique")]
        assert Absence.objects.count() == 1


class TestAllDay:
    @pytest.mark.parametrize(
        "zone,day,start,end,hours",
        [
            # Europe/Berlin: CET→CEST on 29 March, back on 25 October 2026.
            ("Europe/Berlin", "2026-03-29", "2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z", 23),
            ("Europe/Berlin", "2026-10-25", "2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z", 25),
            # America/New_York: EST→EDT on 8 March, back on 1 November 2026.
            ("America/New_York", "2026-03-08", "2026-03-08T05:00:00Z", "2026-03-09T04:00:00Z", 23),
            ("America/New_York", "2026-11-01", "2026-11-01T04:00:00Z", "2026-11-02T05:00:00Z", 25),
        ],
    )
    def test_a_day_runs_midnight_to_midnight_local_at_both_dst_edges(self, client_for, zone, day, start, end, hours):
        person = UserFactory(timezone=zone)
        response = client_for(person).post(URL, {"start_date": day, "end_date": day})
        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["all_day"], body["start_date"], body["end_date"]) == (True, day, day)
        assert (body["start_at"], body["end_at"]) == (start, end)
        absence = Absence.objects.get()
        assert absence.end_at - absence.start_at == dt.timedelta(hours=hours)

    def test_several_days_across_the_change_and_end_date_defaults_to_start(self, alice_client):
        body = alice_client.post(URL, {"start_date": "2026-03-27", "end_date": "2026-03-30"}).json()
        assert (body["start_at"], body["end_at"]) == ("2026-03-26T23:00:00Z", "2026-03-30T22:00:00Z")
        assert body["working_days"] == 2  # Friday and Monday
        single = alice_client.post(URL, {"start_date": "2026-10-25"}).json()
        assert (single["end_date"], single["end_at"]) == ("2026-10-25", "2026-10-25T23:00:00Z")

    def test_switching_between_all_day_and_timed(self, alice_client):
        created = alice_client.post(URL, {"start_date": "2026-03-02", "end_date": "2026-03-03"}).json()
        timed = alice_client.patch(f"{URL}{created['id']}/", {"end_at": "2026-03-02T12:00"}).json()
        assert (timed["all_day"], timed["start_date"], timed["start_at"]) == (False, None, "2026-03-01T23:00:00Z")
        again = alice_client.patch(f"{URL}{created['id']}/", {"end_date": "2026-03-04"}).json()
        assert (again["all_day"], again["start_date"], again["end_date"]) == (True, "2026-03-02", "2026-03-04")

    def test_moving_an_all_day_absence_to_another_user_follows_their_zone(self, client_for, staff, user, carol):
        created = client_for(staff).post(URL, {"user": "alice", "start_date": "2026-03-02"}).json()
        moved = client_for(staff).patch(f"{URL}{created['id']}/", {"user": "carol"}).json()
        assert (moved["start_at"], moved["end_at"]) == ("2026-03-02T05:00:00Z", "2026-03-03T05:00:00Z")


class TestRecurrence:
    def test_weekly_at_1300_local_across_dst_with_exceptions(self, alice_client):
        from absences.recurrence import occurrences

        response = alice_client.post(
            URL,
            {
                "start_at": "2026-03-20T13:00",
                "end_at": "2026-03-20T14:00",
                "recurrence": "FREQ=WEEKLY;BYDAY=FR;COUNT=4",
                "recurrence_exceptions": ["2026-03-27", "2026-04-10T13:00"],
            },
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["recurrence_exceptions"] == ["2026-03-27", "2026-04-10T11:00:00Z"]
        absence = Absence.objects.select_related("user").get()
        found = occurrences(absence, utc(2026, 3, 1), utc(2026, 5, 1))
        # 13:00 in Berlin: 12:00Z in winter, 11:00Z after 29 March; 27 March and 10 April skipped.
        assert found == [(utc(2026, 3, 20, 12), utc(2026, 3, 20, 13)), (utc(2026, 4, 3, 11), utc(2026, 4, 3, 12))]
        assert absence.series_end_at == utc(2026, 4, 10, 12)

    def test_state_and_working_days_follow_the_current_or_next_occurrence(self, alice_client):
        created = alice_client.post(
            URL,
            {"start_date": "2026-03-02", "end_date": "2026-03-03", "recurrence": "FREQ=WEEKLY;COUNT=3"},
        ).json()
        detail = f"{URL}{created['id']}/"
        with time_machine.travel("2026-03-05T12:00:00Z"):
            assert alice_client.get(detail).json()["state"] == "upcoming"
        with time_machine.travel("2026-03-10T12:00:00Z"):
            assert alice_client.get(detail).json()["state"] == "current"
        with time_machine.travel("2026-03-20T12:00:00Z"):
            body = alice_client.get(detail).json()
            assert (body["state"], body["working_days"]) == ("past", 2)

    def test_recurring_all_day_keeps_local_midnights(self, alice_client):
        from absences.recurrence import occurrences

        alice_client.post(URL, {"start_date": "2026-03-22", "recurrence": "FREQ=WEEKLY;COUNT=2"})
        absence = Absence.objects.select_related("user").get()
        second = occurrences(absence, utc(2026, 3, 25), utc(2026, 4, 5))
        assert second == [(utc(2026, 3, 28, 23), utc(2026, 3, 29, 22))]


class TestWorkingDays:
    def test_public_holidays_of_each_users_country(self, client_for):
        bavarian = UserFactory(timezone="Europe/Berlin", holiday_country="DE", holiday_subdivision="BY")
        new_yorker = UserFactory(timezone="America/New_York", holiday_country="US", holiday_subdivision="NY")
        june = {"start_date": "2026-06-01", "end_date": "2026-06-05"}  # Corpus Christi (DE-BY) on Thursday
        july = {"start_date": "2026-06-29", "end_date": "2026-07-05"}  # Independence Day observed (US) on Friday
        assert client_for(bavarian).post(URL, june).json()["working_days"] == 4
        assert client_for(new_yorker).post(URL, june).json()["working_days"] == 5
        assert client_for(bavarian).post(URL, july).json()["working_days"] == 5
        assert client_for(new_yorker).post(URL, july).json()["working_days"] == 4

    def test_work_schedule_days_only(self, client_for):
        part_time = UserFactory(working_days=[0, 2])
        body = client_for(part_time).post(URL, {"start_date": "2026-03-02", "end_date": "2026-03-08"}).json()
        assert body["working_days"] == 2

    @time_machine.travel("2026-06-02T12:00:00Z")
    def test_recurring_counts_per_occurrence(self, client_for):
        bavarian = UserFactory(timezone="Europe/Berlin", holiday_country="DE", holiday_subdivision="BY")
        body = (
            client_for(bavarian)
            .post(URL, {"start_date": "2026-05-25", "end_date": "2026-05-29", "recurrence": "FREQ=WEEKLY;COUNT=3"})
            .json()
        )
        # The current occurrence is 1-5 June, with Corpus Christi.
        assert (body["state"], body["working_days"]) == ("current", 4)


class TestVisibility:
    def test_another_users_absence_is_404_for_read_update_delete(self, alice_client, other):
        theirs = AbsenceFactory(user=other)
        detail = f"{URL}{theirs.pk}/"
        assert alice_client.get(detail).status_code == 404
        assert alice_client.patch(detail, {"title": "mine"}).status_code == 404
        assert alice_client.put(detail, {"start_date": "2026-03-02"}).status_code == 404
        assert alice_client.delete(detail).status_code == 404
        assert alice_client.get(URL).json()["count"] == 0
        theirs.refresh_from_db()
        assert theirs.title == ""

    def test_a_lead_sees_and_manages_members_absences(self, client_for, user, lead, other):
        mine = AbsenceFactory(user=user, type_id="sickness", title="Flu")
        AbsenceFactory(user=other)
        lead_client = client_for(lead)
        listed = lead_client.get(URL).json()["results"]
        assert [(a["id"], a["type"], a["title"]) for a in listed] == [(mine.pk, "sickness", "Flu")]
        response = lead_client.post(
            URL, {"user": "alice", "start_at": "2026-03-02T09:00", "end_at": "2026-03-02T10:00"}
        )
        assert response.status_code == 201 and response.json()["user"]["username"] == "alice"
        assert response.json()["start_at"] == "2026-03-02T08:00:00Z"  # naive times read in Alice's zone
        assert lead_client.patch(f"{URL}{mine.pk}/", {"title": "Cold"}).json()["title"] == "Cold"
        assert lead_client.post(URL, {"user": "bob", "start_date": "2026-03-02"}).status_code == 400

    def test_staff_see_and_change_everyone(self, client_for, staff, user, other):
        AbsenceFactory(user=user)
        theirs = AbsenceFactory(user=other)
        admin = client_for(staff)
        assert admin.get(URL).json()["count"] == 2
        assert admin.post(URL, {"user": "bob", "start_date": "2026-03-02"}).status_code == 201
        assert admin.delete(f"{URL}{theirs.pk}/").status_code == 204
        assert not Absence.objects.filter(pk=theirs.pk).exists()

    def test_members_do_not_see_each_other(self, client_for, user, lead):
        teammate = UserFactory()
        user.teams.first().members.add(teammate)
        AbsenceFactory(user=user)
        assert client_for(teammate).get(URL).json()["count"] == 0


class TestPrivacy:
    def test_private_types_are_masked_for_those_without_details(self, user, lead, other, staff):
        sick = AbsenceFactory(user=user, type_id="sickness", title="Flu", reason="Doctor", message="Ill")
        trip = AbsenceFactory(user=user, type_id="trip", title="Fair")
        masked = present_absence(sick, details_visible=False)
        assert (masked["type"], masked["title"], masked["reason"], masked["message"]) == ("away", "", "", "")
        assert masked["start_at"] == "2026-03-02T09:00:00Z" and masked["user"]["username"] == "alice"
        assert present_absence(trip, details_visible=False)["title"] == "Fair"
        assert present_absence(sick, details_visible=True)["title"] == "Flu"
        assert details_visible_to(user, user.pk, admin=False)
        assert details_visible_to(lead, user.pk, admin=False)
        assert details_visible_to(staff, user.pk, admin=True)
        assert not details_visible_to(other, user.pk, admin=False)

    def test_the_api_shows_details_to_the_user(self, alice_client, user):
        AbsenceFactory(user=user, type_id="sickness", title="Flu")
        assert alice_client.get(URL).json()["results"][0]["title"] == "Flu"


class TestUpdateDelete:
    def test_put_replaces_and_resets_omitted_fields(self, alice_client, user):
        absence = AbsenceFactory(user=user, title="Old", reason="R", type_id="trip")
        response = alice_client.put(f"{URL}{absence.pk}/", {"start_date": "2026-04-01"})
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["title"], body["reason"], body["type"], body["all_day"]) == ("", "", "vacation", True)

    def test_put_without_times_is_400(self, alice_client, user):
        absence = AbsenceFactory(user=user)
        assert errors(alice_client.put(f"{URL}{absence.pk}/", {"title": "x"})) == [("start_at", "required")]

    def test_patch_validates_against_the_stored_values(self, alice_client, user):
        absence = AbsenceFactory(user=user)
        response = alice_client.patch(f"{URL}{absence.pk}/", {"end_at": "2026-03-01T00:00:00Z"})
        assert errors(response) == [("end_at", "end_before_start")]

    def test_etag_of_a_write_matches_a_later_read(self, alice_client, user):
        response = alice_client.post(URL, {"start_date": "2026-03-02"})
        detail = f"{URL}{response.json()['id']}/"
        assert alice_client.get(detail)["ETag"] == response["ETag"]
        stale = alice_client.patch(detail, {"title": "a"}, HTTP_IF_MATCH=response["ETag"])
        assert stale.status_code == 200
        assert alice_client.patch(detail, {"title": "b"}, HTTP_IF_MATCH=response["ETag"]).status_code == 412

    def test_delete(self, alice_client, user):
        absence = AbsenceFactory(user=user)
        assert alice_client.delete(f"{URL}{absence.pk}/").status_code == 204
        assert alice_client.get(f"{URL}{absence.pk}/").status_code == 404


class TestWarnings:
    def test_coverer_away_and_below_team_minimum(self, alice_client, user, other):
        TeamFactory(name="Ops", members=[user, other], min_available=2)
        AbsenceFactory(user=other, start_at=utc(2026, 3, 3, 8), end_at=utc(2026, 3, 3, 12))
        response = alice_client.post(URL, {"start_date": "2026-03-02", "end_date": "2026-03-04", "coverer": "bob"})
        assert response.status_code == 201
        codes = {w["code"]: w for w in response.json()["warnings"]}
        assert set(codes) == {"coverer_away", "below_team_minimum"}
        assert "bob" in codes["coverer_away"]["detail"]
        assert "2026-03-02, 2026-03-03, 2026-03-04" in codes["below_team_minimum"]["detail"]
        assert alice_client.get(f"{URL}{response.json()['id']}/").json()["warnings"] == []

    def test_no_warnings_when_staffed_or_not_away(self, alice_client, user, other):
        TeamFactory(members=[user, other, UserFactory()], min_available=2)
        AbsenceFactory(user=other, type_id="meeting", start_at=utc(2026, 3, 3, 8))
        response = alice_client.post(URL, {"start_date": "2026-03-02", "end_date": "2026-03-04", "coverer": "bob"})
        assert response.json()["warnings"] == []
        meeting = alice_client.post(URL, {"type": "meeting", "start_date": "2026-03-02"})
        assert meeting.json()["warnings"] == []

    def test_warnings_on_update_too(self, alice_client, user, other):
        TeamFactory(members=[user, other], min_available=2)
        AbsenceFactory(user=other, start_at=utc(2026, 3, 10, 8))
        created = alice_client.post(URL, {"start_date": "2026-03-02"}).json()
        moved = alice_client.patch(f"{URL}{created['id']}/", {"start_date": "2026-03-10", "end_date": "2026-03-10"})
        assert [w["code"] for w in moved.json()["warnings"]] == ["below_team_minimum"]


class TestHostileInput:
    """NUL bytes are refused by PostgreSQL inside queries: they must come back as 400/404, never 500."""

    @pytest.mark.parametrize("field", ["user", "coverer", "approval_delegate", "type"])
    def test_nul_in_references_is_400_on_the_field(self, alice_client, field):
        response = alice_client.post(URL, {**TIMES, field: "a\x00b"})
        assert response.status_code == 400
        assert response.json()["errors"][0]["attr"] == field

    @pytest.mark.parametrize("query", ["type=%00", "user=%00", "source=%00", "from=%00"])
    def test_nul_in_filters_is_400(self, alice_client, query):
        assert alice_client.get(f"{URL}?{query}").status_code == 400

    def test_nul_in_paths_is_404(self, alice_client):
        assert alice_client.get("/api/v1/absence-types/a%00b/").status_code == 404
        assert alice_client.put(f"{URL}by-source/a%00/b/", TIMES).status_code == 404
