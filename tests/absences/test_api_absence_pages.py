"""Pages of the absence list counted by the page's own query (``COUNT(*) OVER ()``): the same
totals, links and 404s as a separate count gave, also past the end and for an empty list."""

import datetime as dt

import pytest

from tests.absences.factories import AbsenceFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/absences/"


@pytest.fixture
def seven(user):
    start = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    return [
        AbsenceFactory(user=user, start_at=start + dt.timedelta(days=n), end_at=start + dt.timedelta(days=n, hours=2))
        for n in range(7)
    ]


def page(client, **params):
    response = client.get(URL, {"page_size": 3, **params})
    return response.status_code, response.json()


def test_each_page_has_the_total_and_its_rows_in_order(alice_client, seven):
    seen = []
    for number, size in ((1, 3), (2, 3), (3, 1)):
        status, body = page(alice_client, page=number)
        assert status == 200 and body["count"] == 7 and len(body["results"]) == size
        assert (body["next"] is None) == (number == 3) and (body["previous"] is None) == (number == 1)
        seen += [row["id"] for row in body["results"]]
    assert seen == [absence.pk for absence in seven]


def test_last_names_the_last_page(alice_client, seven):
    status, body = page(alice_client, page="last")
    assert status == 200 and body["count"] == 7 and [row["id"] for row in body["results"]] == [seven[-1].pk]


def test_a_page_past_the_end_is_a_404(alice_client, seven):
    assert page(alice_client, page=4)[0] == 404


def test_an_empty_list_is_an_empty_first_page(alice_client, seven):
    status, body = page(alice_client, type="sickness")
    assert status == 200 and body == {"count": 0, "next": None, "previous": None, "results": []}
    assert page(alice_client, type="sickness", page=2)[0] == 404


def test_a_filtered_window_counts_only_its_rows(alice_client, seven):
    params = {"from": "2026-03-03T00:00:00Z", "to": "2026-03-06T00:00:00Z"}
    status, body = page(alice_client, **params, page=1)
    assert status == 200 and body["count"] == 3 and [row["id"] for row in body["results"]] == [a.pk for a in seven[1:4]]
