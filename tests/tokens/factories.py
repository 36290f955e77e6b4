"""Tokens are minted through the service so the hash and pepper are real; ``.plaintext`` is the secret."""

import factory

from tests.factories import UserFactory
from tokens.models import APIToken
from tokens.services import token_create


class APITokenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = APIToken

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"token {n}")
    scopes = factory.LazyFunction(lambda: ["read"])

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        calendars = kwargs.pop("calendars", [])
        token, plaintext = token_create(calendar_ids=calendars, **kwargs)
        token.plaintext = plaintext
        return token
