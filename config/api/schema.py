"""OpenAPI description of the shared conventions: error responses, ``?fields=``, ``If-Match``."""

import re
import zoneinfo

from django.core.exceptions import FieldDoesNotExist
from django.core.validators import RegexValidator
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from config.api.serializers import FIELDS_PARAM, FieldSelectionMixin


class ErrorItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class ErrorResponseSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["validation_error", "client_error", "server_error"])
    errors = ErrorItemSerializer(many=True)


ERROR_DESCRIPTIONS = {
    "400": "Bad input: `type` is `validation_error`, `attr` names the field.",
    "401": "Missing, invalid, expired or revoked credentials.",
    "403": "Authenticated but not allowed (scope or role).",
    "404": "Not found, or not visible to this caller.",
    "405": "Method not allowed.",
    "406": "Not acceptable.",
    "412": "If-Match is stale: the object changed since it was read.",
    "414": (
        "The request line is longer than the server accepts (gunicorn: 4,094 bytes); the web server"
        " answers it before Standin does, so the body is its own, not the error shape."
    ),
    "415": "Unsupported media type.",
    "429": "Rate limited; see Retry-After.",
    "500": "A server error (always a bug).",
    "503": "The database is unreachable for the moment; retry after Retry-After seconds.",
}


# "At least one character that is not whitespace", where whitespace is Python's (what ``str.strip()``
# and so DRF's ``trim_whitespace`` remove). ``\S`` would not do: JSON Schema validators read it as
# ECMA-262 or Unicode whitespace and schemathesis generates from it in ASCII mode, so neither
# excludes U+001C..U+001F, which Python strips ("\x1d" met ``\S`` and was refused as blank).
# Spelled as explicit escapes, the class reads the same in ECMA-262, Rust and Python regexes.
NON_BLANK_PATTERN = r"[^\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"

# Answered by the web server before any view runs, with its own body.
WITHOUT_ERROR_BODY = {"414"}


def error_response(code: str) -> OpenApiResponse:
    return OpenApiResponse(response=ErrorResponseSerializer, description=ERROR_DESCRIPTIONS[code])


class AutoSchema(SpectacularAutoSchema):
    """Adds to every operation the error responses it can give and the shared parameters."""

    def _is_single_object(self) -> bool:
        return any(p.get("in") == "path" for p in super()._get_parameters()) or not self._is_list_view()

    def _error_codes(self) -> list[str]:
        codes = ["400", "401", "403", "405", "406", "414", "415", "429", "500", "503"]
        if self.method != "POST" or self._is_single_object():
            codes.append("404")
        if self.method in ("PUT", "PATCH", "DELETE") and getattr(self.view, "etag_enabled", True):
            codes.append("412")
        if getattr(self.view, "permission_classes", None) == [] or getattr(self.view, "public_endpoint", False):
            codes = [c for c in codes if c not in ("401", "403")]
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction=direction)
        if direction != "response":
            return responses
        for code in self._error_codes():
            if code in WITHOUT_ERROR_BODY:
                responses.setdefault(code, {"description": ERROR_DESCRIPTIONS[code]})
            elif code not in responses:
                responses[code] = self._get_response_for_code(ErrorResponseSerializer, code, direction=direction) | {
                    "description": ERROR_DESCRIPTIONS[code]
                }
        return responses

    def get_override_parameters(self):
        params = list(super().get_override_parameters())
        if self.method == "GET" and self._has_fields():
            params.append(
                OpenApiParameter(
                    FIELDS_PARAM,
                    {"type": "array", "minItems": 1, "items": {"type": "string", "enum": self._response_field_names()}},
                    style="form",
                    explode=False,
                    description="Comma-separated field names to return (unknown names are a 400).",
                )
            )
        if self.method in ("PUT", "PATCH", "DELETE") and isinstance(self.view, _etag_views()):
            params.append(
                OpenApiParameter(
                    "If-Match",
                    OpenApiTypes.STR,
                    location=OpenApiParameter.HEADER,
                    description="The ETag you read; a stale tag is a 412 and nothing changes.",
                )
            )
        return params

    def _response_field_names(self) -> list[str]:
        serializer = self._get_serializer()
        return sorted(getattr(serializer, "fields", {}))

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if not _documents_itself(type(serializer)):
            schema.pop("description", None)  # not the docstring of one of our base classes
        if direction == "response" and isinstance(serializer, FieldSelectionMixin):
            schema.pop("required", None)  # ``?fields=`` may leave any key out
        return schema

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        # DRF's ``allow_empty=False`` (an empty list is a 400) has no counterpart in drf-spectacular.
        if direction == "request" and schema.get("type") == "array" and getattr(field, "allow_empty", True) is False:
            schema.setdefault("minItems", 1)
        # A CharField trims whitespace before its blank check, so " " is a 400 although it meets
        # minLength 1: say "at least one non-space character" (schemathesis ST202).
        if (
            direction == "request"
            and type(field) is serializers.CharField
            and field.trim_whitespace
            and not field.allow_blank
            and schema.get("type") == "string"
            and not {"pattern", "format", "enum"} & schema.keys()
            and not any(isinstance(v, RegexValidator) for v in field.validators)  # its own pattern
        ):
            schema["pattern"] = NON_BLANK_PATTERN
        return schema

    def _has_fields(self) -> bool:
        from config.api.viewsets import APIViewMixin

        return isinstance(self.view, APIViewMixin)


