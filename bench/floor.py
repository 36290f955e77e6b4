"""The floor: the least a Django answer to "is this person away?" can cost here.

A bare view (no DRF, no serializer, no auth) that runs the availability endpoint's one indexed
absence query and returns ``JsonResponse``; a second one adds the bearer-token lookup, so the
difference is what authentication costs. They are mounted only by the bench URLconf
(``bench.urls``), never by the product's: bare, and under ``/api/``, where the rate limiter counts
them (the floor per IP, with a token per token), so that the difference there is what
authentication adds to an API request, which is always counted.
"""

import datetime as dt

from django.http import JsonResponse
from django.utils.dateparse import parse_datetime

from absences.models import Absence
from tokens.authentication import token_for_request

LOOKAHEAD = dt.timedelta(days=366)  # as coverage.selectors.LOOKAHEAD


def floor_view(request, user_id: int) -> JsonResponse:
    at = parse_datetime(request.GET["at"])
    rows = list(
        Absence.objects.of_people_overlapping([user_id], at, at + LOOKAHEAD)
        .away()
        .select_related("type", "coverer")
        .order_by()
    )
    away = [a for a in rows if a.start_at <= at < a.end_at]
    return JsonResponse({"user": user_id, "at": at.isoformat(), "available": not away})


def floor_auth_view(request, user_id: int) -> JsonResponse:
    token_for_request(request)  # one indexed lookup and an HMAC, as on every API request
    return floor_view(request, user_id)
