import pytest

from tests.factories import TeamFactory, UserFactory


@pytest.fixture
def lead(db, user):
    """Lena leads a team that Alice is a member of."""
    lena = UserFactory(username="lena", first_name="Lena", last_name="Lead", timezone="Europe/Berlin")
    TeamFactory(name="Ops", members=[user], leads=[lena])
    return lena


@pytest.fixture
def carol(db):
    return UserFactory(username="carol", first_name="Carol", last_name="King", timezone="America/New_York")
