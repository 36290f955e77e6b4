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

from tokens.ratelimit import _Breaker, redis_client, shared_cache

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
            client = redis_client(backend)
            key = backend.make_and_validate_key(EPOCH_KEY)
            value = client.get(key)
            if value is None:
                client.set(key, secrets.token_hex(8), nx=True)
                return None
            return value.decode() if isinstance(value, bytes) else str(value)
        value = backend.get(EPOCH_KEY)
        if value is None:
            backend.add(EPOCH_KEY, secrets.token_hex(8), _NEVER)
        return value
    except Exception as exc:  # any cache error: redis.ConnectionError, TimeoutError, OSError...
        _Breaker.trip(exc)
        return None


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
