"""A token never mints a more powerful one: not more scopes (tests/tokens), not wider calendars."""

import pytest

from tests.calendars.factories import CalendarFactory
from tokens.models import APIToken, TokenSettings

pytestmark = pytest.mark.django_db


@pytest.fixture
def limited(client_for, user):
    TokenSettings.objects.update_or_create(pk=1, defaults={"allow_user_tokens": True})
    first, second = CalendarFactory(owner=user), CalendarFactory(owner=user)
    client = client_for(user, calendar_ids=[first.pk])
    client.calendars = (first, second)
    return client


@pytest.mark.parametrize("calendars", ["none", "second", "both"])
def test_a_calendar_limited_token_cannot_mint_a_wider_token(limited, calendars):
    first, second = limited.calendars
    ids = {"none": [], "second": [second.pk], "both": [first.pk, second.pk]}[calendars]
    count = APIToken.objects.count()
    response = limited.post("/api/v1/tokens/", {"name": "wider", "scopes": ["read"], "calendars": ids}, format="json")
    assert response.status_code == 403, response.content
    assert response.json()["errors"][0]["code"] == "permission_denied"
    assert APIToken.objects.count() == count


def test_a_calendar_limited_token_may_mint_within_its_calendars(limited):
    first, _ = limited.calendars
    response = limited.post(
        "/api/v1/tokens/", {"name": "same", "scopes": ["read"], "calendars": [first.pk]}, format="json"
    )
    assert response.status_code == 201, response.content
    assert APIToken.objects.get(pk=response.json()["id"]).calendar_ids == [first.pk]
