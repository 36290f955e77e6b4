"""Every API error in drf-standardized-errors' shape, with ``type`` fixed by status code."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_standardized_errors.formatter import ExceptionFormatter as BaseExceptionFormatter
from drf_standardized_errors.handler import ExceptionHandler as BaseExceptionHandler
from drf_standardized_errors.types import CLIENT_ERROR, SERVER_ERROR, VALIDATION_ERROR, ErrorType
from rest_framework import exceptions, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.settings import api_settings

from config.errors import DomainError


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The object changed since you read it (stale If-Match)."
    default_code = "precondition_failed"


class Gone(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_detail = "This resource is no longer available."
    default_code = "gone"


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
