"""Every absence endpoint, filter and field is in the OpenAPI schema."""

import pytest

pytestmark = pytest.mark.django_db


def test_schema_documents_absences(alice_client):
    response = alice_client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    for path in (
        "/api/v1/absence-types/",
        "/api/v1/absence-types/{key}/",
        "/api/v1/absences/",
        "/api/v1/absences/{id}/",
        "/api/v1/absences/by-source/{source}/{source_id}/",
    ):
        assert path in paths, path
    params = {p["name"] for p in paths["/api/v1/absences/"]["get"]["parameters"]}
    assert {"user", "type", "source", "source_id", "state", "from", "to", "sort", "fields", "page_size"} <= params
    assert {"start_at__gte", "start_at__lt", "end_at__gte", "end_at__lt", "updated_at__gte"} <= params
    fields = schema["components"]["schemas"]["Absence"]["properties"]
    assert {"warnings", "state", "working_days", "all_day", "recurrence_exceptions"} <= set(fields)
    assert set(paths["/api/v1/absences/by-source/{source}/{source_id}/"]["put"]["responses"]) >= {"200", "201", "400"}
