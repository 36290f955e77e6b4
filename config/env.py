"""Typed readers for settings that come from the environment.

Each reader fails loudly on a malformed value instead of falling back silently: a typo in a
production variable should stop the process at start-up, not change behaviour at run time.
"""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    value = os.environ.get(name)
    if value is None or value == "":
        if required:
            raise ImproperlyConfigured(f"The environment variable {name} must be set.")
        return default
    return value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}.") from exc


def env_list(name: str, default: list[str] | None = None, *, required: bool = False) -> list[str]:
    value = env_str(name, required=required)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def parse_peppers(raw: str) -> dict[str, str]:
    """Parse ``TOKEN_PEPPERS`` ("id:secret,id2:secret2"); the first entry is the current pepper.

    Older peppers stay listed so tokens hashed under them keep working until they are re-hashed.
    """
    peppers: dict[str, str] = {}
    for item in raw.split(","):
        item = item.strip()
        if not item:
            continue
        pepper_id, sep, secret = item.partition(":")
        if not sep or not pepper_id or len(secret) < 16:
            raise ImproperlyConfigured("TOKEN_PEPPERS entries look like 'id:secret' with a secret of 16+ characters.")
        if len(pepper_id) > 16:
            raise ImproperlyConfigured("TOKEN_PEPPERS ids are at most 16 characters.")
        peppers[pepper_id] = secret
    if not peppers:
        raise ImproperlyConfigured("TOKEN_PEPPERS must name at least one pepper.")
    return peppers
