from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def token_client():
    """``token_client(user, calendar_ids, scopes)``: a client whose ``request.auth`` is a token
    limited to some calendars, as the tokens app's bearer authentication provides it."""

    def make(user, calendar_ids, scopes=("read", "write", "delete")) -> APIClient:
        client = APIClient()
        client.force_authenticate(user, token=SimpleNamespace(scopes=list(scopes), calendar_ids=list(calendar_ids)))
        return client

    return make
