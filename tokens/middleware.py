"""Rate limits every ``/api/`` request: per token, else per session user, else per client IP.

A middleware (not a DRF throttle) so that every response carries the headers — a 401, 403 or 404
included — and no view can opt out by overriding its throttle or permission classes.
"""

from django.conf import settings
from django.http import JsonResponse
from django_ratelimit.core import _get_ip
from rest_framework import exceptions

from tokens.authentication import token_for_request
from tokens.ratelimit import HOUR, default_token_limit, headers_for, hit


def _limit_key(request) -> tuple[str, str, int]:
    """(group, key, limit per hour) for this request."""
    try:
        token = token_for_request(request)
    except exceptions.AuthenticationFailed:
        token = None  # a bad token is counted against the IP, so guessing is limited too
    if token is not None:
        default = getattr(token, "default_rate_limit", None)  # None: no settings row yet
        return "api.token", str(token.pk), token.rate_limit_per_hour or default or default_token_limit()
    user = getattr(request, "user", None)
    if request.META.get("HTTP_AUTHORIZATION") is None and user is not None and user.is_authenticated:
        return "api.user", str(user.pk), settings.API_RATE_LIMIT_USER_PER_HOUR
    return "api.ip", _get_ip(request), settings.API_RATE_LIMIT_ANON_PER_HOUR


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
        group, key, limit = _limit_key(request)
        usage = hit(group, key, limit, HOUR)
        response = throttled_response(usage.reset_in) if usage and usage.exceeded else self.get_response(request)
        if usage is not None:
            for name, value in headers_for(usage).items():
                response[name] = value
        return response
