"""Base viewsets: field selection, ETags on single objects and If-Match preconditions."""

import hashlib
import json

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from rest_framework import viewsets
from rest_framework.response import Response

from config.api.errors import PreconditionFailed, validation_error
from config.api.params import single_param
from config.api.serializers import FIELDS_PARAM
from config.api.writers import plain_data


def etag_of(data) -> str:
    payload = json.dumps(data, sort_keys=True, default=str, separators=(",", ":")).encode()
    return '"' + hashlib.sha256(payload).hexdigest()[:32] + '"'


def if_match_satisfied(header: str, current: str) -> bool:
    tags = [tag.strip() for tag in header.split(",")]
    return "*" in tags or any(tag.removeprefix("W/") == current for tag in tags)


class APIViewMixin:
    """Conventions every Standin view shares; viewsets stay declarative."""

    sort_fields: dict[str, str] | list[str] = ()
    default_sort: tuple[str, ...] = ()

    def requested_fields(self) -> list[str] | None:
        raw = single_param(self.request.query_params, FIELDS_PARAM) if self.request else None
        if raw is None:
            return None
        names = [name.strip() for name in raw.split(",") if name.strip()]
        if not names:
            raise validation_error("Name at least one field, or leave out `fields`.", attr=FIELDS_PARAM)
        return names

    def serialized(self, instance) -> dict:
        """``get_serializer(instance).data``; without ``?fields=``, written by plain functions
        (``config.api.writers``: the same output, without DRF's per-request field copies)."""
        if self.requested_fields() is None:
            return plain_data(self.get_serializer_class(), instance)
        return self.get_serializer(instance).data

    def get_serializer(self, *args, **kwargs):
        if self.request is not None and "selected_fields" not in kwargs:
            kwargs["selected_fields"] = self.requested_fields()
        return super().get_serializer(*args, **kwargs)


class ETagMixin:
    """``ETag`` on single-object responses; a stale ``If-Match`` on PUT/PATCH/DELETE is a 412.

    The tag hashes the object's full representation, so any visible change (related lists
    included) gives a new tag. With ``If-Match`` the row is locked while it is compared and
    written, so concurrent writers cannot both pass the check.
    """

    def current_etag(self, instance) -> str:
        serializer = self.get_serializer_class()(instance, context=self.get_serializer_context())
        return etag_of(serializer.data)

    def check_precondition(self, instance) -> None:
        header = self.request.headers.get("If-Match")
        if not header:
            return
        # Lock the row and read it again under the lock (views override get_queryset, so locking
        # there is not enough): a writer that waited for the lock compares against the winner's
        # committed change and gets its 412.
        try:
            instance.refresh_from_db(from_queryset=type(instance)._base_manager.select_for_update())
        except ObjectDoesNotExist:  # deleted by the writer we waited for: no tag matches any more
            raise PreconditionFailed() from None
        if not if_match_satisfied(header, self.current_etag(instance)):
            raise PreconditionFailed()

    def get_object(self):
        instance = super().get_object()
        if self.request.method in ("PUT", "PATCH", "DELETE"):
            self.check_precondition(instance)
        return instance

    def dispatch(self, request, *args, **kwargs):
        if request.method in ("PUT", "PATCH", "DELETE") and request.headers.get("If-Match"):
            with transaction.atomic():
                return super().dispatch(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        instance = getattr(self, "_etag_instance", None)
        if instance is not None and isinstance(response, Response) and 200 <= response.status_code < 300:
            response["ETag"] = self.current_etag(instance)
        return response

    def retrieve(self, request, *args, **kwargs):
        self._etag_instance = self.get_object()
        serializer = self.get_serializer(self._etag_instance)
        return Response(serializer.data)

    def perform_create(self, serializer):
        super().perform_create(serializer)
        self._etag_instance = serializer.instance

    def perform_update(self, serializer):
        super().perform_update(serializer)
        self._etag_instance = serializer.instance


class GenericViewSet(APIViewMixin, viewsets.GenericViewSet):
    pass


class ReadOnlyModelViewSet(APIViewMixin, ETagMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ModelViewSet(APIViewMixin, ETagMixin, viewsets.ModelViewSet):
    pass
