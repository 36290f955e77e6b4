"""Every coverage endpoint is in the OpenAPI schema with its parameters and response shapes."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(alice_client):
    response = alice_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return (
        response.json()
        if response["Content-Type"].startswith("application/") and "json" in response["Content-Type"]
        else None
    )


def test_coverage_paths_parameters_and_errors(schema):
    paths = schema["paths"]
    expected = {
        ("/api/v1/coverage/availability/{user}/", "get"): {"user", "at"},
        ("/api/v1/coverage/current/", "get"): {"at", "team", "project", "page", "page_size"},
        ("/api/v1/coverage/resolve/", "post"): set(),
        ("/api/v1/teams/{id}/staffing/", "get"): {"id", "start", "end"},
    }
    for (path, method), params in expected.items():
        operation = paths[path][method]
        assert params <= {p["name"] for p in operation.get("parameters", [])}, path
        assert {"200", "400", "401"} <= set(operation["responses"]), path
    request = schema["components"]["schemas"]["ResolveRequest"]
    assert set(request["required"]) == {"assignee", "event"}
    response = schema["components"]["schemas"]["ResolveResponse"]
    assert set(response["properties"]) == {
        "assignee",
        "assignee_away",
        "action",
        "assign_to",
        "message",
        "reply",
        "reason",
        "rule",
        "absence",
        "until",
        "chain",
    }