def _etag_views():
    from config.api.viewsets import ETagMixin

    return (ETagMixin,)


def _documents_itself(cls) -> bool:
    """Whether the docstring drf-spectacular would show is the class's own, not a shared base's."""
    for klass in cls.__mro__:
        if klass.__doc__:
            return not klass.__module__.startswith("config.api")
    return False


def field_allows_null(field) -> bool:
    """Null on the wire: the field allows it, or (read-only) the model column it shows is nullable."""
    if getattr(field, "allow_null", False):
        return True
    model = getattr(getattr(getattr(field, "parent", None), "Meta", None), "model", None)
    source = getattr(field, "source", None)
    if model is None or not source or "." in source or source == "*":
        return False
    try:
        return model._meta.get_field(source).null
    except FieldDoesNotExist:
        return False


class TimeZoneFieldExtension(OpenApiSerializerFieldExtension):
    """An IANA time zone name: the schema lists them so clients (and the fuzzer) know the valid ones."""

    target_class = "timezone_field.rest_framework.TimeZoneSerializerField"

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "string", "enum": sorted(zoneinfo.available_timezones()), "example": "Europe/Berlin"}


class UserRefFieldExtension(OpenApiSerializerFieldExtension):
    """A user reference: id, username or email in; ``{id, username, email, name}`` out."""

    target_class = "config.api.fields.UserRefField"

    def map_serializer_field(self, auto_schema, direction):
        nullable = {"nullable": True} if field_allows_null(self.target) else {}
        if direction == "request":
            return {
                **nullable,
                "oneOf": [
                    {"type": "integer", "minimum": 1, "description": "user id"},
                    # A blank or whitespace-only reference is refused as invalid (not merely unknown).
                    {"type": "string", "pattern": NON_BLANK_PATTERN, "description": "username, email address or `me`"},
                ],
            }
        return {
            "type": "object",
            **nullable,
            "properties": {
                "id": build_basic_type(OpenApiTypes.INT),
                "username": build_basic_type(OpenApiTypes.STR),
                "email": build_basic_type(OpenApiTypes.STR),
                "name": build_basic_type(OpenApiTypes.STR),
            },
            "required": ["id", "username", "email", "name"],
        }


def add_links_from_creates(result, generator, request, public):
    """drf-spectacular postprocessing hook: OpenAPI links from each create (``POST`` answering 201)
    to the operations on what it created (``/calendars/`` → ``/calendars/{id}/`` and
    ``/calendars/{calendar_pk}/events/``), so schemathesis' stateful phase can chain a create with
    reads, updates and deletes of the same object instead of guessing ids."""
    paths = result.get("paths", {})
    schemas = result.get("components", {}).get("schemas", {})
    for source, item in paths.items():
        created = item.get("post", {}).get("responses", {}).get("201")
        if created is None:
            continue
        source_params = set(re.findall(r"{(\w+)}", source))
        fields = _response_properties(created, schemas)
        links = {}
        for target, target_item in paths.items():
            match = re.fullmatch(re.escape(source) + r"{(\w+)}(/.*)?", target)
            if match is None or set(re.findall(r"{(\w+)}", target)) != source_params | {match[1]}:
                continue
            param = match[1]
            parameters = {param: f"$response.body#/{param if param in fields else 'id'}"}
            parameters |= {name: f"$request.path.{name}" for name in source_params}
            for operation in target_item.values():
                links[operation["operationId"]] = {"operationId": operation["operationId"], "parameters": parameters}
        if links:
            created["links"] = links
    return result


def _response_properties(response: dict, schemas: dict) -> set[str]:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    if "$ref" in schema:
        schema = schemas.get(schema["$ref"].rsplit("/", 1)[1], {})
    return set(schema.get("properties", {}))
