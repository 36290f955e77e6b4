"""Bearer authentication: ``Authorization: Bearer stn_<key_id>_<secret>``.

One query finds the token and its user; the secret is compared in constant time. An unknown key id
and a wrong secret give the same 401 (a dummy HMAC keeps their timing alike). The result is kept on
the Django request so the rate-limit middleware and DRF share one lookup.

Lookups of existing tokens are kept in the process for up to ``TOKEN_CACHE_SECONDS`` (10; 0 = never),
and a kept one is used only while the token epoch (``tokens.epoch``, one cache read) is the one
read before it was looked up: a change to any token, user or the token settings starts a new epoch
after its commit, in whichever worker it was made, and every worker then looks tokens up again. So
a revoked token answers 401 at once everywhere (SPEC §3). The secret is checked against the kept
hash on every request, and expiry, revocation, deactivation and scopes are checked on every
request too (docs/tokens.md).
"""

import copy
import datetime as dt
import hmac
import time

from django.conf import settings
from django.db.models import Q, Subquery
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from config.compiled import CompiledQuery
from tokens.epoch import token_epoch
from tokens.hashing import current_pepper_id, hash_secret, parse_token
from tokens.models import APIToken, TokenSettings

INVALID_TOKEN = "Invalid token."  # noqa: S105 - an error message
LAST_USED_EVERY = dt.timedelta(minutes=1)
_MEMO = "_standin_bearer"
_EPOCH = "_standin_token_epoch"
_READ_IT = object()  # token_authenticate(epoch=...): no epoch was read for this request yet
_DUMMY_SECRET = "x" * 43


