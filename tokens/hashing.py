"""The token format and its keyed hash. Pure functions: no database, no settings beyond the peppers."""

import hashlib
import hmac
import secrets
import string

from django.conf import settings

from tokens.models import KEY_ID_LENGTH, TOKEN_PREFIX

_KEY_ALPHABET = string.ascii_letters + string.digits
SECRET_MIN_LENGTH = 32


def current_pepper_id() -> str:
    """The first entry of ``TOKEN_PEPPERS`` hashes new tokens."""
    return next(iter(settings.TOKEN_PEPPERS))


def hash_secret(secret: str, pepper_id: str) -> str | None:
    """HMAC-SHA256 of ``secret`` under pepper ``pepper_id``; None when that pepper is no longer configured."""
    pepper = settings.TOKEN_PEPPERS.get(pepper_id)
    if pepper is None:
        return None
    return hmac.new(pepper.encode(), secret.encode(), hashlib.sha256).hexdigest()


def new_key_id() -> str:
    return "".join(secrets.choice(_KEY_ALPHABET) for _ in range(KEY_ID_LENGTH))


def new_secret() -> str:
    return secrets.token_urlsafe(32)  # 43 URL-safe characters, 256 bits


def format_token(key_id: str, secret: str) -> str:
    return f"{TOKEN_PREFIX}{key_id}_{secret}"


def parse_token(raw: str) -> tuple[str, str] | None:
    """``(key_id, secret)`` of a well-formed token, else None."""
    head = len(TOKEN_PREFIX) + KEY_ID_LENGTH
    if not raw.startswith(TOKEN_PREFIX) or len(raw) < head + 1 + SECRET_MIN_LENGTH or raw[head] != "_":
        return None
    key_id, secret = raw[len(TOKEN_PREFIX) : head], raw[head + 1 :]
    if not all(c in _KEY_ALPHABET for c in key_id) or len(secret) > 256:
        return None
    return key_id, secret
