import pytest
from rest_framework.test import APIClient

from tokens.models import TokenSettings


def bearer(plaintext: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client


@pytest.fixture
def allow_user_tokens(db):
    TokenSettings.objects.update_or_create(pk=1, defaults={"allow_user_tokens": True})
