"""/api/v1/calendars/{id}/events/: timed and all-day native events, who may write them."""

import pytest

from calendars.models import Event
from tests.calendars.factories import CalendarFactory, EventFactory
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def calendar(user, other):
    return CalendarFactory(owner=other, members=[user], is_public=True)


def url(calendar, event=None) -> str:
    base = f"/api/v1/calendars/{calendar.pk}/events/"
    return f"{base}{event.pk}/" if event else base


def error_attr(response) -> str:
    assert response.status_code == 400, response.content
    return response.json()["errors"][0]["attr"]


def test_member_creates_a_timed_event_read_in_their_zone(alice_client, calendar):
    response = alice_client.post(
        url(calendar),
        {
            "type": "meeting",
            "title": "Planning",
            "start_at": "2026-11-10T10:00:00",
            "end_at": "2026-11-10T11:00:00",
            "attendees": ["bob", "me"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["start_at"], body["end_at"]) == ("2026-11-10T09:00:00Z", "2026-11-10T10:00:00Z")  # Berlin → UTC
    assert body["all_day"] is False and body["start_date"] is None
    assert body["calendar"] == calendar.pk
    assert sorted(a["username"] for a in body["attendees"]) == ["alice", "bob"]


def test_all_day_event_and_switching_back_to_timed(alice_client, calendar):
    response = alice_client.post(
        url(calendar),
        {"type": "release", "title": "Release", "start_date": "2026-12-01", "end_date": "2026-12-02"},
        format="json",
    )
    body = response.json()
    assert (body["all_day"], body["start_date"], body["end_date"]) == (True, "2026-12-01", "2026-12-02")
    event = Event.objects.get(pk=body["id"])
    patched = alice_client.patch(
        url(calendar, event), {"start_at": "2026-12-01T09:00:00Z", "end_at": "2026-12-01T10:00:00Z"}, format="json"
    ).json()
    assert (patched["all_day"], patched["start_date"], patched["end_date"]) == (False, None, None)
    assert (
        alice_client.patch(url(calendar, event), {"end_at": "2026-12-01T12:00:00Z"}, format="json").json()["end_at"]
        == "2026-12-01T12:00:00Z"
    )


@pytest.mark.parametrize(
    ("body", "attr"),
    [
        ({"title": "x"}, "start_at"),
        ({"title": "x", "start_at": "2026-11-10T10:00:00Z"}, "end_at"),
        ({"title": "x", "start_at": "2026-11-10T10:00:00Z", "end_at": "2026-11-10T10:00:00Z"}, "end_at"),
        ({"title": "x", "start_date": "2026-11-10", "end_date": "2026-11-09"}, "end_date"),
        ({"title": "x", "start_date": "2026-11-10"}, "end_date"),
        ({"title": "x", "start_date": "2026-11-10", "end_date": "2028-11-10"}, "end_date"),
        (
            {"title": "x", "start_date": "2026-11-10", "end_date": "2026-11-10", "start_at": "2026-11-10T10:00Z"},
            "start_date",
        ),
        ({"title": "", "start_date": "2026-11-10", "end_date": "2026-11-10"}, "title"),
        ({"title": "x", "type": "not a slug", "start_date": "2026-11-10", "end_date": "2026-11-10"}, "type"),
        ({"title": "x", "start_at": "soon", "end_at": "2026-11-10T10:00:00Z"}, "start_at"),
        ({"title": "x", "start_date": "2026-11-10", "end_date": "2026-11-10", "attendees": ["ghost"]}, "attendees.0"),
    ],
)
def test_bad_input(alice_client, calendar, body, attr):
    assert error_attr(alice_client.post(url(calendar), body, format="json")) == attr
    assert not Event.objects.exists()


def test_who_writes_events(client_for, calendar, user, other, staff):
    event = EventFactory(calendar=calendar)
    reader = UserFactory(username="reader")  # the calendar is public: reads, does not write
    teammate = UserFactory(username="teammate")
    calendar.teams.add(TeamFactory(members=[teammate]))
    assert client_for(reader).get(url(calendar, event)).json()["title"] == event.title
    assert client_for(reader).patch(url(calendar, event), {"title": "x"}, format="json").status_code == 403
    assert client_for(reader).delete(url(calendar, event)).status_code == 403
    for writer, title in ((user, "member"), (other, "owner"), (teammate, "team member"), (staff, "admin")):
        response = client_for(writer).patch(url(calendar, event), {"title": title}, format="json")
        assert response.status_code == 200, writer
        assert response.json()["title"] == title
    assert client_for(user).delete(url(calendar, event)).status_code == 204


def test_events_of_another_calendar_are_404(alice_client, calendar, other):
    foreign = EventFactory(calendar=CalendarFactory(owner=other, is_public=True))
    assert alice_client.get(url(calendar, foreign)).status_code == 404


def test_filters_and_flat_query_count(alice_client, calendar, django_assert_max_num_queries):
    for index in range(10):
        event = EventFactory(calendar=calendar, type="release" if index % 2 else "meeting")
        event.attendees.set([UserFactory(), UserFactory()])
    with django_assert_max_num_queries(8):
        response = alice_client.get(url(calendar), {"type": "release"})
    assert response.json()["count"] == 5
    assert {e["type"] for e in response.json()["results"]} == {"release"}


def test_limited_token_writes_events_only_on_its_calendars(token_client, user, calendar):
    mine = CalendarFactory(owner=user)
    client = token_client(user, [mine.pk])
    body = {"title": "x", "start_date": "2026-11-10", "end_date": "2026-11-10"}
    assert client.post(url(calendar), body, format="json").status_code == 404
    assert client.post(url(mine), body, format="json").status_code == 201
