"""Fixed-window rate limits over the Django cache (Redis in production), via django-ratelimit.

Counters live in the cache so every web process shares them; ``incr`` is atomic, so concurrent
clients on one token get exactly the limit. When the cache is unreachable the API keeps serving:
limits fail open with one logged warning, and the cache is left alone for ``RATELIMIT_RETRY_AFTER_ERROR``
seconds so a dead Redis does not add a connection timeout to every request.
"""

import dataclasses
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django_ratelimit.core import get_usage

logger = logging.getLogger(__name__)
HOUR = 3600
_DEFAULT_LIMIT_KEY = "tokens:default-rate-limit"


@dataclasses.dataclass(frozen=True)
class Usage:
    limit: int
    count: int
    reset_in: int  # seconds until the window resets

    @property
    def remaining(self) -> int:
        return max(self.limit - self.count, 0)

    @property
    def exceeded(self) -> bool:
        return self.count > self.limit


class _Breaker:
    """Per-process memory of a cache failure, so an outage costs one timeout, not one per request."""

    down_until = 0.0

    @classmethod
    def open(cls) -> bool:
        return time.monotonic() < cls.down_until

    @classmethod
    def trip(cls, exc: Exception) -> None:
        pause = getattr(settings, "RATELIMIT_RETRY_AFTER_ERROR", 30)
        logger.warning("Rate limiting is off for %ss: the cache is unreachable (%s).", pause, exc)
        cls.down_until = time.monotonic() + pause

    @classmethod
    def reset(cls) -> None:
        cls.down_until = 0.0


def reset_cache_breaker() -> None:
    _Breaker.reset()


def hit(group: str, value: str, limit: int, period: int = HOUR) -> Usage | None:
    """Count one request for ``value`` in ``group``; None when the cache is unreachable (fail open)."""
    if _Breaker.open():
        return None
    try:
        usage = get_usage(None, group=group, key=lambda _group, _request: value, rate=(limit, period), increment=True)
    except Exception as exc:  # any cache backend error: redis.ConnectionError, TimeoutError, OSError...
        _Breaker.trip(exc)
        return None
    if usage is None or usage["time_left"] < 0:
        return None
    return Usage(limit=usage["limit"], count=usage["count"], reset_in=max(usage["time_left"], 1))


def default_token_limit() -> int:
    """``TokenSettings.default_rate_limit_per_hour``, cached for an hour (reset when the settings change)."""
    from tokens.models import TokenSettings

    if not _Breaker.open():
        try:
            cached = cache.get(_DEFAULT_LIMIT_KEY)
            if cached is not None:
                return cached
            value = TokenSettings.get_solo().default_rate_limit_per_hour
            cache.set(_DEFAULT_LIMIT_KEY, value, HOUR)
            return value
        except Exception as exc:  # the cache, not the database: fall through to a plain read
            _Breaker.trip(exc)
    return TokenSettings.get_solo().default_rate_limit_per_hour


def forget_default_token_limit() -> None:
    try:
        cache.delete(_DEFAULT_LIMIT_KEY)
    except Exception as exc:
        _Breaker.trip(exc)


def headers_for(usage: Usage) -> dict[str, str]:
    """The classic ``X-RateLimit-*`` headers and the IETF draft's structured fields."""
    return {
        "X-RateLimit-Limit": str(usage.limit),
        "X-RateLimit-Remaining": str(usage.remaining),
        "X-RateLimit-Reset": str(int(time.time()) + usage.reset_in),
        "RateLimit-Policy": f'"hourly";q={usage.limit};w={HOUR}',
        "RateLimit": f'"hourly";r={usage.remaining};t={usage.reset_in}',
    }
