"""Rate limits every ``/api/`` request: per token, else per session user, else per client IP.

A middleware (not a DRF throttle) so that every response carries the headers — a 401, 403 or 404
included — and no view can opt out by overriding its throttle or permission classes.

A request whose token this worker has kept (``tokens.authentication``), with the right secret, is
counted against that token in the same Redis round trip that reads the token epoch; the epoch then
decides whether the kept lookup stands. When it does not and the token's counter key has changed
(its limit changed, or it no longer authenticates and the IP is counted instead), the request is
counted again against the right key; the stale key's extra count is never read again.
"""

from django.conf import settings
from django.http import JsonResponse
from django_ratelimit.core import _get_ip
from rest_framework import exceptions

from tokens.authentication import kept_token, remember_epoch, token_for_request
from tokens.epoch import counted_with_epoch
from tokens.ratelimit import HOUR, Usage, default_token_limit, headers_for, hit


def _limit_key(request) -> tuple[str, str, int]:
    """(group, key, limit per hour) for this request."""
    try:
        token = token_for_request(request)
    except exceptions.AuthenticationFailed:
        token = None  # a bad token is counted against the IP, so guessing is limited too
    if token is not None:
        return _token_key(token) or ("api.token", str(token.pk), default_token_limit())
    user = getattr(request, "user", None)
    if request.META.get("HTTP_AUTHORIZATION") is None and user is not None and user.is_authenticated:
        return "api.user", str(user.pk), settings.API_RATE_LIMIT_USER_PER_HOUR
    return "api.ip", _get_ip(request), settings.API_RATE_LIMIT_ANON_PER_HOUR


def _token_key(token) -> tuple[str, str, int] | None:
    """A token's counter, None when its limit is the default and that is not known with it (no
    settings row when it was looked up)."""
    limit = token.rate_limit_per_hour or getattr(token, "default_rate_limit", None)
    return ("api.token", str(token.pk), limit) if limit else None


def _count(request) -> Usage | None:
    """Count this request (see the module's note); None when the cache is unreachable."""
    kept = kept_token(request)
    guess = _token_key(kept) if kept is not None else None
    if guess is None:
        return hit(*_limit_key(request), HOUR)
    usage, epoch = counted_with_epoch(*guess, HOUR)
    remember_epoch(request, epoch)
    actual = _limit_key(request)
    return usage if actual == guess else hit(*actual, HOUR)


def throttled_response(reset_in: int) -> JsonResponse:
    detail = f"Request was throttled. Expected available in {reset_in} seconds."
    body = {"type": "client_error", "errors": [{"code": "throttled", "detail": detail, "attr": None}]}
    response = JsonResponse(body, status=429)
    response["Retry-After"] = str(reset_in)
    return response


class APIRateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        usage = _count(request)
        response = throttled_response(usage.reset_in) if usage and usage.exceeded else self.get_response(request)
        if usage is not None:
            for name, value in headers_for(usage).items():
                response[name] = value
        return response
