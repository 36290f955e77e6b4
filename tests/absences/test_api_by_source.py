"""Idempotent sync by (source, source_id), also under concurrency."""

import threading

import pytest
from django.db import connection

from absences.models import Absence
from tests.absences.factories import AbsenceFactory
from tests.conftest import requires_postgres
from tests.factories import UserFactory

URL = "/api/v1/absences/by-source/hr/E-42/"
BODY = {"start_at": "2026-03-02T09:00", "end_at": "2026-03-02T17:00", "title": "Dentist", "type": "other"}


@pytest.mark.django_db
class TestBySource:
    def test_creates_then_replaces(self, alice_client, user):
        created = alice_client.put(URL, BODY)
        assert created.status_code == 201, created.content
        body = created.json()
        assert (body["source"], body["source_id"], body["title"], body["type"]) == ("hr", "E-42", "Dentist", "other")
        replaced = alice_client.put(URL, {"start_date": "2026-03-03"})
        assert replaced.status_code == 200
        again = replaced.json()
        assert again["id"] == body["id"]
        # A replacement: what the body leaves out goes back to its default.
        assert (again["title"], again["type"], again["all_day"]) == ("", "vacation", True)
        assert Absence.objects.count() == 1

    def test_validates_like_a_create(self, alice_client):
        response = alice_client.put(URL, {"start_at": "2026-03-02T09:00", "end_at": "2026-03-02T08:00"})
        assert response.status_code == 400
        assert response.json()["errors"][0]["attr"] == "end_at"
        assert not Absence.objects.exists()

    def test_path_wins_over_body_key(self, alice_client):
        body = alice_client.put(URL, {**BODY, "source": "other", "source_id": "x"}).json()
        assert (body["source"], body["source_id"]) == ("hr", "E-42")

    def test_another_users_key_is_404(self, alice_client, other):
        AbsenceFactory(user=other, source="hr", source_id="E-42", title="theirs")
        assert alice_client.put(URL, BODY).status_code == 404
        assert Absence.objects.get().title == "theirs"

    def test_a_lead_syncs_for_a_member(self, client_for, lead, user):
        response = client_for(lead).put(URL, {**BODY, "user": "alice"})
        assert response.status_code == 201 and response.json()["user"]["username"] == "alice"
        assert client_for(user).put(URL, BODY).status_code == 200

    def test_post_after_put_is_400_unique(self, alice_client):
        alice_client.put(URL, BODY)
        response = alice_client.post("/api/v1/absences/", {**BODY, "source": "hr", "source_id": "E-42"})
        assert response.status_code == 400 and response.json()["errors"][0]["code"] == "unique"


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_sixteen_concurrent_identical_puts_leave_one_row(client_for):
    person = UserFactory(username="sync", timezone="Europe/Berlin")
    clients = [client_for(person) for _ in range(16)]
    barrier = threading.Barrier(16)
    statuses: list[int] = []
    lock = threading.Lock()

    def put(client):
        try:
            barrier.wait()
            status = client.put(URL, BODY).status_code
            with lock:
                statuses.append(status)
        finally:
            connection.close()

    threads = [threading.Thread(target=put, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 15 + [201]
    assert Absence.objects.filter(source="hr", source_id="E-42").count() == 1
