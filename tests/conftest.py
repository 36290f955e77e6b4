import pytest
from django.db import connection
from rest_framework.test import APIClient

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters and cached lookups never leak from one test into another."""
    from django.core.cache import cache

    from tokens.ratelimit import reset_cache_breaker

    cache.clear()
    reset_cache_breaker()
    yield


@pytest.fixture
def api_client():
    """An anonymous API client."""
    return APIClient()


@pytest.fixture
def client_for(db):
    """``client_for(user, scopes=None, **token_fields)``: an API client with a real bearer token of ``user``.

    Default scopes: read, write, delete, plus admin for staff. ``client.token`` is the token row,
    ``client.plaintext`` its secret.
    """
    from django.utils import timezone

    from tokens.models import APIToken
    from tokens.ratelimit import default_token_limit
    from tokens.services import token_create

    def make(user, scopes=None, **kwargs) -> APIClient:
        if scopes is None:
            scopes = ["read", "write", "delete", *(["admin"] if user.is_staff else [])]
        token, plaintext = token_create(user=user, name=kwargs.pop("name", "test client"), scopes=scopes, **kwargs)
        # As if just used: query counts pinned by tests measure the endpoint, not the first-use stamp.
        APIToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        default_token_limit()
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
        client.token, client.plaintext = token, plaintext
        return client

    return make


@pytest.fixture
def user(db):
    return UserFactory(username="alice", first_name="Alice", last_name="Smith", timezone="Europe/Berlin")


@pytest.fixture
def other(db):
    return UserFactory(username="bob", first_name="Bob", last_name="Jones")


@pytest.fixture
def staff(db):
    return UserFactory(username="root", is_staff=True, first_name="Sam", last_name="Staff")


@pytest.fixture
def alice_client(client_for, user):
    return client_for(user)


requires_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (row locks and real concurrency)"
)