def bearer_credentials(request) -> str | None:
    """The raw token of an ``Authorization: Bearer`` header, '' for a malformed one, None without one."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip()


def token_for_request(request) -> APIToken | None:
    """The token of this request (memoised), None without a bearer header; raises AuthenticationFailed.
    The token epoch is the one the rate limiter read for this request (``remember_epoch``), if it did."""
    request = getattr(request, "_request", request)
    if not hasattr(request, _MEMO):
        try:
            raw = bearer_credentials(request)
            epoch = getattr(request, _EPOCH, _READ_IT)
            setattr(request, _MEMO, None if raw is None else token_authenticate(raw, epoch=epoch))
        except exceptions.AuthenticationFailed as exc:
            setattr(request, _MEMO, exc)
    result = getattr(request, _MEMO)
    if isinstance(result, exceptions.AuthenticationFailed):
        raise result
    return result


def remember_epoch(request, epoch: str | None) -> None:
    """The token epoch read for this request elsewhere (in the rate limiter's round trip): the
    authentication uses it instead of reading it again."""
    setattr(getattr(request, "_request", request), _EPOCH, epoch)


def kept_token(request) -> APIToken | None:
    """The kept lookup of this request's token when there is one, usable as kept and with a secret
    matching its hash: the rate limiter counts the request against it while reading the epoch that
    says whether it is still current (``tokens.middleware``). Read only; no copy."""
    seconds = settings.TOKEN_CACHE_SECONDS
    raw = bearer_credentials(request) if seconds > 0 else None
    parsed = parse_token(raw) if raw else None
    kept = _cache.get(parsed[0]) if parsed else None
    if kept is None or time.monotonic() - kept[0] >= seconds:
        return None
    token = kept[2]
    return token if _refusal(token, parsed[1], timezone.now()) is None else None  # else the IP is counted


# The organisation's default rate limit, read in the token's own query (a subquery on the settings
# singleton): the rate-limit middleware needs it on every request of a token without its own limit.
_DEFAULT_LIMIT = Subquery(TokenSettings.objects.order_by().values("default_rate_limit_per_hour")[:1])


def _token_by_key_id(key_id: str):
    return (
        APIToken.objects.select_related("user")
        .annotate(default_rate_limit=_DEFAULT_LIMIT)
        .filter(key_id=key_id)
        .order_by()[:1]  # key_id is unique: no sort
    )


# Every API request makes this query: built once (NUL never appears in a key id).
_TOKEN_BY_KEY_ID = CompiledQuery(_token_by_key_id, sentinels=("\x00key-1",), others=("\x00key-2",))


# Tokens looked up in the last TOKEN_CACHE_SECONDS, by key id: (when, the token epoch read before
# the lookup, token with its user). Per process. Only tokens that exist are kept (a random key id is
# never stored), at most _CACHE_MOST of them.
_cache: dict[str, tuple[float, str, APIToken]] = {}
_CACHE_MOST = 10_000


def _lookup(key_id: str, epoch=_READ_IT) -> APIToken | None:
    seconds = settings.TOKEN_CACHE_SECONDS
    if seconds <= 0:
        epoch = None  # nothing kept may be used, nothing is kept
    elif epoch is _READ_IT:
        epoch = token_epoch()
    if epoch is not None:
        hit = _cache.get(key_id)
        if hit is not None and hit[1] == epoch and time.monotonic() - hit[0] < seconds:
            return _copy(hit[2])
    rows = _TOKEN_BY_KEY_ID.fetch(key_id)
    token = rows[0] if rows else None
    if token is not None and epoch is not None:
        if len(_cache) >= _CACHE_MOST:
            _cache.clear()
        _cache[key_id] = (time.monotonic(), epoch, _copy(token))
    return token


def _copy(token: APIToken) -> APIToken:
    """A request's own token and user: nothing one request sets on them reaches another."""
    token = copy.copy(token)
    token.user = copy.copy(token.user)
    return token


def forget_tokens(*, key_id: str | None = None, user_id: int | None = None) -> None:
    """Drop cached lookups: of one token, of one user's tokens, or (neither given) all of them."""
    if key_id is None and user_id is None:
        _cache.clear()
        return
    for cached_key, (_, _, token) in list(_cache.items()):
        if cached_key == key_id or token.user_id == user_id:
            _cache.pop(cached_key, None)


def token_authenticate(raw: str, *, epoch=_READ_IT) -> APIToken:
    """The usable token ``raw`` names, or AuthenticationFailed. One query (token + user, and the
    default rate limit as ``token.default_rate_limit``), none for a kept lookup of the current
    ``epoch`` (read here unless given: a value or None from ``tokens.epoch``)."""
    parsed = parse_token(raw)
    token = _lookup(parsed[0], epoch) if parsed else None
    if token is None:
        hash_secret(_DUMMY_SECRET, current_pepper_id())
        raise exceptions.AuthenticationFailed(INVALID_TOKEN)
    now = timezone.now()
    refusal = _refusal(token, parsed[1], now)
    if refusal is not None:
        raise exceptions.AuthenticationFailed(refusal)
    _touch(token, parsed[1], now)
    return token


def _refusal(token: APIToken, secret: str, now: dt.datetime) -> str | None:
    """Why ``token`` does not authenticate a request bearing ``secret`` at ``now`` (the 401's
    detail), None when it does."""
    expected = hash_secret(secret, token.pepper_id) or ""
    if not hmac.compare_digest(expected, token.secret_hash) or not token.user.is_active:
        return INVALID_TOKEN
    if token.revoked_at is not None:
        return "Token revoked."
    if token.expires_at is not None and token.expires_at <= now:
        return "Token expired."
    return None


def _touch(token: APIToken, secret: str, now: dt.datetime) -> None:
    """Stamp ``last_used_at`` at most once a minute; re-hash a token made under an older pepper."""
    changes = {}
    if token.last_used_at is None or token.last_used_at <= now - LAST_USED_EVERY:
        changes["last_used_at"] = token.last_used_at = now
    pepper_id = current_pepper_id()
    if token.pepper_id != pepper_id:
        changes["pepper_id"], changes["secret_hash"] = pepper_id, hash_secret(secret, pepper_id)
        token.pepper_id, token.secret_hash = changes["pepper_id"], changes["secret_hash"]
    if changes:
        stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_EVERY) | ~Q(pepper_id=pepper_id)
        APIToken.objects.filter(stale, pk=token.pk).update(**changes)
        forget_tokens(key_id=token.key_id)  # the cached copy has the old stamp (or hash)


class BearerAuthentication(BaseAuthentication):
    """DRF authentication for API tokens; ``request.auth`` is the :class:`APIToken`."""

    def authenticate(self, request):
        token = token_for_request(request)
        if token is None:
            return None
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class BearerAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "tokens.authentication.BearerAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "stn_<8-char id>_<secret>",
            "description": "An API token. Its scopes limit the methods it may use (read, write, delete, admin).",
        }
