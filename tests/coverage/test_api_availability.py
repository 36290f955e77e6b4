"""GET /api/v1/coverage/availability/{user}/: away time, merged stretches, DST, privacy, cost."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from rules.models import Rule
from tests.coverage.factories import T0, AwayFactory, RuleFactory, one_time
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
URL = "/api/v1/coverage/availability/{}/"


def berlin(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BERLIN)


def z(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def ask(client, who, at: dt.datetime | str | None = None):
    params = {} if at is None else {"at": at if isinstance(at, str) else at.isoformat()}
    response = client.get(URL.format(who), params)
    assert response.status_code == 200, response.content
    return response.json()


class TestAwayOrNot:
    def test_available_user_with_next_absence(self, user, alice_client):
        later = AwayFactory(user=user, start_at=T0 + dt.timedelta(days=3), title="Ski")
        body = ask(alice_client, "me", T0)
        assert body["available"] is True
        assert body["absence"] is None and body["back_at"] is None and body["coverer"] is None
        assert body["next_absence"]["id"] == later.pk
        assert body["next_absence"]["title"] == "Ski"
        assert body["at"] == z(T0)

    def test_away_shows_absence_coverer_and_message(self, user, other, alice_client):
        absence = AwayFactory(
            user=user, coverer=other, title="Beach", message="{user} is out until {until}; ask {coverer}."
        )
        body = ask(alice_client, "alice", T0 + dt.timedelta(hours=1))
        assert body["available"] is False
        assert body["absence"] == {
            "id": absence.pk,
            "type": "vacation",
            "title": "Beach",
            "start_at": z(absence.start_at),
            "end_at": z(absence.end_at),
        }
        assert body["back_at"] == z(absence.end_at)
        assert body["coverer"]["username"] == "bob"
        # 17:00 UTC is 18:00 in Berlin (alice's zone)
        assert body["message"] == "Alice Smith is out until Mon 23 Nov 2026, 18:00 CET; ask Bob Jones."

    def test_end_is_exclusive(self, user, alice_client):
        absence = AwayFactory(user=user)
        assert ask(alice_client, "me", absence.end_at)["available"] is True
        assert ask(alice_client, "me", absence.start_at)["available"] is False

    def test_meeting_never_makes_unavailable(self, user, alice_client):
        AwayFactory(user=user, type_id="meeting")
        body = ask(alice_client, "me", T0 + dt.timedelta(hours=1))
        assert body["available"] is True and body["next_absence"] is None

    def test_enabled_one_time_rule_window_makes_away_without_absence(self, user, other, alice_client):
        one_time(
            user, T0, T0 + dt.timedelta(hours=4), action=Rule.Action.REASSIGN, coverer=other, message="Ask {coverer}."
        )
        body = ask(alice_client, "me", T0 + dt.timedelta(hours=1))
        assert body["available"] is False and body["absence"] is None
        assert body["back_at"] == z(T0 + dt.timedelta(hours=4))
        assert body["coverer"]["username"] == "bob"
        assert body["message"] == "Ask Bob Jones."

    def test_disabled_one_time_rule_does_not(self, user, alice_client):
        one_time(user, T0, T0 + dt.timedelta(hours=4), enabled=False)
        assert ask(alice_client, "me", T0 + dt.timedelta(hours=1))["available"] is True

    def test_rule_coverer_beats_absence_coverer(self, user, other, alice_client):
        AwayFactory(user=user, coverer=other)
        carol = UserFactory(username="carol")
        RuleFactory(user=user, action=Rule.Action.REASSIGN, coverer=carol)
        assert ask(alice_client, "me", T0)["coverer"]["username"] == "carol"

    def test_default_at_is_now(self, user, alice_client):
        AwayFactory(user=user)
        with time_machine.travel(T0 + dt.timedelta(hours=2), tick=False):
            body = ask(alice_client, "me")
        assert body["available"] is False and body["at"] == z(T0 + dt.timedelta(hours=2))

    def test_naive_at_is_read_in_the_users_zone(self, user, alice_client):
        AwayFactory(user=user, start_at=T0, end_at=T0 + dt.timedelta(hours=1))  # 10:00-11:00 Berlin
        assert ask(alice_client, "me", "2026-11-23T10:30:00")["available"] is False
        assert ask(alice_client, "me", "2026-11-23T09:30:00")["available"] is True


class TestStretches:
    def test_touching_and_overlapping_absences_merge_across_dst(self, user, alice_client):
        # Berlin leaves summer time on Sun 25 Oct 2026 at 03:00.
        AwayFactory(user=user, start_at=berlin(2026, 10, 24, 0), end_at=berlin(2026, 10, 25, 12))
        AwayFactory(user=user, start_at=berlin(2026, 10, 25, 12), end_at=berlin(2026, 10, 26, 0))  # touches
        AwayFactory(user=user, start_at=berlin(2026, 10, 25, 20), end_at=berlin(2026, 10, 27, 10))  # overlaps
        gap = AwayFactory(user=user, start_at=berlin(2026, 10, 27, 10, 1), end_at=berlin(2026, 10, 28, 0))
        body = ask(alice_client, "me", berlin(2026, 10, 24, 12))
        assert body["back_at"] == z(berlin(2026, 10, 27, 10))
        assert body["next_absence"]["id"] == gap.pk
        assert ask(alice_client, "me", berlin(2026, 10, 26, 1))["back_at"] == z(berlin(2026, 10, 27, 10))

    def test_rule_window_touching_an_absence_extends_the_stretch(self, user, alice_client):
        AwayFactory(user=user, start_at=T0, end_at=T0 + dt.timedelta(hours=8))
        one_time(user, T0 + dt.timedelta(hours=8), T0 + dt.timedelta(days=2))
        assert ask(alice_client, "me", T0)["back_at"] == z(T0 + dt.timedelta(days=2))

    def test_stretch_through_recurring_occurrences(self, user, alice_client):
        # Every day 00:00-24:00 for a week, local: the touching occurrences make one stretch.
        AwayFactory(
            user=user,
            start_at=berlin(2026, 11, 2, 0),
            end_at=berlin(2026, 11, 3, 0),
            recurrence="FREQ=DAILY;COUNT=7",
        )
        body = ask(alice_client, "me", berlin(2026, 11, 3, 9))
        assert body["back_at"] == z(berlin(2026, 11, 9, 0))
        assert body["absence"]["start_at"] == z(berlin(2026, 11, 3, 0))

    def test_occurrences_last_the_first_ones_duration_across_dst(self, user, alice_client):
        # Each occurrence lasts end_at - start_at (24 h): on the 25-hour day of 25 Oct the occurrence
        # ends at 23:00 local, so a daily all-day series has a one-hour gap there.
        AwayFactory(
            user=user, start_at=berlin(2026, 10, 22, 0), end_at=berlin(2026, 10, 23, 0), recurrence="FREQ=DAILY;COUNT=7"
        )
        body = ask(alice_client, "me", berlin(2026, 10, 23, 9))
        assert body["back_at"] == z(berlin(2026, 10, 25, 23))
        assert body["next_absence"]["start_at"] == z(berlin(2026, 10, 26, 0))

    def test_all_day_daily_series_is_one_stretch_across_dst(self, user, alice_client):
        # All-day occurrences run local midnight to midnight (25 hours on 25 Oct), so they touch.
        AwayFactory(
            user=user,
            start_at=berlin(2026, 10, 22, 0),
            end_at=berlin(2026, 10, 23, 0),
            all_day=True,
            recurrence="FREQ=DAILY;COUNT=7",
        )
        assert ask(alice_client, "me", berlin(2026, 10, 23, 9))["back_at"] == z(berlin(2026, 10, 29, 0))

    def test_weekly_occurrence_keeps_wall_time_across_dst(self, user, alice_client):
        AwayFactory(
            user=user, start_at=berlin(2026, 10, 16, 13), end_at=berlin(2026, 10, 16, 14), recurrence="FREQ=WEEKLY"
        )
        before, after = (
            ask(alice_client, "me", berlin(2026, 10, 23, 13, 30)),
            ask(alice_client, "me", berlin(2026, 10, 30, 13, 30)),
        )
        assert before["available"] is False and after["available"] is False
        assert before["absence"]["start_at"] == "2026-10-23T11:00:00Z"  # CEST, UTC+2
        assert after["absence"]["start_at"] == "2026-10-30T12:00:00Z"  # CET, UTC+1
        assert after["back_at"] == "2026-10-30T13:00:00Z"
        assert ask(alice_client, "me", "2026-10-30T12:30:00Z")["available"] is False
        assert ask(alice_client, "me", "2026-10-30T13:30:00Z")["available"] is True
        assert (
            ask(alice_client, "me", berlin(2026, 10, 30, 14, 30))["next_absence"]["start_at"] == "2026-11-06T12:00:00Z"
        )

    def test_recurrence_exception_skips_an_occurrence(self, user, alice_client):
        AwayFactory(
            user=user,
            start_at=berlin(2026, 10, 16, 13),
            end_at=berlin(2026, 10, 16, 14),
            recurrence="FREQ=WEEKLY",
            recurrence_exceptions=["2026-10-30"],
        )
        assert ask(alice_client, "me", berlin(2026, 10, 30, 13, 30))["available"] is True


class TestPrivacyAndAccess:
    @pytest.fixture
    def sick(self, user, other):
        return AwayFactory(user=user, type_id="sickness", title="Flu", message="Ill. Ask {coverer}.", coverer=other)

    def test_others_see_private_absence_as_away(self, sick, client_for):
        stranger = UserFactory(username="zed")
        body = ask(client_for(stranger), "alice", T0)
        assert body["available"] is False
        assert body["absence"]["type"] == "away" and body["absence"]["title"] == ""
        assert body["message"] == ""
        assert body["coverer"]["username"] == "bob"

    @pytest.mark.parametrize("who", ["self", "lead", "staff"])
    def test_self_lead_and_staff_see_details(self, sick, user, staff, client_for, who):
        lead = UserFactory(username="lea")
        TeamFactory(members=[user], leads=[lead])
        caller = {"self": user, "lead": lead, "staff": staff}[who]
        body = ask(client_for(caller), "alice", T0)
        assert body["absence"]["type"] == "sickness" and body["absence"]["title"] == "Flu"
        assert body["message"] == "Ill. Ask Bob Jones."

    def test_fields_selects_keys(self, user, alice_client):
        body = alice_client.get(URL.format("me"), {"fields": "available,back_at"}).json()
        assert body == {"available": True, "back_at": None}
        response = alice_client.get(URL.format("me"), {"fields": "nope"})
        assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "fields"

    def test_user_by_email_and_id(self, user, client_for, other):
        client = client_for(other)
        assert ask(client, "alice@example.com")["user"]["id"] == user.pk
        assert ask(client, str(user.pk))["user"]["username"] == "alice"

    def test_unknown_or_inactive_user_is_404(self, alice_client):
        assert alice_client.get(URL.format("nobody")).status_code == 404
        assert alice_client.get(URL.format("al%00ice")).status_code == 404
        UserFactory(username="gone", is_active=False)
        response = alice_client.get(URL.format("gone"))
        assert response.status_code == 404 and response.json()["type"] == "client_error"

    @pytest.mark.parametrize("at", ["tomorrow", "9999-12-31T23:00:00Z", "0001-01-01T00:00:00"])
    def test_bad_at_is_400(self, alice_client, at):
        response = alice_client.get(URL.format("me"), {"at": at})
        assert response.status_code == 400
        assert response.json()["errors"][0]["attr"] == "at"

    def test_anonymous_is_refused(self, api_client):
        assert api_client.get(URL.format("alice")).status_code in (401, 403)


@pytest.mark.parametrize("count", [1, 40])
def test_availability_costs_a_fixed_number_of_queries(count, user, other, staff, client_for, django_assert_num_queries):
    """Four queries: the bearer token with its user, the user in the path, their absences in the
    year ahead of ``at`` (covering ones included), their rules (staff caller)."""
    for n in range(count):
        start = T0 - dt.timedelta(days=200) + dt.timedelta(days=9 * n)
        AwayFactory(user=user, start_at=start, end_at=start + dt.timedelta(days=9), coverer=other)
        RuleFactory(user=user, action=Rule.Action.REASSIGN, coverer=other, projects=[f"P{n}"])
        one_time(user, start, start + dt.timedelta(hours=1))
    AwayFactory(
        user=user,
        start_at=T0 - dt.timedelta(days=6),
        recurrence="FREQ=DAILY",
        end_at=T0 - dt.timedelta(days=6) + dt.timedelta(hours=1),
    )
    client = client_for(staff)
    with django_assert_num_queries(4):
        body = ask(client, "alice", T0)
    assert body["available"] is False
