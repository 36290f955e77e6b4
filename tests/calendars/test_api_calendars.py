"""/api/v1/calendars/: who sees, who changes, feed keys for owner and admin, token limits."""

import pytest

from calendars.models import Calendar
from tests.calendars.factories import CalendarFactory
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/calendars/"


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [c["name"] for c in response.json()["results"]]


def error_attr(response) -> str:
    assert response.status_code == 400, response.content
    return response.json()["errors"][0]["attr"]


class TestCreate:
    def test_owner_defaults_to_the_caller_and_sees_the_feed(self, alice_client, user, other):
        team = TeamFactory(members=[user, other])
        response = alice_client.post(
            URL,
            {
                "name": "Platform",
                "color": "#aa00ff",
                "members": ["bob", user.email],
                "teams": [team.pk],
                "absence_types": ["vacation", "trip"],
            },
            format="json",
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["owner"]["username"] == "alice"
        assert [m["username"] for m in body["members"]] == ["alice", "bob"]
        assert body["teams"] == [team.pk]
        assert sorted(body["absence_types"]) == ["trip", "vacation"]
        assert body["is_public"] is False
        calendar = Calendar.objects.get(pk=body["id"])
        assert body["feed_key"] == calendar.feed_key and len(calendar.feed_key) >= 40
        assert body["feed_url"] == f"http://testserver/api/v1/calendars/{calendar.pk}/feed.ics?key={calendar.feed_key}"
        assert response["ETag"]

    @pytest.mark.parametrize(
        ("body", "attr"),
        [
            ({"name": ""}, "name"),
            ({"name": "x", "color": "red"}, "color"),
            ({"name": "x", "members": ["ghost"]}, "members.0"),
            ({"name": "x", "absence_types": ["nope"]}, "absence_types"),
            ({"name": "x", "teams": [999]}, "teams"),
            ({"name": "x", "owner": "bob"}, "owner"),
        ],
    )
    def test_bad_input(self, alice_client, other, body, attr):
        assert error_attr(alice_client.post(URL, body, format="json")) == attr
        assert not Calendar.objects.exists()

    def test_non_admins_share_only_people_and_teams_they_belong_to_or_lead(self, alice_client, user, staff):
        stranger = UserFactory(username="stranger")
        foreign_team = TeamFactory(members=[stranger])
        led = UserFactory(username="led")
        TeamFactory(members=[led], leads=[user])
        assert error_attr(alice_client.post(URL, {"name": "x", "members": ["led", "stranger"]}, format="json")) == (
            "members.1"
        )
        assert error_attr(alice_client.post(URL, {"name": "x", "teams": [foreign_team.pk]}, format="json")) == "teams.0"
        assert alice_client.post(URL, {"name": "x", "members": ["led"]}, format="json").status_code == 201

    def test_admin_may_create_for_anyone_with_anyone(self, client_for, staff, user, other):
        response = client_for(staff).post(URL, {"name": "Ops", "owner": "alice", "members": ["bob"]}, format="json")
        assert response.status_code == 201
        assert response.json()["owner"]["username"] == "alice"


class TestVisibility:
    def test_owned_member_team_and_public_calendars_are_listed(self, alice_client, user, other):
        CalendarFactory(name="Mine", owner=user)
        CalendarFactory(name="Member", owner=other, members=[user])
        CalendarFactory(name="Via team", owner=other, teams=[TeamFactory(members=[user])])
        CalendarFactory(name="Public", owner=other, is_public=True)
        CalendarFactory(name="Hidden", owner=other, members=[other])
        assert names(alice_client.get(URL)) == ["Member", "Mine", "Public", "Via team"]
        assert names(alice_client.get(URL, {"is_public": "true"})) == ["Public"]
        assert names(alice_client.get(URL, {"owner": "me"})) == ["Mine"]

    def test_members_read_without_keys_and_cannot_change(self, client_for, user, other):
        calendar = CalendarFactory(owner=user, members=[other])
        client = client_for(other)
        body = client.get(f"{URL}{calendar.pk}/").json()
        assert body["name"] == calendar.name
        assert "feed_key" not in body and "feed_url" not in body
        assert all("feed_key" not in c for c in client.get(URL).json()["results"])
        assert client.patch(f"{URL}{calendar.pk}/", {"name": "Mine now"}, format="json").status_code == 403
        assert client.delete(f"{URL}{calendar.pk}/").status_code == 403
        assert Calendar.objects.get(pk=calendar.pk).name == calendar.name

    def test_invisible_calendars_are_404(self, alice_client, other):
        calendar = CalendarFactory(owner=other)
        assert alice_client.get(f"{URL}{calendar.pk}/").status_code == 404
        assert alice_client.patch(f"{URL}{calendar.pk}/", {"name": "x"}, format="json").status_code == 404
        assert alice_client.get(f"{URL}{calendar.pk}/events/").status_code == 404

    def test_owner_and_admin_change_and_delete(self, alice_client, client_for, staff, user, other):
        calendar = CalendarFactory(owner=user)
        response = alice_client.patch(f"{URL}{calendar.pk}/", {"is_public": True, "members": ["me"]}, format="json")
        assert response.status_code == 200
        assert response.json()["is_public"] is True and response.json()["members"][0]["username"] == "alice"
        admin_view = client_for(staff).get(f"{URL}{calendar.pk}/").json()
        assert admin_view["feed_key"] == calendar.feed_key
        assert client_for(staff).patch(f"{URL}{calendar.pk}/", {"name": "Renamed"}, format="json").status_code == 200
        assert alice_client.delete(f"{URL}{calendar.pk}/").status_code == 204
        assert not Calendar.objects.exists()

    def test_stale_if_match_is_a_412(self, alice_client, user):
        calendar = CalendarFactory(owner=user)
        etag = alice_client.get(f"{URL}{calendar.pk}/")["ETag"]
        alice_client.patch(f"{URL}{calendar.pk}/", {"name": "First"}, format="json")
        response = alice_client.patch(f"{URL}{calendar.pk}/", {"name": "Second"}, format="json", HTTP_IF_MATCH=etag)
        assert response.status_code == 412
        assert Calendar.objects.get(pk=calendar.pk).name == "First"

    def test_list_query_count_is_flat(self, alice_client, user, django_assert_max_num_queries):
        for _index in range(12):
            CalendarFactory(owner=user, members=[UserFactory() for _ in range(3)], teams=[TeamFactory()])
        with django_assert_max_num_queries(8):
            assert len(names(alice_client.get(URL))) == 12


class TestTokenLimits:
    def test_limited_token_sees_only_its_calendars(self, token_client, user):
        allowed = CalendarFactory(name="Allowed", owner=user)
        other = CalendarFactory(name="Other", owner=user, is_public=True)
        client = token_client(user, [allowed.pk])
        assert names(client.get(URL)) == ["Allowed"]
        assert client.get(f"{URL}{other.pk}/").status_code == 404
        assert client.patch(f"{URL}{other.pk}/", {"name": "x"}, format="json").status_code == 404
        assert client.delete(f"{URL}{other.pk}/").status_code == 404
        assert client.get(f"{URL}{other.pk}/events/").status_code == 404
        assert client.patch(f"{URL}{allowed.pk}/", {"name": "Renamed"}, format="json").status_code == 200

    def test_limited_token_cannot_create_calendars(self, token_client, user):
        allowed = CalendarFactory(owner=user)
        response = token_client(user, [allowed.pk]).post(URL, {"name": "New"}, format="json")
        assert response.status_code == 403
        assert Calendar.objects.count() == 1

    def test_an_empty_list_means_not_limited(self, token_client, user):
        CalendarFactory(name="A", owner=user)
        CalendarFactory(name="B", owner=user)
        assert names(token_client(user, []).get(URL)) == ["A", "B"]
