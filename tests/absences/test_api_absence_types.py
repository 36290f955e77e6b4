"""Absence types: everyone reads, staff acting as admin change."""

import pytest

from absences.models import AbsenceType
from tests.absences.factories import AbsenceFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/absence-types/"


def test_seeded_types_are_listed(alice_client):
    body = alice_client.get(URL).json()
    types = {t["key"]: t for t in body["results"]}
    assert set(types) == {"vacation", "sickness", "trip", "training", "other", "meeting"}
    assert types["sickness"]["private"] and types["sickness"]["counts_as_away"]
    assert not types["meeting"]["counts_as_away"] and not types["vacation"]["private"]
    assert alice_client.get(f"{URL}trip/").json()["name"] == "Business trip"


def test_staff_create_change_and_delete(client_for, staff):
    admin = client_for(staff)
    payload = {"key": "parental", "name": "Parental leave", "color": "#112233", "private": True}
    created = admin.post(URL, payload)
    assert created.status_code == 201, created.content
    assert created.json() == {**payload, "counts_as_away": True, "is_active": True}
    changed = admin.patch(f"{URL}parental/", {"name": "Parental", "is_active": False, "key": "ignored"})
    assert changed.json()["name"] == "Parental" and changed.json()["key"] == "parental"
    assert not AbsenceType.objects.get(key="parental").is_active
    assert admin.delete(f"{URL}parental/").status_code == 204
    assert admin.get(f"{URL}parental/").status_code == 404


def test_others_may_not_change_types(alice_client):
    assert alice_client.post(URL, {"key": "x", "name": "X"}).status_code == 403
    assert alice_client.patch(f"{URL}vacation/", {"name": "Holiday"}).status_code == 403
    assert alice_client.delete(f"{URL}vacation/").status_code == 403
    assert AbsenceType.objects.get(key="vacation").name == "Vacation"


def test_put_is_not_offered(client_for, staff):
    assert client_for(staff).put(f"{URL}vacation/", {"key": "vacation", "name": "V"}).status_code == 405


@pytest.mark.parametrize(
    "payload,attr",
    [
        ({"key": "vacation", "name": "Again"}, "key"),
        ({"key": "away", "name": "Away"}, "key"),
        ({"key": "not a slug", "name": "X"}, "key"),
        ({"key": "x", "name": "X", "color": "red"}, "color"),
        ({"key": "x", "name": ""}, "name"),
    ],
)
def test_bad_types_are_400(client_for, staff, payload, attr):
    response = client_for(staff).post(URL, payload)
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == attr


def test_a_type_in_use_is_not_deleted(client_for, staff, user):
    AbsenceFactory(user=user, type_id="trip")
    response = client_for(staff).delete(f"{URL}trip/")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "protected"
    assert "deactivate" in response.json()["errors"][0]["detail"]
    assert AbsenceType.objects.filter(key="trip").exists()


def test_inactive_types_refuse_new_absences(client_for, staff, alice_client):
    client_for(staff).patch(f"{URL}training/", {"is_active": False})
    response = alice_client.post("/api/v1/absences/", {"type": "training", "start_date": "2026-03-02"})
    assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "type"
