import pytest

from rules.models import RoutingSettings


@pytest.fixture
def routing(db):
    """The routing settings singleton; tests flip its switches and save."""
    return RoutingSettings.get_solo()
