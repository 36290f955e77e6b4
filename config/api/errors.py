"""Every API error in drf-standardized-errors' shape, with ``type`` fixed by status code."""

import logging
import sys

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.views.defaults import server_error
from drf_standardized_errors.formatter import ExceptionFormatter as BaseExceptionFormatter
from drf_standardized_errors.handler import ExceptionHandler as BaseExceptionHandler
from drf_standardized_errors.types import CLIENT_ERROR, SERVER_ERROR, VALIDATION_ERROR, ErrorType
from rest_framework import exceptions, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.settings import api_settings

from config.errors import DomainError

logger = logging.getLogger(__name__)
DATABASE_ERRORS = (OperationalError, InterfaceError)


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The object changed since you read it (stale If-Match)."
    default_code = "precondition_failed"


class Gone(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_detail = "This resource is no longer available."
    default_code = "gone"


class DatabaseUnavailable(exceptions.APIException):
    """The database refused or dropped the connection: a 503 the client may retry, not a bug (500).

    Django's ``CONN_HEALTH_CHECKS`` replaces a dead persistent connection at the start of the next
    request, so the service recovers by itself once the database is back."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The database is unreachable for the moment. Try again shortly."
    default_code = "service_unavailable"
    wait = 5  # seconds, sent as Retry-After


def validation_error(detail: str, *, attr: str | None, code: str = "invalid") -> exceptions.ValidationError:
    """A DRF ValidationError that renders as one error with the given ``attr``."""
    key = attr or api_settings.NON_FIELD_ERRORS_KEY
    return exceptions.ValidationError({key: [ErrorDetail(detail, code=code)]})


def _from_django(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        detail = {
            (field if field != "__all__" else api_settings.NON_FIELD_ERRORS_KEY): [
                ErrorDetail(message, code=error.code or "invalid") for error in errors for message in error.messages
            ]
            for field, errors in exc.error_dict.items()
        }
        return exceptions.ValidationError(detail)
    messages = [ErrorDetail(m, code=exc.code or "invalid") for m in exc.messages]
    return exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: messages})


class ExceptionHandler(BaseExceptionHandler):
    """Also maps the domain error and Django's own ValidationError (from ``full_clean``)."""

    def convert_known_exceptions(self, exc: Exception) -> Exception:
        if isinstance(exc, DomainError):
            return validation_error(exc.detail, attr=exc.attr, code=exc.code)
        if isinstance(exc, DjangoValidationError):
            return _from_django(exc)
        if isinstance(exc, DATABASE_ERRORS):
            logger.error("Database unavailable: %s", exc)
            return DatabaseUnavailable()
        if isinstance(exc, DjangoPermissionDenied) and str(exc):
            # Services explain why (e.g. "Leads may change only the members"); keep that for the client.
            return exceptions.PermissionDenied(str(exc))
        return super().convert_known_exceptions(exc)


class ExceptionFormatter(BaseExceptionFormatter):
    """SPEC §2: ``type`` is ``validation_error`` for every 400 (malformed JSON included)."""

    def get_error_type(self) -> ErrorType:
        if self.exc.status_code == status.HTTP_400_BAD_REQUEST:
            return VALIDATION_ERROR
        if status.is_client_error(self.exc.status_code):
            return CLIENT_ERROR
        return SERVER_ERROR


def error_body(exc: exceptions.APIException) -> dict:
    return {"type": SERVER_ERROR, "errors": [{"code": exc.default_code, "detail": str(exc.detail), "attr": None}]}


def server_error_handler(request, *args, **kwargs):
    """``handler500``: errors raised outside a DRF view (in a middleware, say) still answer API
    clients in the error shape, and a lost database is a 503 there too. Pages keep Django's own."""
    if not request.path.startswith("/api/"):
        return server_error(request, *args, **kwargs)
    exc = sys.exc_info()[1]
    if isinstance(exc, DATABASE_ERRORS):
        unavailable = DatabaseUnavailable()
        response = JsonResponse(error_body(unavailable), status=unavailable.status_code)
        response["Retry-After"] = str(unavailable.wait)
        return response
    return JsonResponse(error_body(exceptions.APIException("Server Error (500)")), status=500)
