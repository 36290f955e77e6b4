"""The OpenAPI schema documents the bearer scheme, the token endpoints and the rate-limit headers."""

import pytest
import yaml

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(api_client):
    response = api_client.get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_bearer_scheme_and_token_endpoints(schema):
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    create = schema["paths"]["/api/v1/tokens/"]["post"]
    assert {"bearerAuth": []} in create["security"]
    created = create["responses"]["201"]["content"]["application/json"]["schema"]["$ref"]
    assert "token" in schema["components"]["schemas"][created.rsplit("/", 1)[1]]["properties"]
    assert set(schema["paths"]["/api/v1/tokens/{id}/"]) >= {"get", "delete"}
    assert set(schema["paths"]["/api/v1/settings/tokens/"]) >= {"get", "patch"}


def test_rate_limit_headers_and_429(schema):
    responses = schema["paths"]["/api/v1/teams/"]["get"]["responses"]
    assert "X-RateLimit-Remaining" in responses["200"]["headers"]
    assert "Retry-After" in responses["429"]["headers"] and "401" in responses and "403" in responses
