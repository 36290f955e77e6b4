import pytest
from django.db import connection
from rest_framework.test import APIClient

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters and cached lookups never leak from one test into another."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def api_client():
    """An anonymous API client."""
    return APIClient()


@pytest.fixture
def client_for(db):
    """``client_for(user)`` returns an API client authenticated as ``user``."""

    def make(user, **kwargs) -> APIClient:
        client = APIClient()
        client.force_login(user)
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
