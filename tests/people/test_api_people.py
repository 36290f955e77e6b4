"""People: the directory, work schedules and teams, with the visibility policy."""

import pytest

from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


class TestDirectory:
    def test_search_by_name_username_and_email_lists_only_active_people(self, alice_client):
        UserFactory(username="carol", first_name="Carol", last_name="King", email="ck@corp.example")
        UserFactory(username="gone", first_name="Carol", is_active=False)
        for query in ["carol", "King", "ck@corp", "Carol King"]:
            names = [u["username"] for u in alice_client.get("/api/v1/users/", {"search": query}).json()["results"]]
            assert names == ["carol"], query

    def test_list_query_count_is_flat(self, alice_client, django_assert_max_num_queries):
        UserFactory.create_batch(30)
        with django_assert_max_num_queries(4):
            assert len(alice_client.get("/api/v1/users/?page_size=500").json()["results"]) == 31


class TestWorkSchedules:
    def test_read_defaults(self, alice_client):
        body = alice_client.get("/api/v1/work-schedules/me/").json()
        assert body["timezone"] == "Europe/Berlin"
        assert body["working_days"] == [0, 1, 2, 3, 4]
        assert body["holiday_country"] == ""

    def test_update_whole_schedule(self, alice_client, user):
        response = alice_client.put(
            "/api/v1/work-schedules/alice/",
            {
                "timezone": "America/New_York",
                "working_days": [4, 0, 0],
                "holiday_country": "us",
                "holiday_subdivision": "ny",
            },
            format="json",
        )
        assert response.status_code == 200, response.content
        assert response.json()["working_days"] == [0, 4]
        user.refresh_from_db()
        assert (str(user.timezone), user.holiday_country, user.holiday_subdivision) == ("America/New_York", "US", "NY")

    @pytest.mark.parametrize(
        "payload,attr",
        [
            ({"timezone": "Mars/Olympus"}, "timezone"),
            ({"working_days": [7]}, "working_days.0"),
            ({"working_days": "mon"}, "working_days"),
            ({"holiday_country": "XX"}, "holiday_country"),
            ({"holiday_country": "DE", "holiday_subdivision": "ZZ"}, "holiday_subdivision"),
            ({"holiday_subdivision": "BY"}, "holiday_subdivision"),
            ({"holiday_country": "DEU"}, "holiday_country"),
        ],
    )
    def test_invalid_schedule_is_400_on_the_field_and_changes_nothing(self, alice_client, user, payload, attr):
        response = alice_client.patch("/api/v1/work-schedules/me/", payload, format="json")
        assert response.status_code == 400, response.content
        assert attr in [e["attr"] for e in response.json()["errors"]]
        user.refresh_from_db()
        assert str(user.timezone) == "Europe/Berlin" and user.holiday_country == ""

    def test_another_users_schedule_is_404(self, alice_client, other):
        assert alice_client.get("/api/v1/work-schedules/bob/").status_code == 404
        assert (
            alice_client.patch("/api/v1/work-schedules/bob/", {"working_days": [0]}, format="json").status_code == 404
        )
        other.refresh_from_db()
        assert other.working_days == [0, 1, 2, 3, 4]

    def test_team_lead_sees_and_changes_members_schedules(self, client_for, user, other):
        TeamFactory(members=[other], leads=[user])
        client = client_for(user)
        assert client.get("/api/v1/work-schedules/bob/").status_code == 200
        assert client.patch("/api/v1/work-schedules/bob/", {"working_days": [1]}, format="json").status_code == 200
        # ...but a member does not see the lead's schedule.
        assert client_for(other).get("/api/v1/work-schedules/alice/").status_code == 404

    def test_staff_sees_everyone(self, client_for, staff, other):
        assert client_for(staff).get("/api/v1/work-schedules/bob/").status_code == 200

    def test_unknown_user_in_path_is_404(self, alice_client):
        assert alice_client.get("/api/v1/work-schedules/nobody/").status_code == 404


class TestTeams:
    def test_staff_creates_team(self, client_for, staff, user, other):
        response = client_for(staff).post(
            "/api/v1/teams/",
            {"name": "Support", "members": ["alice", "bob"], "leads": ["alice"], "min_available": 1},
            format="json",
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert [m["username"] for m in body["members"]] == ["alice", "bob"] or sorted(
            m["username"] for m in body["members"]
        ) == ["alice", "bob"]
        assert body["leads"][0]["name"] == "Alice Smith"
        assert response["ETag"]

    def test_duplicate_team_name_is_400_unique(self, client_for, staff):
        TeamFactory(name="Support")
        response = client_for(staff).post("/api/v1/teams/", {"name": "Support"}, format="json")
        assert response.status_code == 400
        assert response.json()["errors"][0] == {
            "code": "unique",
            "detail": response.json()["errors"][0]["detail"],
            "attr": "name",
        }

    def test_lead_changes_members_but_nothing_else(self, client_for, user, other):
        team = TeamFactory(name="Ops", members=[user], leads=[user])
        client = client_for(user)
        ok = client.patch(f"/api/v1/teams/{team.pk}/", {"members": ["alice", "bob"]}, format="json")
        assert ok.status_code == 200, ok.content
        assert set(team.members.values_list("username", flat=True)) == {"alice", "bob"}
        refused = client.patch(f"/api/v1/teams/{team.pk}/", {"min_available": 5}, format="json")
        assert refused.status_code == 403
        team.refresh_from_db()
        assert team.min_available == 0

    def test_non_lead_cannot_change_or_delete(self, client_for, other):
        team = TeamFactory(name="Ops")
        client = client_for(other)
        assert client.patch(f"/api/v1/teams/{team.pk}/", {"members": ["bob"]}, format="json").status_code == 403
        assert client.delete(f"/api/v1/teams/{team.pk}/").status_code == 403
        assert team.members.count() == 0

    def test_filter_by_member_me(self, client_for, user, other):
        TeamFactory(name="Mine", members=[user])
        TeamFactory(name="Theirs", members=[other])
        names = [t["name"] for t in client_for(user).get("/api/v1/teams/?member=me").json()["results"]]
        assert names == ["Mine"]

    def test_list_query_count_is_flat(self, alice_client, django_assert_max_num_queries):
        people = UserFactory.create_batch(10)
        for index in range(20):
            TeamFactory(members=people, leads=people[:2], name=f"T{index}")
        with django_assert_max_num_queries(6):
            assert len(alice_client.get("/api/v1/teams/?page_size=500").json()["results"]) == 20
