"""Fixed-window rate limits over the Django cache (Redis in production).

Counters live in the cache so every web process shares them; each request is one atomic increment
of its window's counter, so concurrent clients on one token get exactly the limit, and on Redis it
costs one round trip (create-if-missing and ``INCR``, pipelined). The window is computed from one
reading of the clock, so the counter, ``Retry-After`` and the reset epoch of a response always
agree. When the cache is unreachable the API keeps serving:
limits fail open with one logged warning, and the cache is left alone for ``RATELIMIT_RETRY_AFTER_ERROR``
seconds so a dead Redis does not add a connection timeout to every request.
"""

import dataclasses
import hashlib
import logging
import time
import weakref
import zlib

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)
HOUR = 3600


@dataclasses.dataclass(frozen=True)
class Usage:
    limit: int
    count: int
    reset_at: int  # epoch second at which the window ends
    reset_in: int  # seconds until then (at least 1)

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


def window_end(value: str, period: int, now: int) -> int:
    """The epoch second at which the fixed window holding ``now`` ends for ``value``. Windows are
    offset per value by a hash, so the counters of different tokens do not all reset together."""
    end = now - now % period + zlib.crc32(value.encode()) % period
    return end if end > now else end + period


def hit(group: str, value: str, limit: int, period: int = HOUR) -> Usage | None:
    """Count one request for ``value`` in ``group``; None when the cache is unreachable (fail open)."""
    return hit_reading(group, value, limit, period)[0]


def hit_reading(group: str, value: str, limit: int, period: int = HOUR, read: str | None = None) -> tuple:
    """``(hit(group, value, limit, period), the cache's raw value at key read)``, both in one round
    trip on Redis: the token epoch travels with the counter (``tokens.middleware``). ``(None, None)``
    when the cache is unreachable."""
    if _Breaker.open():
        return None, None
    now = int(time.time())
    reset_at = window_end(value, period, now)
    # The limit is part of the key: changing a limit starts a new count. The value is hashed (a
    # username may hold characters no cache key should).
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    key = f"{settings.RATELIMIT_CACHE_PREFIX}{group}:{limit}/{period}:{digest}:{reset_at}"
    try:
        count, value_read = _increment(key, reset_at - now + 60, read)
    except Exception as exc:  # any cache backend error: redis.ConnectionError, TimeoutError, OSError...
        _Breaker.trip(exc)
        return None, None
    return Usage(limit=limit, count=count, reset_at=reset_at, reset_in=reset_at - now), value_read


# One redis-py client per Django Redis backend: Django's ``get_client()`` builds a new client object
# (with its table of response callbacks) on every call, which costs more than the round trip.
_redis_clients: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def shared_cache():
    """The cache that rate limits (and token epochs, ``tokens.epoch``) live in."""
    return caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")]


def redis_client(backend: RedisCache):
    """The backend's redis-py client, made once (see ``_redis_clients``)."""
    inner = backend._cache  # Django's RedisCacheClient: its pools and the client class
    client = _redis_clients.get(inner)
    if client is None:
        client = _redis_clients[inner] = inner.get_client(write=True)
    return client


def _increment(key: str, timeout: int, read: str | None = None) -> tuple:
    """Add one to the counter ``key`` (created with ``timeout`` seconds to live): ``(its count, the
    raw value at cache key read)`` (None when read is None or the key is not set)."""
    backend = shared_cache()
    if not isinstance(backend, RedisCache):
        value = backend.get(read) if read is not None else None
        try:
            return backend.incr(key), value
        except ValueError:  # no counter yet for this window; a process that loses the add counts on
            return (1 if backend.add(key, 1, timeout) else backend.incr(key)), value
    client = redis_client(backend)
    full_key = backend.make_and_validate_key(key)
    pipeline = client.pipeline(transaction=False)
    if read is not None:
        pipeline.get(backend.make_and_validate_key(read))
    pipeline.set(full_key, 0, ex=timeout, nx=True)  # an integer, as Django's serializer stores it
    pipeline.incr(full_key)
    results = pipeline.execute()
    return results[-1], results[0] if read is not None else None


def default_token_limit() -> int:
    """``TokenSettings.default_rate_limit_per_hour``. The request path gets it with the token
    (``tokens.authentication``); this read is for when that could not (no settings row yet)."""
    from tokens.models import TokenSettings

    return TokenSettings.get_solo().default_rate_limit_per_hour


def headers_for(usage: Usage) -> dict[str, str]:
    """The classic ``X-RateLimit-*`` headers and the IETF draft's structured fields."""
    return {
        "X-RateLimit-Limit": str(usage.limit),
        "X-RateLimit-Remaining": str(usage.remaining),
        "X-RateLimit-Reset": str(usage.reset_at),
        "RateLimit-Policy": f'"hourly";q={usage.limit};w={HOUR}',
        "RateLimit": f'"hourly";r={usage.remaining};t={usage.reset_in}',
    }
