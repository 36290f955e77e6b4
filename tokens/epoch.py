"""The token epoch: one value in the shared cache that changes whenever a token, a user or the token
settings change, so every worker knows at once that its kept token lookups may be stale.

``tokens.authentication`` keeps lookups per process (``TOKEN_CACHE_SECONDS``) and uses one only
while the epoch read on this request is the one read before that lookup was made: a revocation in
any worker changes the epoch after its commit, and from then on every worker looks the token up
again. Reading the epoch is one cache ``GET`` (a Redis round trip, cheaper than the lookup it
saves). When the cache cannot tell (unreachable, or the value is gone after a Redis restart) no kept
lookup is used. The epoch is a random value, never a counter, so a value lost and started again
cannot come back to one a worker still holds.
"""

import logging
import secrets

from django.core.cache.backends.redis import RedisCache

from tokens.ratelimit import Usage, _Breaker, hit_reading, redis_client, shared_cache

logger = logging.getLogger(__name__)
EPOCH_KEY = "tokens:epoch"
_NEVER = None  # kept in the cache without expiry


def token_epoch() -> str | None:
    """The current epoch, or None when it cannot be known now (then nothing kept may be used)."""
    if _Breaker.open():
        return None
    backend = shared_cache()
    try:
        if isinstance(backend, RedisCache):
            return epoch_from(redis_client(backend).get(backend.make_and_validate_key(EPOCH_KEY)))
        return epoch_from(backend.get(EPOCH_KEY))
    except Exception as exc:  # any cache error: redis.ConnectionError, TimeoutError, OSError...
        _Breaker.trip(exc)
        return None


def counted_with_epoch(group: str, value: str, limit: int, period: int) -> tuple[Usage | None, str | None]:
    """``(ratelimit.hit(...), token_epoch())`` in one round trip: the epoch is read in the counter's
    Redis pipeline. ``(None, None)`` when the cache is unreachable."""
    usage, raw = hit_reading(group, value, limit, period, read=EPOCH_KEY)
    return usage, (epoch_from(raw) if usage is not None else None)


def epoch_from(raw) -> str | None:
    """The epoch from the cache's raw value; a missing one is started (for the next reader) and is
    None now, for nobody can tell which lookups were made under it."""
    if raw is None:
        _start_epoch()
        return None
    return raw.decode() if isinstance(raw, bytes) else str(raw)


def _start_epoch() -> None:
    backend = shared_cache()
    try:
        if isinstance(backend, RedisCache):
            redis_client(backend).set(backend.make_and_validate_key(EPOCH_KEY), secrets.token_hex(8), nx=True)
        else:
            backend.add(EPOCH_KEY, secrets.token_hex(8), _NEVER)
    except Exception as exc:
        _Breaker.trip(exc)


def new_token_epoch() -> None:
    """Start a new epoch: every worker's kept lookups stop being used (after a commit that changed
    a token, a user or the token settings)."""
    backend = shared_cache()
    try:
        if isinstance(backend, RedisCache):
            redis_client(backend).set(backend.make_and_validate_key(EPOCH_KEY), secrets.token_hex(8))
        else:
            backend.set(EPOCH_KEY, secrets.token_hex(8), _NEVER)
    except Exception as exc:
        # Workers keep their lookups until TOKEN_CACHE_SECONDS runs out; the ones that read the
        # epoch while the cache is down use none meanwhile.
        logger.warning("Could not start a new token epoch (%s): kept token lookups expire on their own.", exc)
