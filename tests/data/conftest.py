import datetime as dt

import pytest

from tests.factories import TeamFactory, UserFactory


@pytest.fixture
def lead(db):
    return UserFactory(username="lena", first_name="Lena", last_name="Lead", timezone="America/New_York")


@pytest.fixture
def team(db, user, lead):
    return TeamFactory(name="Platform", members=[user, lead], leads=[lead])


@pytest.fixture
def march():
    return dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
