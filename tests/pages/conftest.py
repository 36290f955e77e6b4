"""Page tests with Django's test client (no browser): permissions, form errors, what is rendered."""

import datetime as dt

import pytest
import time_machine

from tests.factories import UserFactory

NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.UTC)  # a Wednesday


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", first_name="Alice", last_name="Smith", email="alice@example.com")


@pytest.fixture
def bob(db):
    return UserFactory(username="bob", first_name="Bob", last_name="Jones", email="bob@example.com")


@pytest.fixture
def alice_browser(client, alice):
    client.force_login(alice)
    return client
